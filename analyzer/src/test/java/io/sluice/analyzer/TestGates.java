package io.sluice.analyzer;

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
import java.util.function.Function;

/** Hand-written doubles of the gates: answers set by the test, and a record of every Event in emit order. */
class TestGates implements MetricGate, WebhookGate, Notifier {
    volatile Function<CanaryAnalysis.Metric, MetricOutcome> metrics =
            m -> new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
    volatile Function<CanaryAnalysis.Webhook, HookOutcome> hooks = h -> new HookOutcome(h.name, true, 200, null);
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> alerts = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric, MetricPart part) {
        calls.add("metric/" + metric.name + (part == MetricPart.TEMPLATE ? "/template" : ""));
        return Future.succeededFuture(metrics.apply(metric));
    }

    @Override
    public Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase) {
        calls.add("hook/" + hook.name + "@" + phase);
        return Future.succeededFuture(hooks.apply(hook));
    }

    @Override
    public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
        alerts.add(severity + " " + message);
    }

    @Override
    public void event(Canary canary, String eventType, String message) {
        events.add(eventType + " " + message);
    }
}
