package io.sluice.analyzer.decision;

/**
 * Whether a canary's metric providers answer, and the Event that says so (spec §6.6). Shared by the gate that asks
 * and the decision that reports it, so it imports nothing but the JDK.
 *
 * @param available every provider answered
 * @param message   the Event text; null when the canary has no metrics and there is nothing to report
 */
public record ProviderAvailability(boolean available, String message) {
    /** A canary without metrics: no provider to ask, no Event. */
    public static final ProviderAvailability NOTHING_TO_REPORT = new ProviderAvailability(true, null);
}
