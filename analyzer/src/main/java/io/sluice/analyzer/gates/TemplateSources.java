package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.PrometheusClient.Credentials;
import io.sluice.analyzer.gates.PrometheusClient.Endpoint;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Resolves a metric's {@code templateRef} into a Prometheus endpoint: the template, its provider and its Secret. */
final class TemplateSources {
    static final String PROMETHEUS = "prometheus";
    /** MetricTemplate provider types of Flagger's API that Sluice does not query. */
    private static final Set<String> OTHER_PROVIDERS = Set.of(
            "influxdb",
            "datadog",
            "externalmetrics",
            "stackdriver",
            "cloudwatch",
            "newrelic",
            "graphite",
            "dynatrace",
            "keptn",
            "splunk");

    private final ObjectLookup lookup;
    private final String defaultAddress;

    TemplateSources(ObjectLookup lookup, String defaultAddress) {
        this.lookup = lookup;
        this.defaultAddress = defaultAddress;
    }

    /** A template reference resolved, or why it could not be. */
    sealed interface Source {
        /** {@code <template>.<namespace>}, as the texts name it. */
        String ref();

        /** The provider type, lower case; {@code prometheus} when unset. */
        String type();
    }

    record Ready(String ref, String type, MetricTemplate.Spec spec, Endpoint endpoint) implements Source {}

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
            if (OTHER_PROVIDERS.contains(type)) {
                return Future.succeededFuture(
                        new Broken(ref, type, Part.PROVIDER, null, MetricTemplateValidator.unsupported(type)));
            }
            MetricTemplate.Provider provider = spec.provider;
            boolean credentialed = provider.secretRef != null && hasText(provider.secretRef.name);
            // Sluice's addition: a template without an address queries the canary's or the analyzer's Prometheus. A
            // template with credentials never goes to the canary's choice: the Canary may live in another namespace
            // than the template's Secret, and its author must not be able to send that Secret to an address of theirs.
            String address = hasText(provider.address)
                    ? provider.address
                    : !credentialed && hasText(canary.getSpec().metricsServer)
                            ? canary.getSpec().metricsServer
                            : defaultAddress;
            boolean insecure = Boolean.TRUE.equals(provider.insecureSkipVerify);
            if (!credentialed) {
                return Future.succeededFuture(new Ready(
                        ref, type, spec, new Endpoint(address, provider.headers, new Credentials.None(), insecure)));
            }
            String secret = provider.secretRef.name;
            return lookup.secretData(ns, secret).transform(sr -> {
                if (sr.failed()) {
                    return Future.succeededFuture(new Broken(ref, type, Part.SECRET, secret, message(sr.cause())));
                }
                Map<String, String> data = sr.result();
                Credentials credentials;
                if (hasText(data.get("token"))) {
                    credentials = new Credentials.Bearer(data.get("token").trim());
                } else if (hasText(data.get("username")) && data.get("password") != null) {
                    credentials = new Credentials.Basic(data.get("username"), data.get("password"));
                } else {
                    return Future.succeededFuture(new Broken(
                            ref,
                            type,
                            Part.PROVIDER,
                            null,
                            "secret " + secret + "." + ns + " holds neither token nor username and password"));
                }
                return Future.succeededFuture(
                        new Ready(ref, type, spec, new Endpoint(address, provider.headers, credentials, insecure)));
            });
        });
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
