package io.sluice.analyzer;

import io.sluice.analyzer.gates.HookOutcome;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.MetricOutcome;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stand-ins used until the real metric, webhook and alert gates are wired in: every metric check and every webhook
 * FAILS with a message that says so, so a run can never be promoted on checks that did not happen. Alerts and
 * event forwarding are only logged. Canaries with {@code skipAnalysis} are unaffected.
 */
final class UnconfiguredGates implements MetricGate, WebhookGate, Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(UnconfiguredGates.class);

    @Override
    public Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric) {
        return Future.succeededFuture(new MetricOutcome(metric.name, MetricOutcome.Verdict.ERROR, null,
                "Metric query failed for " + metric.name + ": no metric gate is configured in this analyzer"));
    }

    @Override
    public Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase) {
        return Future.succeededFuture(new HookOutcome(hook.name, false, 0,
                "no webhook gate is configured in this analyzer"));
    }

    @Override
    public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
        LOG.info("alert not sent (no notifier configured) for {}: [{}] {}", canary.key(), severity, message);
    }

    @Override
    public void event(Canary canary, String eventType, String message) {
        // Events are recorded in Kubernetes already; forwarding to event webhooks needs the real notifier.
    }
}
