package io.sluice.admission;

import io.sluice.model.WellKnown;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.Flagger;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.validation.CanaryValidator;
import io.sluice.model.validation.CrossNamespaceRefs;
import io.sluice.model.validation.Violation;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Validates Flagger's kinds on CREATE and UPDATE: the object's own rules through the shared validator, then the
 * rules that need other objects, read from the caches. Missing referenced objects are warnings only: manifests are
 * applied in any order, and the analyzer waits for what is missing.
 */
final class ValidatingHandler implements AdmissionHandler {
    private final ObjectDecoder decoder;
    private final Function<Canary, CanaryValidator.Verdict> canaries;
    private final Validator<MetricTemplate> templates;
    private final Validator<AlertProvider> providers;
    private final ClusterView cluster;
    private final RuntimeRequestAdmission requests;
    private final boolean noCrossNamespaceRefs;

    /**
     * @param requests             judges and records the runtime requests Canaries carry
     * @param noCrossNamespaceRefs deny Canaries that name objects of other namespaces ({@link CrossNamespaceRefs})
     */
    ValidatingHandler(
            ObjectDecoder decoder,
            Function<Canary, CanaryValidator.Verdict> canaries,
            Validator<MetricTemplate> templates,
            Validator<AlertProvider> providers,
            ClusterView cluster,
            RuntimeRequestAdmission requests,
            boolean noCrossNamespaceRefs) {
        this.decoder = decoder;
        this.canaries = canaries;
        this.templates = templates;
        this.providers = providers;
        this.cluster = cluster;
        this.requests = requests;
        this.noCrossNamespaceRefs = noCrossNamespaceRefs;
    }

    @Override
    public Future<AdmissionResponse> handle(AdmissionRequest request) {
        return Future.succeededFuture(decide(request));
    }

    AdmissionResponse decide(AdmissionRequest request) {
        boolean write =
                request.operation().equals("CREATE") || request.operation().equals("UPDATE");
        if (!write || !request.subResource().isEmpty()) {
            return AdmissionResponse.allowed();
        }
        if (!Flagger.GROUP.equals(request.group())) {
            return AdmissionResponse.allowed()
                    .withWarnings(
                            List.of("Sluice does not validate " + request.kindLabel() + "; check the webhook's rules"));
        }
        if (!request.hasObject()) {
            return AdmissionResponse.errored(400, "request.object is missing or not a JSON object");
        }
        return switch (request.kind()) {
            case "Canary" -> canary(request);
            case "MetricTemplate" -> simple(request, MetricTemplate.class, templates);
            case "AlertProvider" -> simple(request, AlertProvider.class, providers);
            default ->
                AdmissionResponse.allowed()
                        .withWarnings(List.of(
                                "Sluice does not validate " + request.kindLabel() + "; check the webhook's rules"));
        };
    }

    private <T> AdmissionResponse simple(AdmissionRequest request, Class<T> type, Validator<T> validator) {
        ObjectDecoder.Decoded<T> decoded = decoder.decode(request.object(), type);
        if (decoded.error() != null) {
            return invalid(request, List.of(decoded.error()));
        }
        List<Violation> violations = validator.validate(decoded.value());
        return violations.isEmpty() ? AdmissionResponse.allowed() : invalid(request, violations);
    }

    private AdmissionResponse canary(AdmissionRequest request) {
        ObjectDecoder.Decoded<Canary> decoded = decoder.decode(request.object(), Canary.class);
        if (decoded.error() != null) {
            return invalid(request, List.of(decoded.error()));
        }
        Canary canary = decoded.value();
        Canary old = oldCanary(request);
        Canary running = running(old);
        if (!CanaryValidator.isSluices(canary)) {
            // Another provider's Canary (Flagger's, side by side) is that controller's to judge: admitted untouched,
            // unless it is Sluice's own run being handed over halfway.
            return running != null && CanaryValidator.isSluices(running)
                    ? providerFrozen(running, canary)
                    : AdmissionResponse.allowed();
        }
        CanaryValidator.Verdict verdict = canaries.apply(canary);
        List<Violation> violations = new ArrayList<>(verdict.violations());
        if (noCrossNamespaceRefs) {
            violations.addAll(CrossNamespaceRefs.violations(canary));
        }
        if (!violations.isEmpty()) {
            return invalid(request, violations);
        }
        CanarySpec.TargetReference target = canary.getSpec() == null ? null : canary.getSpec().targetRef;
        if (target == null) {
            return invalid(request, List.of(new Violation("spec.targetRef", "is required")));
        }
        if (running != null) {
            AdmissionResponse frozen = targetFrozen(running, target);
            if (frozen != null) {
                return frozen;
            }
        }
        List<String> others = cluster.canariesTargeting(request.namespace(), target.kind, target.name).stream()
                .map(c -> c.getMetadata().getName())
                .filter(name -> !name.equals(request.name()))
                .sorted()
                .toList();
        if (!others.isEmpty()) {
            return AdmissionResponse.denied(
                    String.format(
                                    "%s %s %s already targets %s %s: a workload is released by one Canary only",
                                    others.size() == 1 ? "Canary" : "Canaries",
                                    request.namespace() + "/" + String.join(", ", others),
                                    others.size() == 1 ? "" : "each",
                                    target.kind,
                                    target.name)
                            .replace("  ", " "),
                    409);
        }
        AdmissionResponse refused = requests.judge(request, canary, old);
        if (refused != null) {
            return refused;
        }
        // What Flagger accepts but is probably a mistake is admitted, as Flagger admits it, with kubectl's Warning
        // lines.
        return AdmissionResponse.allowed()
                .withWarnings(
                        verdict.warnings().stream().map(Violation::toString).toList())
                .withWarnings(missingReferences(request.namespace(), canary.getSpec()));
    }

    /** The stored Canary of an UPDATE; {@code null} on CREATE or when it does not decode. */
    private Canary oldCanary(AdmissionRequest request) {
        if (!request.operation().equals("UPDATE") || !request.hasOldObject()) {
            return null;
        }
        return decoder.decode(request.oldObject(), Canary.class).value();
    }

    /** {@code old} when its run is in progress or waiting to start; {@code null} otherwise. */
    private static Canary running(Canary old) {
        CanaryPhase phase =
                old == null || old.getStatus() == null ? null : old.getStatus().phase();
        return phase != null && (phase.isRunning() || phase == CanaryPhase.Waiting) ? old : null;
    }

    /** A run in progress is about one target: moving it would strand the traffic split and the primary. */
    private static AdmissionResponse targetFrozen(Canary running, CanarySpec.TargetReference target) {
        if (running.getSpec() == null || running.getSpec().targetRef == null) {
            return null;
        }
        CanarySpec.TargetReference before = running.getSpec().targetRef;
        boolean same = Objects.equals(before.apiVersion, target.apiVersion)
                && Objects.equals(before.kind, target.kind)
                && Objects.equals(before.name, target.name);
        if (same) {
            return null;
        }
        return frozen(
                "spec.targetRef",
                running,
                String.format("from %s %s to %s %s", before.kind, before.name, target.kind, target.name),
                "wait for the run to finish or roll it back first");
    }

    /** Handing a run in progress to another controller would leave Sluice's traffic split and primary behind. */
    private static AdmissionResponse providerFrozen(Canary running, Canary canary) {
        // Sluice's: no spec (refused by the analyzer, but it may have started), no provider, or gloo-mesh.
        String was = running.getSpec() == null ? null : running.getSpec().provider;
        String before = was == null || was.isEmpty() ? WellKnown.PROVIDER_GLOO_MESH : was;
        return frozen(
                "spec.provider",
                running,
                String.format("from %s to %s", before, canary.getSpec().provider),
                "Sluice's run owns the delegate RouteTable and the primary: wait for the run to finish or roll it "
                        + "back first");
    }

    private static AdmissionResponse frozen(String field, Canary running, String change, String advice) {
        CanaryPhase phase = running.getStatus().phase();
        return AdmissionResponse.invalid(
                String.format("%s cannot change while the canary is %s (%s); %s", field, phase, change, advice),
                List.of(new AdmissionResponse.Cause(
                        field, "cannot change while the canary is " + phase, "FieldValueForbidden")));
    }

    private List<String> missingReferences(String namespace, CanarySpec spec) {
        if (!cluster.synced()) {
            return List.of();
        }
        List<String> warnings = new ArrayList<>();
        if (spec.routeTableRef != null && spec.routeTableRef.name != null) {
            String ns = orDefault(spec.routeTableRef.namespace, namespace);
            if (!cluster.routeTableExists(ns, spec.routeTableRef.name)) {
                warnings.add("spec.routeTableRef: RouteTable " + ns + "/" + spec.routeTableRef.name
                        + " does not exist yet; the canary waits for it");
            }
        }
        CanaryAnalysis analysis = spec.effectiveAnalysis();
        String prefix = spec.analysis != null ? "spec.analysis" : "spec.canaryAnalysis";
        if (analysis != null && analysis.metrics != null) {
            for (int i = 0; i < analysis.metrics.size(); i++) {
                CanaryAnalysis.Metric m = analysis.metrics.get(i);
                if (m != null && m.templateRef != null && m.templateRef.name != null) {
                    String ns = orDefault(m.templateRef.namespace, namespace);
                    if (!cluster.metricTemplateExists(ns, m.templateRef.name)) {
                        warnings.add(prefix + ".metrics[" + i + "].templateRef: MetricTemplate " + ns + "/"
                                + m.templateRef.name + " does not exist yet; the check fails until it does");
                    }
                }
            }
        }
        if (analysis != null && analysis.alerts != null) {
            for (int i = 0; i < analysis.alerts.size(); i++) {
                CanaryAnalysis.Alert a = analysis.alerts.get(i);
                if (a != null && a.providerRef != null && a.providerRef.name != null) {
                    String ns = orDefault(a.providerRef.namespace, namespace);
                    if (!cluster.alertProviderExists(ns, a.providerRef.name)) {
                        warnings.add(prefix + ".alerts[" + i + "].providerRef: AlertProvider " + ns + "/"
                                + a.providerRef.name + " does not exist yet; the alert is not sent until it does");
                    }
                }
            }
        }
        return warnings;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** One denial with every violation, in the API server's own shape: a message listing them, and causes. */
    private static AdmissionResponse invalid(AdmissionRequest request, List<Violation> violations) {
        String list = violations.stream()
                .map(v -> v.field().isEmpty() ? v.message() : v.toString())
                .collect(Collectors.joining("; "));
        String message =
                String.format("%s.%s \"%s\" is invalid: %s", request.kind(), request.group(), request.name(), list);
        List<AdmissionResponse.Cause> causes = violations.stream()
                .map(v -> new AdmissionResponse.Cause(v.field(), v.message(), "FieldValueInvalid"))
                .toList();
        return AdmissionResponse.invalid(message, causes);
    }
}
