package io.sluice.analyzer.gates;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** A fresh registry per test, built the way the analyzer's main builds its own. */
final class Registries {
    private Registries() {}

    static PrometheusMeterRegistry fresh() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
