package io.sluice.analyzer.gates;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.vertx.core.Future;

/** Runs one metric check of a canary (builtin or MetricTemplate) against its provider. */
public interface MetricGate {

    /**
     * Queries the metric and judges it against its threshold range. The future always succeeds: a provider that
     * is down, slow or answers garbage is a {@link MetricOutcome.Verdict#ERROR} outcome, not a failed future.
     */
    Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric);
}
