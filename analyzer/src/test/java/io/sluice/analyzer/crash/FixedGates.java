package io.sluice.analyzer.crash;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricPart;
import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Gates whose answers the scenario fixes: every hook passes, every metric passes until {@link #failing} names one,
 * which then fails each check. Emitted Events are kept, in order, for the failure messages.
 */
final class FixedGates implements MetricGate, WebhookGate, Notifier {
    /** The metric that fails from now on, or null. */
    volatile String failing;

    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric, MetricPart part) {
        return Future.succeededFuture(
                metric.name.equals(failing)
                        ? new MetricOutcome(
                                metric.name,
                                MetricOutcome.Verdict.FAIL,
                                89.02,
                                "Halt podinfo.test advancement success rate 89.02% < 99%")
                        : new MetricOutcome(metric.name, MetricOutcome.Verdict.PASS, 100.0, null));
    }

    @Override
    public Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase) {
        return Future.succeededFuture(new HookOutcome(hook.name, true, 200, null));
    }

    @Override
    public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {}

    @Override
    public void event(Canary canary, String eventType, String message) {
        events.add(eventType + " " + message);
    }
}
