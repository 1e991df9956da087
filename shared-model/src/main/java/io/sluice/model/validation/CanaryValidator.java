package io.sluice.model.validation;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryService;
import io.sluice.model.flagger.CanarySpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Judges a Canary on its own, without reading other objects. Both services use it: the admission webhook to
 * reject a bad spec when it is applied, the analyzer to refuse one that reached the cluster another way.
 * Every violation is reported, not just the first.
 */
public final class CanaryValidator {
    /** Metrics the analyzer knows without a MetricTemplate. */
    public static final List<String> BUILTIN_METRICS = List.of("request-success-rate", "request-duration");
    /** The webhook types the CRD allows, {@code ""} (meaning rollout) first. */
    public static final List<String> WEBHOOK_TYPES = Stream.of(CanaryAnalysis.WebhookType.values())
            .map(CanaryAnalysis.WebhookType::value)
            .toList();
    /** The alert severities the CRD allows, {@code ""} (meaning info) first. */
    public static final List<String> ALERT_SEVERITIES = Stream.of(CanaryAnalysis.AlertSeverity.values())
            .map(CanaryAnalysis.AlertSeverity::value)
            .toList();

    public static final List<String> SUPPORTED_PROVIDERS = List.of(WellKnown.PROVIDER_GLOO_MESH);

    private CanaryValidator() {}

    /**
     * What is said about a Canary: the violations that make it one Sluice cannot honour (denied at admission,
     * refused by the analyzer), and the warnings about what Flagger accepts and runs but is probably a mistake
     * (admitted with {@code Warning:} lines; the analyzer runs it as Flagger does).
     */
    public record Verdict(List<Violation> violations, List<Violation> warnings) {
        public Verdict {
            violations = List.copyOf(violations);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Every violation of {@code canary}, in the order of its fields; empty when Sluice can release it. A Canary of
     * another provider is not Sluice's to release: its only violation says so.
     */
    public static List<Violation> validate(Canary canary) {
        String other = otherProvider(canary);
        if (other != null) {
            return List.of(new Violation(
                    "spec.provider",
                    "is \"" + other + "\": Sluice serves " + WellKnown.PROVIDER_GLOO_MESH
                            + " only and leaves this Canary to the controller of that provider"));
        }
        return judge(canary).violations();
    }

    /**
     * The violations and the warnings of {@code canary}, each in the order of its fields. A Canary of another
     * provider is not Sluice's to judge: it is left to that provider's controller (Flagger, when both run side by
     * side) and its verdict is empty, so admission lets it through untouched.
     */
    public static Verdict judge(Canary canary) {
        if (!isSluices(canary)) {
            return new Verdict(List.of(), List.of());
        }
        Checks checks = new Checks();
        judge(checks, canary);
        return new Verdict(checks.violations(), checks.warnings());
    }

    /**
     * Whether Sluice releases {@code canary}: its {@code spec.provider} is empty (the analyzer's
     * {@code --mesh-provider}, which can only be gloo-mesh) or gloo-mesh. A Canary without a spec is Sluice's, to be
     * judged (and refused).
     */
    public static boolean isSluices(Canary canary) {
        return otherProvider(canary) == null;
    }

    /** The provider of {@code canary} when it is set and not one Sluice serves, else {@code null}. */
    private static String otherProvider(Canary canary) {
        CanarySpec spec = canary.getSpec();
        if (spec == null || spec.provider == null || spec.provider.isEmpty()) {
            return null;
        }
        return SUPPORTED_PROVIDERS.contains(spec.provider) ? null : spec.provider;
    }

    private static void judge(Checks checks, Canary canary) {
        CanarySpec spec = canary.getSpec();
        if (!checks.required("spec", spec)) {
            return;
        }
        provider(checks, spec);
        target(checks, spec);
        autoscaler(checks, spec.autoscalerRef);
        service(checks, spec);
        if (spec.progressDeadlineSeconds != null) {
            checks.atLeast("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, 1);
        }
        if (spec.analysis != null) {
            analysis(checks, "spec.analysis", spec.analysis);
        } else if (spec.canaryAnalysis != null) {
            analysis(checks, "spec.canaryAnalysis", spec.canaryAnalysis);
        } else if (!Boolean.TRUE.equals(spec.skipAnalysis)) {
            checks.add("spec.analysis", "is required (or set spec.skipAnalysis to promote without analysis)");
        }
    }

    private static void provider(Checks checks, CanarySpec spec) {
        // Another provider's Canary never gets here (see judge). An empty provider means the analyzer's default, which
        // is gloo-mesh: it needs the parent table too.
        CanarySpec.CrossNamespaceReference ref = spec.routeTableRef;
        if (ref == null) {
            checks.add(
                    "spec.routeTableRef",
                    "is required with the gloo-mesh provider: name the parent RouteTable "
                            + "that delegates to the one Sluice generates");
            return;
        }
        checks.required("spec.routeTableRef.name", ref.name);
        checks.required("spec.routeTableRef.namespace", ref.namespace);
        checks.dnsLabel("spec.routeTableRef.namespace", ref.namespace, "namespace");
        if (ref.kind != null && !ref.kind.isEmpty() && !ref.kind.equals("RouteTable")) {
            checks.add("spec.routeTableRef.kind", "must be RouteTable, got \"" + ref.kind + "\"");
        }
        if (ref.apiVersion != null
                && !ref.apiVersion.isEmpty()
                && !ref.apiVersion.equals("networking.gloo.solo.io/v2")) {
            checks.add(
                    "spec.routeTableRef.apiVersion",
                    "must be networking.gloo.solo.io/v2, got \"" + ref.apiVersion + "\"");
        }
    }

    private static void target(Checks checks, CanarySpec spec) {
        CanarySpec.TargetReference ref = spec.targetRef;
        if (!checks.required("spec.targetRef", ref)) {
            return;
        }
        if (checks.required("spec.targetRef.kind", ref.kind) && !ref.kind.equals("Deployment")) {
            checks.add("spec.targetRef.kind", "\"" + ref.kind + "\" is not supported: Sluice releases Deployments");
        }
        if (ref.apiVersion != null && !ref.apiVersion.isEmpty() && !ref.apiVersion.equals("apps/v1")) {
            // Flagger goes by the kind; the Deployment is read and written through apps/v1 whatever this says.
            checks.warn(
                    "spec.targetRef.apiVersion",
                    "is \"" + ref.apiVersion + "\", not apps/v1: the Deployment is released through apps/v1 anyway");
        }
        if (checks.required("spec.targetRef.name", ref.name)) {
            checks.dnsLabel("spec.targetRef.name", ref.name + "-primary", "the primary Deployment name");
        }
    }

    private static void autoscaler(Checks checks, CanarySpec.AutoscalerReference ref) {
        if (ref == null) {
            return;
        }
        if (checks.required("spec.autoscalerRef.kind", ref.kind)) {
            switch (ref.kind) {
                case "HorizontalPodAutoscaler" -> {
                    // Flagger goes by the kind (its docs still show autoscaling/v2beta2); the HPA is read through v2
                    // anyway.
                    if (ref.apiVersion != null
                            && !ref.apiVersion.isEmpty()
                            && !ref.apiVersion.equals("autoscaling/v2")) {
                        checks.warn(
                                "spec.autoscalerRef.apiVersion",
                                "is \"" + ref.apiVersion + "\", not autoscaling/v2: the HorizontalPodAutoscaler is read"
                                        + " and copied through autoscaling/v2 anyway");
                    }
                    if (ref.primaryScalerQueries != null && !ref.primaryScalerQueries.isEmpty()) {
                        checks.warn(
                                "spec.autoscalerRef.primaryScalerQueries",
                                "is only used with a KEDA ScaledObject: a HorizontalPodAutoscaler ignores it");
                    }
                }
                case "ScaledObject" -> {
                    if (ref.apiVersion != null
                            && !ref.apiVersion.isEmpty()
                            && !ref.apiVersion.equals("keda.sh/v1alpha1")) {
                        checks.warn(
                                "spec.autoscalerRef.apiVersion",
                                "is \"" + ref.apiVersion + "\", not keda.sh/v1alpha1: the ScaledObject is read and"
                                        + " copied through keda.sh/v1alpha1 anyway");
                    }
                }
                default ->
                    checks.add(
                            "spec.autoscalerRef.kind",
                            "\"" + ref.kind + "\" is not supported: use HorizontalPodAutoscaler or ScaledObject");
            }
        }
        checks.required("spec.autoscalerRef.name", ref.name);
        if (ref.primaryScalerReplicas != null) {
            checks.atLeast(
                    "spec.autoscalerRef.primaryScalerReplicas.minReplicas", ref.primaryScalerReplicas.minReplicas, 1);
            checks.atLeast(
                    "spec.autoscalerRef.primaryScalerReplicas.maxReplicas", ref.primaryScalerReplicas.maxReplicas, 1);
            Integer min = ref.primaryScalerReplicas.minReplicas;
            Integer max = ref.primaryScalerReplicas.maxReplicas;
            if (min != null && max != null && min > max) {
                checks.add(
                        "spec.autoscalerRef.primaryScalerReplicas",
                        "minReplicas " + min + " is greater than maxReplicas " + max);
            }
        }
    }

    private static void service(Checks checks, CanarySpec spec) {
        CanaryService service = spec.service;
        if (service == null) {
            checks.add("spec.service", "is required: Sluice routes to the Services it generates from it");
            return;
        }
        if (checks.required("spec.service.port", service.port)) {
            checks.range("spec.service.port", service.port, 1, 65535);
        }
        IntOrString targetPort = service.targetPort;
        if (targetPort != null) {
            if (targetPort.getIntVal() != null) {
                checks.range("spec.service.targetPort", targetPort.getIntVal(), 1, 65535);
            } else {
                checks.portName("spec.service.targetPort", targetPort.getStrVal());
            }
        }
        if (service.portName != null && !service.portName.isEmpty()) {
            checks.dnsLabel("spec.service.portName", service.portName, "port name");
        }
        String base = service.name != null && !service.name.isEmpty()
                ? service.name
                : spec.targetRef != null ? spec.targetRef.name : null;
        if (base != null && !base.isEmpty()) {
            String field =
                    service.name != null && !service.name.isEmpty() ? "spec.service.name" : "spec.targetRef.name";
            checks.dnsLabel(field, base, "the apex Service name");
            checks.dnsLabel(field, base + "-primary", "the primary Service name");
            checks.dnsLabel(field, base + "-canary", "the canary Service name");
        }
        checks.duration("spec.service.timeout", service.timeout);
        if (service.retries != null) {
            checks.atLeast("spec.service.retries.attempts", service.retries.attempts, 0);
            checks.duration("spec.service.retries.perTryTimeout", service.retries.perTryTimeout);
        }
    }

    private static void analysis(Checks checks, String path, CanaryAnalysis analysis) {
        checks.duration(path + ".interval", analysis.interval);
        if (analysis.threshold != null && analysis.threshold == 0) {
            checks.warn(path + ".threshold", "0 means the default, 1: the first failed check rolls the canary back");
        } else {
            checks.atLeast(path + ".threshold", analysis.threshold, 1);
        }
        strategy(checks, path, analysis);
        checks.range(path + ".stepWeightPromotion", analysis.stepWeightPromotion, 0, 100);
        checks.range(path + ".mirrorWeight", analysis.mirrorWeight, 0, 100);
        checks.range(path + ".primaryReadyThreshold", analysis.primaryReadyThreshold, 0, 100);
        checks.range(path + ".canaryReadyThreshold", analysis.canaryReadyThreshold, 0, 100);
        if (Boolean.TRUE.equals(analysis.mirror)) {
            checks.add(path + ".mirror", "traffic mirroring is not supported by the gloo-mesh provider");
        }
        metrics(checks, path + ".metrics", analysis.metrics);
        webhooks(checks, path + ".webhooks", analysis.webhooks);
        alerts(checks, path + ".alerts", analysis.alerts);
        sessionAffinity(checks, path + ".sessionAffinity", analysis.sessionAffinity);
    }

    /** Exactly one of stepWeight, stepWeights or iterations; match is only used with iterations. */
    private static void strategy(Checks checks, String path, CanaryAnalysis analysis) {
        boolean step = analysis.stepWeight != null;
        boolean steps = analysis.stepWeights != null && !analysis.stepWeights.isEmpty();
        boolean iterations = analysis.iterations != null;
        int chosen = (step ? 1 : 0) + (steps ? 1 : 0) + (iterations ? 1 : 0);
        if (chosen == 0) {
            checks.add(
                    path,
                    "set one of stepWeight or stepWeights (progressive canary) or iterations "
                            + "(blue/green, or A/B testing with match)");
        } else if (chosen > 1) {
            if (iterations) {
                checks.add(
                        path + ".iterations",
                        "cannot be combined with " + (step ? "stepWeight" : "stepWeights")
                                + ": iterations selects blue/green or A/B testing, which route all matching traffic at once "
                                + "instead of in weight steps");
            } else {
                checks.add(
                        path + ".stepWeights",
                        "cannot be combined with stepWeight: give either a fixed step "
                                + "or an explicit list of weights");
            }
        }
        checks.range(path + ".stepWeight", analysis.stepWeight, 1, 100);
        checks.range(path + ".maxWeight", analysis.maxWeight, 1, 100);
        if (iterations) {
            checks.atLeast(path + ".iterations", analysis.iterations, 1);
        }
        if (analysis.stepWeights != null) {
            Integer previous = null;
            for (int i = 0; i < analysis.stepWeights.size(); i++) {
                String field = Checks.index(path + ".stepWeights", i);
                Integer w = analysis.stepWeights.get(i);
                if (w == null) {
                    checks.add(field, "is required");
                    continue;
                }
                if (w < 1) {
                    checks.add(field, "must be at least 1, got " + w);
                } else if (w > 100) {
                    checks.warn(field, "is " + w + ", above 100: the canary's weight stops at 100");
                }
                if (previous != null && w <= previous) {
                    checks.warn(
                            field,
                            "is not greater than the previous step (" + previous + "): Flagger's weight rule then "
                                    + "holds or lowers the canary's weight at this step");
                }
                previous = w;
            }
        }
        if (analysis.match != null && !analysis.match.isEmpty() && !iterations) {
            // Flagger runs it as a weighted canary; Sluice routes A/B matches only with iterations.
            checks.warn(
                    path + ".match",
                    "is ignored without iterations: the run is a weighted canary and every request is split by "
                            + "weight; for A/B testing set analysis.iterations to the number of ticks matching requests "
                            + "go to the canary");
        }
    }

    private static void metrics(Checks checks, String path, List<CanaryAnalysis.Metric> metrics) {
        if (metrics == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            String field = Checks.index(path, i);
            CanaryAnalysis.Metric m = metrics.get(i);
            if (m == null) {
                checks.add(field, "is required");
                continue;
            }
            if (checks.required(field + ".name", m.name) && !names.add(m.name)) {
                // Flagger queries both, and so does the analyzer (its checks are keyed by position as well).
                checks.warn(
                        field + ".name",
                        "\"" + m.name + "\" is also the name of an earlier metric: both are queried in list order and "
                                + "either failing counts as a failed check, but their Events and the "
                                + "flagger_canary_metric_analysis series cannot tell them apart; give each its own name");
            }
            checks.duration(field + ".interval", m.interval);
            boolean builtin = m.name != null && BUILTIN_METRICS.contains(m.name);
            if (m.templateRef != null) {
                checks.required(field + ".templateRef.name", m.templateRef.name);
                if (m.templateRef.namespace != null && !m.templateRef.namespace.isEmpty()) {
                    checks.dnsLabel(field + ".templateRef.namespace", m.templateRef.namespace, "namespace");
                }
            } else if (!builtin && (m.query == null || m.query.isBlank()) && m.name != null) {
                // Flagger admits it (older releases had more builtin names) and fails each of its checks at run time.
                checks.warn(
                        field + ".templateRef",
                        "is missing: \"" + m.name + "\" is not a builtin metric (" + String.join(", ", BUILTIN_METRICS)
                                + ") and has no query, so every check of it fails and the canary is rolled back; "
                                + "add a templateRef or use a builtin name");
            }
            if (m.thresholdRange != null) {
                Double min = m.thresholdRange.min;
                Double max = m.thresholdRange.max;
                if (min == null && max == null) {
                    checks.add(field + ".thresholdRange", "needs min, max or both");
                } else if (min != null && max != null && min > max) {
                    checks.add(field + ".thresholdRange", "min " + fmt(min) + " is greater than max " + fmt(max));
                }
            } else if (m.threshold == null) {
                checks.warn(
                        field + ".thresholdRange",
                        "is not set (nor threshold): the check never fails; give min, max or both");
            }
        }
    }

    private static void webhooks(Checks checks, String path, List<CanaryAnalysis.Webhook> hooks) {
        if (hooks == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < hooks.size(); i++) {
            String field = Checks.index(path, i);
            CanaryAnalysis.Webhook h = hooks.get(i);
            if (h == null) {
                checks.add(field, "is required");
                continue;
            }
            if (checks.required(field + ".name", h.name) && !names.add(h.name)) {
                checks.warn(
                        field + ".name",
                        "\"" + h.name + "\" is also the name of an earlier webhook: both are called in list order, as "
                                + "Flagger calls them, but events and alerts name them alike; give each its own name");
            }
            if (h.type != null && !h.type.isEmpty()) {
                checks.oneOf(field + ".type", h.type, WEBHOOK_TYPES.subList(1, WEBHOOK_TYPES.size()));
            }
            if (checks.required(field + ".url", h.url)) {
                checks.httpUrl(field + ".url", h.url);
            }
            checks.duration(field + ".timeout", h.timeout);
            checks.atLeast(field + ".retries", h.retries, 0);
        }
    }

    private static void alerts(Checks checks, String path, List<CanaryAnalysis.Alert> alerts) {
        if (alerts == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < alerts.size(); i++) {
            String field = Checks.index(path, i);
            CanaryAnalysis.Alert a = alerts.get(i);
            if (a == null) {
                checks.add(field, "is required");
                continue;
            }
            if (checks.required(field + ".name", a.name) && !names.add(a.name)) {
                checks.warn(
                        field + ".name",
                        "\"" + a.name + "\" is also the name of an earlier alert: each entry is sent on its own, as "
                                + "Flagger sends them, but logs name them alike; give each its own name");
            }
            if (a.severity != null && !a.severity.isEmpty()) {
                checks.oneOf(field + ".severity", a.severity, ALERT_SEVERITIES.subList(1, ALERT_SEVERITIES.size()));
            }
            if (checks.required(field + ".providerRef", a.providerRef)) {
                checks.required(field + ".providerRef.name", a.providerRef.name);
            }
        }
    }

    /** Accepted and silently ignored before: the routes Sluice writes cannot carry it, so it is refused with why. */
    private static void sessionAffinity(Checks checks, String path, CanaryAnalysis.SessionAffinity affinity) {
        if (affinity == null) {
            return;
        }
        checks.add(
                path,
                "session affinity is not supported by the gloo-mesh provider: the delegate RouteTable Sluice writes "
                        + "splits traffic by weight and header match only and cannot pin a client to a version with a "
                        + "cookie; remove sessionAffinity");
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
