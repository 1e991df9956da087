package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;

/** A check the decision needs the outcome of before it can finish a tick: a webhook call or a metric query. */
public sealed interface Check {

    /** Identifies the check within one tick. */
    String key();

    /** Hands this check to the visitor's method for its kind: the compiler checks that every kind has one. */
    <R> R accept(Visitor<R> visitor);

    /** One method per kind of check. */
    interface Visitor<R> {
        R hook(Hook check);

        R providers(Providers check);

        R metric(Metric check);
    }

    /**
     * Call {@code hook} with {@code phase} as the payload's phase. {@code position} is the hook's index in the spec's
     * webhooks: names may repeat (Flagger runs both), so the name alone does not identify a check.
     */
    record Hook(CanaryAnalysis.Webhook hook, CanaryPhase phase, int position) implements Check {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.hook(this);
        }

        @Override
        public String key() {
            return "hook/" + CanaryDefaults.webhookType(hook) + "/" + position + "/" + hook.name;
        }
    }

    /**
     * Ask every metric provider the Canary uses whether it answers (reported while initializing, never blocking); the
     * outcome is a {@link ProviderAvailability}.
     */
    record Providers() implements Check {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.providers(this);
        }

        @Override
        public String key() {
            return "providers";
        }
    }

    /**
     * Query one part of {@code metric} and judge it. {@code position} is the metric's index in the spec's metrics:
     * names may repeat (Flagger queries both), so the name alone does not identify a check.
     */
    record Metric(CanaryAnalysis.Metric metric, MetricPart part, int position) implements Check {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.metric(this);
        }

        @Override
        public String key() {
            return "metric/" + position + "/" + metric.name + (part == MetricPart.TEMPLATE ? "/template" : "");
        }
    }
}
