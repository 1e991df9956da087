package io.sluice.certs;

import java.util.Objects;

/** A decision and the human reason for it, for the log line and the Event that report it. */
public record RenewalVerdict(RenewalDecision decision, String reason) {
    public RenewalVerdict {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(reason, "reason");
    }
}
