package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;

/** A check the decision needs the outcome of before it can finish a tick: a webhook call or a metric query. */
public sealed interface Check {

    /** Identifies the check within one tick. */
    String key();

    /** Call {@code hook} with {@code phase} as the payload's phase. */
    record Hook(CanaryAnalysis.Webhook hook, CanaryPhase phase) implements Check {
        @Override
        public String key() {
            return "hook/" + CanaryDefaults.webhookType(hook) + "/" + hook.name;
        }
    }

    /** Ask every metric provider the Canary uses whether it answers (reported while initializing, never blocking). */
    record Providers() implements Check {
        @Override
        public String key() {
            return "providers";
        }
    }

    /**
     * What {@link Providers} found: the Event text and whether everything answered; {@code message} is null when
     * the Canary has no metrics (nothing to report).
     */
    record ProvidersOutcome(boolean available, String message) {
    }

    /** Query {@code metric} and judge it. */
    record Metric(CanaryAnalysis.Metric metric) implements Check {
        @Override
        public String key() {
            return "metric/" + metric.name;
        }
    }
}
