package io.sluice.analyzer.gates;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** A fresh registry per test. */
final class Registries {
    private Registries() {
    }

    /**
     * Micrometer's one-argument constructor looks up a tracer class that micrometer-registry-prometheus excludes from
     * its dependencies; passing no span context avoids it.
     */
    static PrometheusMeterRegistry fresh() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM, null);
    }
}
