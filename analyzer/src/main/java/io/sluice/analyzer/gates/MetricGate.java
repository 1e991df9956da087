package io.sluice.analyzer.gates;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** Runs one metric check of a canary (builtin or MetricTemplate) against its provider. */
public interface MetricGate {

    /**
     * Queries the metric and judges it against its threshold range. The future always succeeds: a provider that
     * is down, slow or answers garbage is a {@link MetricOutcome.Verdict#ERROR} outcome, not a failed future.
     */
    Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric);

    /**
     * Runs every metric of the canary's analysis in order and stops at the first outcome that is not a pass. The
     * outcomes of the checks that ran, in order; empty when the canary has no metrics. Implementations may refine the
     * order and the stopping rule (see {@link PrometheusMetricGate#checkAll}).
     */
    default Future<List<MetricOutcome>> checkAll(Canary canary) {
        CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
        List<CanaryAnalysis.Metric> metrics = analysis == null || analysis.metrics == null ? List.of() : analysis.metrics;
        Future<List<MetricOutcome>> chain = Future.succeededFuture(new ArrayList<>());
        for (CanaryAnalysis.Metric metric : metrics) {
            chain = chain.compose(done -> {
                if (!done.isEmpty() && !done.get(done.size() - 1).passed()) {
                    return Future.succeededFuture(done);
                }
                return check(canary, metric).map(outcome -> {
                    done.add(outcome);
                    return done;
                });
            });
        }
        return chain;
    }
}
