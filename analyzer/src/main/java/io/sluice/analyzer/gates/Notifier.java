package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.Severity;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryPhase;

/** Tells the outside world: alerts to chat providers, and every Event to event webhooks. */
public interface Notifier {

    /**
     * Sends {@code message} to the canary's alert providers whose severity admits it (or to the global Slack or
     * MS Teams settings when the canary lists none). Fire and forget: failures are logged and counted.
     *
     * @param withMetadata include the canary's fields (target, failed checks, progress deadline, …)
     */
    void alert(Canary canary, String message, Severity severity, boolean withMetadata);

    /** Forwards an emitted Event ({@code Normal} or {@code Warning}) to the canary's event webhooks or the global one. */
    void event(Canary canary, String eventType, String message);

    /**
     * Like {@link #event(Canary, String, String)}, with the payload's phase given explicitly: some Events name the phase
     * the canary is entering rather than the one in its status (e.g. {@code New revision detected!} shows
     * Progressing, {@code Canary failed!} shows Failed).
     */
    default void event(Canary canary, String eventType, String message, CanaryPhase phase) {
        event(canary, eventType, message);
    }
}
