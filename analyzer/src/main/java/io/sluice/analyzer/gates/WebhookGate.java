package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;

/** Calls a canary's webhooks. */
public interface WebhookGate {

    /**
     * POSTs the hook's payload with {@code phase} as the payload phase, retrying as configured. The future
     * always succeeds; a refusal, timeout or error is an outcome with {@code passed == false}.
     */
    Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase);
}
