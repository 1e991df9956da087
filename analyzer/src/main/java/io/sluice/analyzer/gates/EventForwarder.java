package io.sluice.analyzer.gates;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends every Event to the canary's {@code event} webhooks, or to the global event webhook when it has none. */
final class EventForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(EventForwarder.class);

    private final HttpWebhookGate hooks;
    private final GatesConfig config;
    private final AnalyzerMetrics metrics;

    EventForwarder(HttpWebhookGate hooks, GatesConfig config, AnalyzerMetrics metrics) {
        this.hooks = hooks;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Forwards an Event to the canary's {@code event} webhooks, or to the global event webhook when it has none. The
     * future completes (always successfully) once every hook answered or failed.
     */
    Future<Void> forward(Canary canary, String eventType, String message, CanaryPhase phase) {
        CanaryAnalysis analysis =
                canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis();
        List<CanaryAnalysis.Webhook> eventHooks = analysis == null || analysis.webhooks == null
                ? List.of()
                : analysis.webhooks.stream()
                        .filter(h -> "event".equals(CanaryDefaults.webhookType(h)))
                        .toList();
        List<Future<Void>> posts = new ArrayList<>();
        Instant now = config.clock().instant();
        if (eventHooks.isEmpty()) {
            if (!config.eventWebhook().isEmpty()) {
                posts.add(forwardTo(
                        canary,
                        new HttpWebhookGate.Target(
                                "event-webhook",
                                "event",
                                config.eventWebhook(),
                                config.eventWebhookTimeout(),
                                0,
                                false),
                        WebhookPayloads.event(canary, phase, Map.of(), eventType, message, now)));
            }
        } else {
            for (CanaryAnalysis.Webhook hook : eventHooks) {
                posts.add(forwardTo(
                        canary,
                        new HttpWebhookGate.Target(
                                hook.name,
                                "event",
                                hook.url,
                                CanaryDefaults.webhookTimeout(hook),
                                CanaryDefaults.webhookRetries(hook),
                                Boolean.TRUE.equals(hook.disableTLS)),
                        WebhookPayloads.event(canary, phase, hook.metadata, eventType, message, now)));
            }
        }
        return Future.join(posts).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> forwardTo(Canary canary, HttpWebhookGate.Target target, JsonObject payload) {
        return hooks.post(target, payload).map(outcome -> {
            metrics.countEventForward(outcome.passed() ? "sent" : "failed");
            if (!outcome.passed()) {
                LOG.warn("canary={} event not forwarded to {}: {}", canary.key(), target.name(), outcome.error());
            }
            return null;
        });
    }
}
