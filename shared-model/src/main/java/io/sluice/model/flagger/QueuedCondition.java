package io.sluice.model.flagger;

/**
 * Sluice's {@code Queued} condition: the Canary waits in phase Waiting for a slot of the concurrency budget; its
 * transition time is when it joined the queue, its message which budget it waits for and its place. Written by the
 * analyzer; read by the admission service, which refuses to promote or abort a run that has not started.
 */
public final class QueuedCondition {
    public static final String TYPE = "Queued";

    private QueuedCondition() {}

    /** The condition while the Canary waits in the queue; null when it does not. */
    public static CanaryCondition find(CanaryStatus status) {
        if (status == null || status.phase() != CanaryPhase.Waiting || status.conditions == null) {
            return null;
        }
        return status.conditions.stream()
                .filter(c -> TYPE.equals(c.type) && "True".equals(c.status))
                .findFirst()
                .orElse(null);
    }
}
