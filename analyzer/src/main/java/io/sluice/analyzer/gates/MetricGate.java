package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricPart;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.vertx.core.Future;

/** Runs one metric check of a canary (builtin, inline query or MetricTemplate) against its provider. */
public interface MetricGate {

    /**
     * Queries one part of the metric and judges it against its threshold range. The future always succeeds: a
     * provider that is down, slow or answers garbage is a {@link MetricOutcome.Verdict#ERROR} outcome, not a failed
     * future. A part the entry does not have ({@link MetricPart#of}) passes.
     */
    Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric, MetricPart part);

    /** Every part of the entry, one after the other; the first that does not pass is the outcome. */
    default Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric) {
        Future<MetricOutcome> chain = Future.succeededFuture();
        for (MetricPart part : MetricPart.of(metric)) {
            chain = chain.compose(before ->
                    before != null && !before.passed() ? Future.succeededFuture(before) : check(canary, metric, part));
        }
        return chain;
    }
}
