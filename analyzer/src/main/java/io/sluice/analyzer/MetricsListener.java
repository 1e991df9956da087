package io.sluice.analyzer;

import io.sluice.analyzer.gates.AnalyzerMetrics;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Feeds Flagger's {@code flagger_canary_*} series and Sluice's own from each reconcile. */
final class MetricsListener implements ReconcileListener {
    private final AnalyzerMetrics metrics;
    private final Clock clock;
    private final Map<String, Canary> known = new HashMap<>();

    MetricsListener(AnalyzerMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void reconciled(Canary canary, CanaryStatus before, CanaryStatus after, Duration took) {
        String key =
                canary.getMetadata().getNamespace() + "/" + canary.getMetadata().getName();
        if (known.put(key, canary) == null) {
            countNamespace(canary.getMetadata().getNamespace());
        }
        metrics.observeReconcile("ok", took);
        CanaryPhase phase = after.phase();
        if (phase == null) {
            return;
        }
        metrics.setStatus(canary, phase);
        int w = after.canaryWeight == null ? 0 : after.canaryWeight;
        metrics.setWeight(canary, 100 - w, w);
        CanaryPhase was = before == null ? null : before.phase();
        if (phase != was && phase == CanaryPhase.Succeeded) {
            metrics.countSuccess(
                    canary,
                    AnalyzerMetrics.Strategy.of(canary),
                    CanaryDefaults.skipAnalysis(canary.getSpec())
                            ? AnalyzerMetrics.AnalysisStatus.SKIPPED
                            : AnalyzerMetrics.AnalysisStatus.COMPLETED);
        }
        if (phase != was && phase == CanaryPhase.Failed) {
            metrics.countFailure(canary, AnalyzerMetrics.Strategy.of(canary));
        }
        String runBefore = before == null || before.currentRun == null ? null : before.currentRun.startedAt;
        if (after.currentRun != null
                && !Objects.equals(runBefore, after.currentRun.startedAt)
                && after.admittedRevision != null
                && after.admittedRevision.admittedAt != null
                && Objects.equals(after.admittedRevision.revision, after.currentRun.revision)) {
            try {
                Duration latency = Duration.between(Instant.parse(after.admittedRevision.admittedAt), clock.instant());
                if (!latency.isNegative()) {
                    metrics.observeDetectionLatency(after.admittedRevision.source, latency);
                }
            } catch (DateTimeParseException e) {
                // An unreadable admission time only costs one sample.
            }
        }
    }

    @Override
    public void failed(String key, Throwable error, Duration took) {
        String result = error instanceof Reconciler.Undecodable
                ? "undecodable"
                : io.sluice.analyzer.kube.Kube.isConflict(error) ? "conflict" : "error";
        metrics.observeReconcile(result, took);
    }

    @Override
    public void analysed(Canary canary, Duration took) {
        metrics.observeAnalysis(canary, took);
    }

    @Override
    public void tickStarted(String key, Duration lateness) {
        metrics.observeTickLateness(lateness);
    }

    @Override
    public void tickDeferred(String key, Duration by) {
        metrics.countTickDeferred();
    }

    @Override
    public void forgotten(String key) {
        Canary c = known.remove(key);
        if (c != null) {
            metrics.forget(c);
            countNamespace(c.getMetadata().getNamespace());
        }
    }

    private void countNamespace(String ns) {
        metrics.setCanaryTotal(ns, (int)
                known.keySet().stream().filter(k -> k.startsWith(ns + "/")).count());
    }
}
