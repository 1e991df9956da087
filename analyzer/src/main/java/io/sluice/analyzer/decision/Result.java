package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryStatus;
import java.time.Duration;
import java.util.List;

/** What one call of the decision returns: either the tick's decision, or the checks it needs first. */
public sealed interface Result {

    /**
     * Run {@code checks} in order and decide again with their outcomes. Stop at the first check that fails, or,
     * with {@code stopOnPass}, at the first that passes (rollback hooks signal by passing).
     */
    record RunChecks(List<Check> checks, boolean stopOnPass) implements Result {}

    /**
     * The end of a tick.
     *
     * @param status       the new status (the shell writes it once, and not at all when it equals the old one)
     * @param actions      what to do after the status is written, in order
     * @param requeue      when to look again if nothing else happens first
     * @param consumedTick true when this decision used the analysis tick it was given (the next one is due one
     *                     interval later); false when the tick is still owed, e.g. while Gloo has not accepted a
     *                     weight yet
     * @param analysed     the tick reached the analysis (a running Canary's checks and step, past its readiness, its
     *                     rollback hooks and its failed-checks threshold): what Flagger times into
     *                     {@code flagger_canary_duration_seconds}
     */
    record Decision(CanaryStatus status, List<Action> actions, Duration requeue, boolean consumedTick, boolean analysed)
            implements Result {
        public Decision(CanaryStatus status, List<Action> actions, Duration requeue, boolean consumedTick) {
            this(status, actions, requeue, consumedTick, false);
        }
    }
}
