package io.sluice.model.control;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.flagger.QueuedCondition;
import java.util.EnumSet;
import java.util.Set;

/**
 * The rules both services apply to a runtime request: which action fits which phase (a promote or abort also needs a
 * run that has started, not one waiting for a slot of the concurrency budget), which revision a request applies to,
 * and whether a run is paused. The admission service denies what does not fit; the analyzer checks
 * again when it acts, because the run may have moved on in between.
 */
public final class RuntimeRequests {
    private RuntimeRequests() {}

    /** Phases in which a run can be steered: before the template is copied to the primary. */
    private static final Set<CanaryPhase> STEERABLE =
            EnumSet.of(CanaryPhase.Waiting, CanaryPhase.Progressing, CanaryPhase.WaitingPromotion);

    /** The reason a promote or abort of a run still waiting in the concurrency budget's queue is denied. */
    public static final String QUEUED = "waiting for a slot of the concurrency budget: ";

    /** What a request resolves to: the revision it applies to, or why it cannot be honoured. */
    public sealed interface Verdict {
        /** The request fits: it applies to {@code revision}. */
        record Accepted(String revision) implements Verdict {}

        /** The request does not fit; {@code reason} completes "cannot &lt;action&gt; canary x: ". */
        record Denied(String reason) implements Verdict {}
    }

    /** Judges {@code request} against the Canary's status as it is now. */
    public static Verdict judge(RuntimeRequest request, CanaryStatus status) {
        CanaryPhase phase = status == null ? null : status.phase();
        String phaseName = phase == null ? "not initialized yet" : "in phase " + phase;
        RuntimeAction action = request.action();
        String target;
        switch (action) {
            case RETRY -> {
                if (phase != CanaryPhase.Failed) {
                    return new Verdict.Denied("retry needs a failed run, and the canary is " + phaseName);
                }
                target = status.lastAppliedSpec;
            }
            case RESUME -> {
                if (!pausedOrPausing(status)) {
                    return new Verdict.Denied("the run is not paused");
                }
                target = runRevision(status);
            }
            case PAUSE -> {
                if (phase == null || !STEERABLE.contains(phase)) {
                    return new Verdict.Denied("pause needs a run in progress before promotion (Waiting,"
                            + " Progressing or WaitingPromotion), and the canary is " + phaseName);
                }
                if (pausedOrPausing(status)) {
                    return new Verdict.Denied("the run is already paused");
                }
                target = runRevision(status);
            }
            default -> {
                if (phase == null || !STEERABLE.contains(phase)) {
                    return new Verdict.Denied(action.wireName() + " needs a run in progress before promotion"
                            + " (Waiting, Progressing or WaitingPromotion), and the canary is " + phaseName);
                }
                CanaryCondition queued = QueuedCondition.find(status);
                if (queued != null) {
                    // The run has not started: nothing was analysed to promote, nothing routed to abort.
                    return new Verdict.Denied(QUEUED + queued.message);
                }
                target = runRevision(status);
            }
        }
        if (target == null) {
            return new Verdict.Denied("the status names no revision for the run");
        }
        if (request.revision() != null && !request.revision().equals(target)) {
            return new Verdict.Denied("the request names revision " + request.revision() + ", but the "
                    + (action == RuntimeAction.RETRY ? "failed" : "current") + " run is revision " + target);
        }
        return new Verdict.Accepted(target);
    }

    /** The revision of the run in progress: {@code currentRun.revision}, else {@code lastAppliedSpec}. */
    public static String runRevision(CanaryStatus status) {
        if (status == null) {
            return null;
        }
        if (status.currentRun != null && status.currentRun.revision != null) {
            return status.currentRun.revision;
        }
        return status.lastAppliedSpec;
    }

    /** {@code requestHandled.outcome} of a request the analyzer carried out. */
    public static final String DONE = "done";

    /** {@code requestHandled.outcome} of a request that no longer fitted when the analyzer came to it. */
    public static final String REJECTED = "rejected";

    /** True when the last admitted request has not been answered by the analyzer yet. */
    public static boolean pending(CanaryStatus status) {
        return status != null
                && status.request != null
                && status.request.uid != null
                && (status.requestHandled == null || !status.request.uid.equals(status.requestHandled.uid));
    }

    /**
     * True when the run is held by a pause: the last request is a pause the analyzer carried out for the run in
     * progress.
     */
    public static boolean paused(CanaryStatus status) {
        return isPause(status)
                && !pending(status)
                && status.requestHandled != null
                && DONE.equals(status.requestHandled.outcome)
                && status.request.revision != null
                && status.request.revision.equals(runRevision(status));
    }

    /** True when the run is paused, or a pause for it is admitted and about to be carried out. */
    private static boolean pausedOrPausing(CanaryStatus status) {
        return paused(status)
                || (isPause(status)
                        && pending(status)
                        && status.request.revision != null
                        && status.request.revision.equals(runRevision(status)));
    }

    private static boolean isPause(CanaryStatus status) {
        return status != null
                && status.request != null
                && RuntimeAction.PAUSE.wireName().equals(status.request.action);
    }
}
