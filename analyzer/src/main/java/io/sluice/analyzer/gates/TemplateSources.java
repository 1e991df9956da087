package io.sluice.analyzer.gates;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves a metric's {@code templateRef} into what its provider needs: the template, the provider of its type, the
 * address and the Secret's data.
 */
final class TemplateSources {
    static final String PROMETHEUS = PrometheusProvider.TYPE;

    /** The types of Flagger's API; one of them that is not registered is refused, any other runs as Prometheus. */
    private static final Set<String> FLAGGER_TYPES =
            Arrays.stream(MetricTemplate.ProviderType.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());

    private final ObjectLookup lookup;
    private final MetricsProviders providers;

    TemplateSources(ObjectLookup lookup, MetricsProviders providers) {
        this.lookup = lookup;
        this.providers = providers;
    }

    /** A template reference resolved, or why it could not be. */
    sealed interface Source {
        /** {@code <template>.<namespace>}, as the texts name it. */
        String ref();

        /** The provider type, lower case; {@code prometheus} when unset. */
        String type();
    }

    record Ready(String ref, String type, MetricTemplate.Spec spec, MetricsProvider provider, ProviderTarget target)
            implements Source {}

    /** The part that failed, which decides the wording of the Event. */
    enum Part {
        TEMPLATE,
        SECRET,
        PROVIDER
    }

    /** {@code secret} is the Secret's name for {@link Part#SECRET}, else null. */
    record Broken(String ref, String type, Part part, String secret, String detail) implements Source {
        /** The text of a check's Event: {@code Metric template <ref> … error: <detail>}. */
        String checkMessage() {
            return "Metric template " + ref + suffix();
        }

        /** The text inside an availability Event: {@code metric template <ref> … error: <detail>}. */
        String availabilityMessage() {
            return "metric template " + ref + suffix();
        }

        private String suffix() {
            return switch (part) {
                case TEMPLATE -> " error: " + detail;
                case SECRET -> " secret " + secret + " error: " + detail;
                case PROVIDER -> " provider " + type + " error: " + detail;
            };
        }
    }

    /** The future always succeeds. */
    Future<Source> resolve(Canary canary, CanaryAnalysis.TemplateReference templateRef) {
        String ns = CanaryDefaults.namespace(templateRef, canary.getMetadata().getNamespace());
        String ref = templateRef.name + "." + ns;
        return lookup.template(ns, templateRef.name).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(new Broken(ref, PROMETHEUS, Part.TEMPLATE, null, message(ar.cause())));
            }
            MetricTemplate.Spec spec = ar.result().getSpec();
            if (spec == null || spec.provider == null) {
                return Future.succeededFuture(
                        new Broken(ref, PROMETHEUS, Part.TEMPLATE, null, "spec.provider is not set"));
            }
            String type =
                    hasText(spec.provider.type) ? spec.provider.type.trim().toLowerCase(Locale.ROOT) : PROMETHEUS;
            MetricsProvider registered = providers.get(type);
            if (registered == null && FLAGGER_TYPES.contains(type)) {
                return Future.succeededFuture(
                        new Broken(ref, type, Part.PROVIDER, null, MetricTemplateValidator.unsupported(type)));
            }
            // Flagger runs a type it does not know as Prometheus.
            MetricsProvider provider = registered != null ? registered : providers.get(PROMETHEUS);
            MetricTemplate.Provider p = spec.provider;
            boolean credentialed = p.secretRef != null && hasText(p.secretRef.name);
            String address = address(canary, type, provider, p, credentialed);
            boolean insecure = Boolean.TRUE.equals(p.insecureSkipVerify);
            if (!credentialed) {
                return Future.succeededFuture(ready(
                        ref, type, spec, provider, new ProviderTarget(address, null, Map.of(), p.headers, insecure)));
            }
            String secret = p.secretRef.name;
            return lookup.secretData(ns, secret).transform(sr -> {
                if (sr.failed()) {
                    return Future.succeededFuture(new Broken(ref, type, Part.SECRET, secret, message(sr.cause())));
                }
                return Future.succeededFuture(ready(
                        ref,
                        type,
                        spec,
                        provider,
                        new ProviderTarget(address, secret + "." + ns, sr.result(), p.headers, insecure)));
            });
        });
    }

    /**
     * The template's address, else the provider's default. Sluice's addition for Prometheus: a template without an
     * address queries the canary's {@code metricsServer} before the analyzer's. A template with credentials never goes
     * to the canary's choice: the Canary may live in another namespace than the template's Secret, and its author must
     * not be able to send that Secret to an address of theirs.
     */
    private static String address(
            Canary canary, String type, MetricsProvider provider, MetricTemplate.Provider p, boolean credentialed) {
        if (hasText(p.address)) {
            return p.address;
        }
        if (PROMETHEUS.equals(provider.type()) && !credentialed && hasText(canary.getSpec().metricsServer)) {
            return canary.getSpec().metricsServer;
        }
        return provider.defaultAddress();
    }

    private static Source ready(
            String ref, String type, MetricTemplate.Spec spec, MetricsProvider provider, ProviderTarget target) {
        String problem = provider.problem(target);
        return problem != null
                ? new Broken(ref, type, Part.PROVIDER, null, problem)
                : new Ready(ref, type, spec, provider, target);
    }

    /** The values of a template's actions, as Flagger defines them. */
    static Map<String, String> values(Canary canary, CanaryAnalysis.Metric metric) {
        CanarySpec spec = canary.getSpec();
        String target = spec.targetRef.name;
        Map<String, String> values = new HashMap<>();
        values.put("name", canary.getMetadata().getName());
        values.put("namespace", canary.getMetadata().getNamespace());
        values.put("target", target);
        values.put("service", CanaryDefaults.serviceName(spec));
        values.put("ingress", spec.ingressRef != null && hasText(spec.ingressRef.name) ? spec.ingressRef.name : target);
        values.put("route", spec.routeRef != null && hasText(spec.routeRef.name) ? spec.routeRef.name : target);
        values.put("interval", CanaryDefaults.metricInterval(metric));
        return values;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
