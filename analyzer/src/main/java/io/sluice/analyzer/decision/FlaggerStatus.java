package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import java.util.regex.Pattern;

/**
 * Recognises a Canary status that Flagger wrote, so that Sluice takes such a Canary over without running it again.
 *
 * <p>The rule: the status has a phase past {@code Initializing}, a non-empty {@code lastAppliedSpec} that is not a
 * Sluice revision, and no {@code currentRun}. A Sluice revision ({@code io.sluice.model.Revisions}) is exactly 16
 * lower-case hex digits; Flagger's hash is its FNV-1a number mapped through Kubernetes' safe encoding, at most 10
 * characters, so the two never look alike. {@code currentRun} is written by Sluice at the start of every run and never by
 * Flagger. Once Sluice recorded its own revision the rule no longer holds, so a Canary is taken over once. The shell
 * applies the rule to the status it read ({@code Observations.flaggerStatus}); the decision acts on the answer.
 */
public final class FlaggerStatus {
    /** The form of {@code Revisions.ofTemplate}'s result; a test keeps the two in step. */
    static final Pattern SLUICE_REVISION = Pattern.compile("[0-9a-f]{16}");

    private FlaggerStatus() {}

    /** Whether Flagger, not Sluice, wrote this status. */
    public static boolean written(CanaryStatus status) {
        if (status == null || status.phase() == null || status.phase() == CanaryPhase.Initializing) {
            return false;
        }
        String applied = status.lastAppliedSpec;
        return applied != null
                && !applied.isEmpty()
                && !SLUICE_REVISION.matcher(applied).matches()
                && status.currentRun == null;
    }
}
