package io.sluice.analyzer.gates;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Templates, metrics and gates for the tests of the template providers. */
final class ProviderFixtures {
    /** The providers' clock in tests: 2026-01-01T00:00:00Z, 1767225600 seconds after the epoch. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** The query deadline in the providers' tests: generous, as the first request of a cold JVM can be slow. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The deadline in the tests of a stand-in that never answers. */
    static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

    private ProviderFixtures() {}

    /** A template in namespace {@code test}; {@code address} and {@code secret} may be null. */
    static MetricTemplate template(String name, String type, String address, String secret, String query) {
        MetricTemplate t = new MetricTemplate();
        t.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace("test").build());
        MetricTemplate.Spec spec = new MetricTemplate.Spec();
        spec.provider = new MetricTemplate.Provider();
        spec.provider.type = type;
        spec.provider.address = address;
        if (secret != null) {
            spec.provider.secretRef = new MetricTemplate.SecretReference();
            spec.provider.secretRef.name = secret;
        }
        spec.query = query;
        t.setSpec(spec);
        return t;
    }

    /** A metric named like its template, in namespace {@code test}. */
    static CanaryAnalysis.Metric metric(String template, String interval, Double min, Double max) {
        CanaryAnalysis.Metric metric = Fixtures.metric(template, interval, min, max);
        metric.templateRef = new CanaryAnalysis.TemplateReference(template, "test");
        return metric;
    }

    /** The providers' HTTP over one client, every host allowed. */
    static ProviderHttp http(WebClient client) {
        return new ProviderHttp(client, client, OutboundHosts.ANY);
    }

    /**
     * A gate whose builtin Prometheus is an address nothing answers at and whose templates may also use
     * {@code providers}.
     */
    static PrometheusMetricGate gate(
            WebClient client, ObjectLookup lookup, Duration timeout, MetricsProvider... providers) {
        return new PrometheusMetricGate(
                new PrometheusClient(client, client),
                lookup,
                GatesConfig.builder()
                        .metricsServer("http://prometheus.invalid")
                        .queryTimeout(timeout)
                        .build(),
                new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh"),
                List.of(providers));
    }

    static Map<String, List<String>> headers(String name, String value) {
        return Map.of(name, List.of(value));
    }
}
