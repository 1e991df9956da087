package io.sluice.analyzer.decision;

import io.sluice.analyzer.decision.Action.EmitEvent;
import io.sluice.analyzer.decision.Action.EmitEvent.Type;
import io.sluice.model.WellKnown;
import io.sluice.model.control.RuntimeAction;
import io.sluice.model.control.RuntimeRequest;
import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.flagger.PromotedCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The canary state machine: from what was read, the new status and what to do. Pure: no I/O, no clock, no
 * client; the same inputs always give the same result, so the shell may call it again after a write conflict.
 *
 * <p>A tick may need webhook or metric outcomes before it can end. Then {@link #decide} returns
 * {@link Result.RunChecks}; the shell runs them and calls again with the outcomes in the observations, until a
 * {@link Result.Decision} comes back. The status is written once, at the end.
 *
 * <p>Transitions (Deployment target; Flagger's table, spec §2.1, with Sluice's changes marked *):
 * <pre>
 * from                        | event                                                   | to
 * ----------------------------+---------------------------------------------------------+------------------
 * (none) / Initializing       | primary ready (not waited for with skipAnalysis),       | Initialized
 *                             | apex Service, target at 0, delegate RouteTable written  |
 * (none) / Initializing       | primary stuck, or no progress for the deadline *        | Failed
 * Initialized/Succeeded/Failed| new revision or config; a confirm-rollout hook says no  | Waiting
 * Initialized/Succeeded/Failed| new revision or config; confirm-rollout hooks pass      | Progressing (target scaled up)
 *   / Waiting                 |                                                         |
 * Progressing/WaitingPromotion| new revision again                                      | Progressing (restart)
 * Progressing/WaitingPromotion| failed checks reach the threshold at the start of a tick| Failed
 *                             | a rollback hook passes; canary stuck; no progress for   |
 *                             | the deadline while not ready *                          |
 * Progressing                 | promotion point; a confirm-promotion hook says no       | WaitingPromotion
 * Progressing/WaitingPromotion| promotion point; confirm-promotion hooks pass           | Promoting (template copied)
 * Progressing (skipAnalysis)  | canary ready                                            | Succeeded
 * Promoting                   | all traffic back on the primary                         | Finalising
 * Finalising                  | 100/0 accepted by Gloo Mesh *; target scaled to 0       | Succeeded
 * Promoting / Finalising      | primary stuck or no progress for the deadline           | Failed, all traffic on canary
 * any, being deleted          | revertOnDeletion and the finalizer present              | Terminating
 * any                         | invalid spec, or an older Canary on the same target *   | unchanged, condition
 *                             |                                                         | InvalidSpec/TargetConflict
 * any, not being deleted      | spec.suspend *                                          | unchanged, nothing written
 * a status Flagger wrote *    | first reconcile by Sluice (see takeOver)                | unchanged, Sluice's revision
 * </pre>
 *
 * <p>The target is scaled to 0 only by a decision that read the delegate at 100/0, accepted ({@code
 * scaleDownOnceRouted}); after a rollback that is usually a later reconcile in Failed. *
 *
 * <p>Every phase change above is a call of {@code enter(phase)}; how a tick ends (used, idle, held for Gloo Mesh, waiting for a
 * workload, released, terminated, blocked) is one named method each.
 *
 * <p>Where Sluice differs from Flagger on purpose: {@code failedChecks} keeps its count after a rollback;
 * {@code canaryWeight} shows the weight routed (also in WaitingPromotion and Blue/Green's all-to-canary step);
 * {@code lastTransitionTime} moves only when the status changes; the progress deadline holds in every phase that
 * waits for a workload, counted from when the workload became not ready (and, for routes Gloo Mesh has not accepted,
 * from the last progress of the run); a weight step
 * counts only once Gloo Mesh accepted it; a Promoting run with nothing left to shift finalises instead of
 * stalling.
 *
 * <p>Weights: as Flagger's router, the delegate's weights read this tick are what a run goes on from (see
 * {@link #awaitRoutes}); the status records the weight last written and is the intent only where the routes cannot
 * be, see {@link #repairWeight}.
 */
public final class CanaryDecider {
    /** How soon to look again while waiting on something a watch will also report. */
    static final Duration SHORT = Duration.ofSeconds(5);

    static final String ANNOTATION_REVISION = WellKnown.EVENT_REVISION_ANNOTATION;
    static final String ANNOTATION_USER = WellKnown.EVENT_USER_ANNOTATION;
    static final String ANNOTATION_SOURCE = WellKnown.EVENT_SOURCE_ANNOTATION;
    /** The condition of a Canary that reached the cluster invalid (the webhook was bypassed). */
    public static final String INVALID_SPEC_CONDITION = "InvalidSpec";
    /** Sluice: the condition of a Canary whose target an older Canary already manages. */
    public static final String TARGET_CONFLICT_CONDITION = "TargetConflict";
    /**
     * Sluice: the condition a run carries while the no-data policy {@code hold} keeps its weight. It marks the hold
     * in the status so that the hold's alert goes out once, when the hold begins, not on every tick.
     */
    public static final String HOLDING_CONDITION = "Holding";
    /**
     * Sluice: the condition a run carries while it waits for a workload (the primary or the canary) that is not ready;
     * its transition time is when the wait began, from which the progress deadline is counted.
     */
    public static final String NOT_READY_CONDITION = "WorkloadNotReady";
    /** Sluice: the condition a run carries while a runtime request holds it ({@code pause}). */
    public static final String PAUSED_CONDITION = "Paused";

    private final CanarySpec spec;
    private final CanaryStatus old;
    private final CanaryStatus next;
    private final Observations obs;
    private final Instant now;
    private final CanaryAnalysis analysis;
    private final List<Action> actions = new ArrayList<>();
    private final String tgt;
    private final String ns;
    private final String key;
    /** The reason this tick held for missing metric data; null when it did not hold. */
    private String holding;
    /** What this tick found not ready; null when it waited for no workload. */
    private String notReady;
    /**
     * The run is held by a pause: the last request the analyzer handled was a pause it carried out for this run, or
     * this tick carries one out. A pending request the annotation does not back changes nothing.
     */
    private boolean paused;
    /** The request this tick carried out or rejected: the status's transition time moves with it. */
    private boolean requestHandled;
    /** Why this tick could not act on the Canary (its target is missing or unusable); null when it could. */
    private KstatusConditions.Halt halt;
    /** Why this tick left the Canary waiting for a slot of the concurrency budget; null when it did not. */
    private String queued;
    /** This tick found a slot for the run it starts: the Canary leaves the queue. */
    private boolean dequeued;
    /** This tick reached the analysis of a running Canary ({@link Result.Decision#analysed()}). */
    private boolean analysed;
    /** A retry being carried out: the run it starts is the requester's. */
    private CanaryStatus.RecordedRequest retrying;

    private CanaryDecider(CanarySpec spec, CanaryStatus status, Observations obs, Instant now) {
        this.spec = spec;
        this.old = status == null ? new CanaryStatus() : status;
        this.next = Statuses.copy(status);
        this.obs = obs;
        this.now = now;
        this.analysis = spec.effectiveAnalysis();
        this.tgt = spec.targetRef == null ? null : spec.targetRef.name;
        this.ns = obs.namespace();
        this.key = obs.key();
    }

    /** Decides one tick of a Canary. */
    public static Result decide(CanarySpec spec, CanaryStatus status, Observations observations, Instant now) {
        return new CanaryDecider(spec, status, observations, now).run();
    }

    private Result run() {
        if (Boolean.TRUE.equals(spec.suspend) && !obs.deleting()) {
            return suspended();
        }
        if (obs.olderOnTarget() != null) {
            return blocked(
                    TARGET_CONFLICT_CONDITION,
                    "TargetConflict",
                    Texts.targetConflict(key, spec.targetRef.kind, tgt, ns, obs.olderOnTarget()));
        }
        if (!obs.specViolations().isEmpty()) {
            return blocked(INVALID_SPEC_CONDITION, "ValidationFailed", Texts.invalidSpec(key, obs.specViolations()));
        }
        if (obs.deleting()) {
            return onDeleting();
        }
        if (obs.flaggerStatus() && obs.target() != null && obs.targetProblem() == null) {
            Result taken = takeOver(old.phase());
            if (taken != null) {
                return taken;
            }
        }
        boolean revert = Boolean.TRUE.equals(spec.revertOnDeletion);
        if (revert && !obs.hasFinalizer()) {
            actions.add(new Action.AddFinalizer());
        } else if (!revert && obs.hasFinalizer()) {
            actions.add(new Action.RemoveFinalizer());
        }
        if (obs.target() == null || obs.targetProblem() != null) {
            String text = obs.targetProblem() != null ? obs.targetProblem() : Texts.targetMissing(tgt, ns);
            if (obs.analysisDue()) {
                event(Type.Warning, text);
            }
            halt = new KstatusConditions.Halt(obs.target() == null ? "TargetNotFound" : "TargetNotUsable", text);
            return tickUsed();
        }
        CanaryPhase phase = old.phase();
        paused = pausedBefore(phase);
        if (RuntimeRequests.pending(old)) {
            Result acted = onRequest(phase);
            if (acted != null) {
                return acted;
            }
        }
        if (phase == null) {
            return onInitializing();
        }
        return switch (phase) {
            case Initializing -> onInitializing();
            case Initialized, Succeeded, Failed, Terminating, Terminated -> onIdle(phase);
            case Waiting -> onWaiting();
            case Progressing, WaitingPromotion -> onProgressing(phase);
            case Promoting -> onPromoting();
            case Finalising -> onFinalising();
        };
    }

    // ---------------------------------------------------------------- runtime requests

    /**
     * A runtime request the admission service recorded ({@code status.request}) and the analyzer has not answered yet.
     * The record is a hint: the request is carried out only while the Canary's {@code sluice.io/request} annotation
     * still asks for it (the admitted update may have failed after the record was written), and only when it still
     * fits the run as it is now ({@link RuntimeRequests#judge}). A request that no longer fits is answered
     * {@code rejected} with the reason and a Warning Event, and the tick goes on as if it had not been made. Every
     * answer goes into {@code status.requestHandled} in the same status write as what it caused, so a request is
     * carried out once, whatever restarts in between.
     *
     * @return the decision the request caused, or {@code null} when the ordinary tick follows
     */
    private Result onRequest(CanaryPhase phase) {
        CanaryStatus.RecordedRequest request = old.request;
        if (!annotationAsksFor(request)) {
            return null;
        }
        RuntimeAction action = RuntimeAction.parse(request.action);
        if (action == null) {
            return rejectRequest(request, "names no known action \"" + request.action + "\"");
        }
        RuntimeRequests.Verdict verdict =
                RuntimeRequests.judge(new RuntimeRequest(action, request.revision), statusAsAnswered());
        if (verdict instanceof RuntimeRequests.Verdict.Denied denied) {
            return rejectRequest(request, denied.reason());
        }
        String moved = movedOn(phase, action);
        if (moved != null) {
            return rejectRequest(request, moved);
        }
        String who = Texts.requester(request.user, request.source);
        switch (action) {
            case PROMOTE -> {
                answer(request, RuntimeRequests.DONE, Texts.promotionRequested(who));
                event(Type.Normal, Texts.promotionRequested(who));
                return promoteNow(phase);
            }
            case ABORT -> {
                answer(request, RuntimeRequests.DONE, Texts.abortRequested(who));
                event(Type.Warning, Texts.abortRequested(who));
                alert(Alerts.abortRequested(who));
                converge(true, false);
                return rollback(Rollback.ABORT, "");
            }
            case RETRY -> {
                answer(request, RuntimeRequests.DONE, Texts.retryRequested(who));
                event(Type.Normal, Texts.retryRequested(who));
                retrying = request;
                converge(true, false);
                return startRun(phase);
            }
            case PAUSE -> {
                answer(request, RuntimeRequests.DONE, Texts.pauseRequested(who));
                event(Type.Normal, Texts.pauseRequested(who));
                paused = true;
                converge(true, false);
                return idle();
            }
            case RESUME -> {
                answer(request, RuntimeRequests.DONE, Texts.resumeRequested(who));
                event(Type.Normal, Texts.resumeRequested(who));
                paused = false;
                return null;
            }
        }
        return null;
    }

    /** True when the {@code sluice.io/request} annotation asks for {@code request}: same action, same revision if any. */
    private boolean annotationAsksFor(CanaryStatus.RecordedRequest request) {
        if (obs.requestAnnotation() == null) {
            return false;
        }
        RuntimeRequest asked;
        try {
            asked = RuntimeRequest.parse(obs.requestAnnotation());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return asked.action().wireName().equals(request.action)
                && (asked.revision() == null || asked.revision().equals(request.revision));
    }

    /**
     * The status as the analyzer last answered it: the pending request replaced by the one handled before it, so that
     * whether the run is paused is judged by what was carried out, not by what is only asked.
     */
    private CanaryStatus statusAsAnswered() {
        CanaryStatus answered = Statuses.copy(old);
        CanaryStatus.HandledRequest last = old.requestHandled;
        if (last == null) {
            answered.request = null;
        } else {
            CanaryStatus.RecordedRequest r = new CanaryStatus.RecordedRequest();
            r.uid = last.uid;
            r.action = last.action;
            r.revision = last.revision;
            answered.request = r;
        }
        return answered;
    }

    /** Whether a pause the analyzer carried out holds the run in progress. */
    private boolean pausedBefore(CanaryPhase phase) {
        return phase != null && RuntimeRequests.paused(statusAsAnswered()) && steerable(phase);
    }

    private static boolean steerable(CanaryPhase phase) {
        return phase == CanaryPhase.Waiting
                || phase == CanaryPhase.Progressing
                || phase == CanaryPhase.WaitingPromotion;
    }

    /**
     * Why the request, though it fits the status, would act on the wrong template: the target changed since the run
     * (or the failed run) it names; that change gets a run of its own. {@code null} when it did not.
     */
    private String movedOn(CanaryPhase phase, RuntimeAction action) {
        String revision = obs.target().revision();
        boolean moved = switch (phase) {
            case Progressing, WaitingPromotion -> changed();
            case Failed -> action == RuntimeAction.RETRY && !revision.equals(old.lastAppliedSpec);
            default -> false;
        };
        return moved ? Texts.targetMovedOn(revision) : null;
    }

    private Result rejectRequest(CanaryStatus.RecordedRequest request, String reason) {
        answer(request, RuntimeRequests.REJECTED, reason);
        event(
                Type.Warning,
                Texts.requestRejected(request.action, Texts.requester(request.user, request.source), reason));
        return null;
    }

    /** Answers {@code request} in this tick's status. */
    private void answer(CanaryStatus.RecordedRequest request, String outcome, String message) {
        CanaryStatus.HandledRequest handled = new CanaryStatus.HandledRequest();
        handled.uid = request.uid;
        handled.action = request.action;
        handled.revision = request.revision;
        handled.handledAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
        handled.outcome = outcome;
        handled.message = message;
        next.requestHandled = handled;
        requestHandled = true;
    }

    /**
     * {@code promote}: the remaining steps and checks are skipped, confirm-promotion hooks included (a person decided),
     * and the run goes through Promoting and Finalising as every promotion does. A run still waiting for its start
     * (Waiting, held by a confirm-rollout hook) promotes the target's template as it is; one waiting for a slot of the
     * concurrency budget is not promoted ({@link RuntimeRequests#judge} rejects it).
     */
    private Result promoteNow(CanaryPhase phase) {
        converge(true, false);
        if (phase == CanaryPhase.Waiting) {
            sync(0, 0, 0);
        }
        return promote();
    }

    /** A run held by a pause: the weight stays, nothing is judged, stepped or timed out; routes and scale are kept. */
    private Result heldByPause() {
        if (obs.target().specReplicas() == 0) {
            actions.add(new Action.ScaleTarget(scaleUpReplicas()));
        }
        return idle();
    }

    // ---------------------------------------------------------------- takeover

    /**
     * Sluice's first reconcile of a Canary whose status Flagger wrote ({@link Observations#flaggerStatus}, by the rule of {@link FlaggerStatus}): the status gets Sluice's
     * revision of the target (and the config checksums as Sluice computes them) in place of Flagger's hashes, which
     * Sluice cannot compute, and keeps its phase; one Normal Event says so, and nothing else happens in this tick. The
     * next reconcile goes on from that status as after any restart of the analyzer, so no run starts again:
     * <ul>
     *   <li>Initialized or Succeeded, with the primary running what the target describes: both revisions are the
     *       target's. If the primary runs something else the target changed since Flagger's last promotion; that is
     *       a new revision and is not taken over (null: the ordinary tick starts a run).
     *   <li>Failed: the failed revision stays on the target and is recorded as applied, so only a later change of
     *       the target starts a run, as under Flagger; it is recorded as promoted only when the primary runs it.
     *   <li>Waiting, Progressing, WaitingPromotion, Promoting, Finalising: the run goes on from its weight and counters.
     * </ul>
     * Terminating and Terminated are not taken over (null).
     */
    private Result takeOver(CanaryPhase phase) {
        String revision = obs.target().revision();
        boolean primaryRunsTarget =
                obs.primary() != null && Objects.equals(obs.primary().revision(), revision);
        switch (phase) {
            case Initialized, Succeeded -> {
                if (!primaryRunsTarget) {
                    return null;
                }
                next.lastPromotedSpec = revision;
            }
            case Failed -> {
                if (primaryRunsTarget) {
                    next.lastPromotedSpec = revision;
                }
            }
            case Waiting, Progressing, WaitingPromotion, Promoting, Finalising -> {}
            default -> {
                return null;
            }
        }
        next.lastAppliedSpec = revision;
        next.trackedConfigs = obs.trackedConfigs().isEmpty() ? null : new LinkedHashMap<>(obs.trackedConfigs());
        event(Type.Normal, Texts.takenOver(phase.name(), revision));
        next.observedGeneration = obs.generation();
        next.lastTransitionTime = now.truncatedTo(ChronoUnit.SECONDS).toString();
        next.conditions =
                KstatusConditions.apply(next.conditions, phase, spec.targetRef.kind, null, next.lastTransitionTime);
        // Not a used tick: the next reconcile, brought by the status write, continues where Flagger stopped.
        return new Result.Decision(next, List.copyOf(actions), SHORT, false);
    }

    // ---------------------------------------------------------------- phases

    private Result onInitializing() {
        if (old.phase() == null) {
            enter(CanaryPhase.Initializing);
            next.failedChecks = 0;
        }
        converge(false, false);
        boolean hasMetrics = analysis != null && analysis.metrics != null && !analysis.metrics.isEmpty();
        if (!skipAnalysis() && hasMetrics && obs.analysisDue()) {
            // Flagger reports its providers while a canary initializes; the answer never blocks the bootstrap.
            if (obs.providers() == null) {
                return new Result.RunChecks(List.of(new Check.Providers()), false);
            }
            if (obs.providers().message() != null) {
                event(
                        obs.providers().available() ? Type.Normal : Type.Warning,
                        obs.providers().message());
            }
        }
        if (obs.primary() == null) {
            // Created by EnsurePrimary right after this write; its watch event brings the next reconcile.
            return waitForWorkload();
        }
        if (!skipAnalysis()) {
            Readiness r = Readiness.of(tgt + "-primary", obs.primary(), CanaryDefaults.primaryReadyThreshold(analysis));
            if (!r.ready()) {
                if (r.state() == Readiness.State.STUCK) {
                    event(Type.Warning, Texts.primaryNotReady(tgt, ns, r.reason()));
                    return rollback(Rollback.DEADLINE, r.reason());
                }
                if (notReadyTooLong(Texts.primaryNotReady(tgt, ns, r.reason()), obs.primary())) {
                    // Flagger's readiness Warning first (spec §3.2 step 18), then Sluice's deadline Event.
                    event(Type.Warning, Texts.primaryNotReady(tgt, ns, r.reason()));
                    return rollback(Rollback.DEADLINE, noProgress(Texts.primaryNotReady(tgt, ns, r.reason())));
                }
                if (obs.analysisDue()) {
                    event(Type.Warning, Texts.primaryNotReady(tgt, ns, r.reason()));
                }
                return waitForWorkload();
            }
        }
        if (obs.routes().problem() != null) {
            if (obs.analysisDue()) {
                event(Type.Warning, obs.routes().problem());
            }
            return idle();
        }
        actions.add(new Action.ReconcileServices(true));
        actions.add(new Action.ScaleTarget(0));
        enter(CanaryPhase.Initialized);
        sync(0, 0, 0);
        next.lastPromotedSpec = next.lastAppliedSpec;
        actions.add(new Action.SetRoutes(100, 0));
        event(Type.Normal, Texts.initializationDone(key));
        alert(Alerts.initialized(spec.targetRef.kind));
        return tickUsed();
    }

    private Result onIdle(CanaryPhase phase) {
        converge(true, false);
        boolean canaryServes = phase == CanaryPhase.Failed && Statuses.n(old.canaryWeight) == 100;
        if (!changed()) {
            // Someone scaled the target back up without a new revision, or a rollback is waiting for its routes: the
            // primary serves, so the target goes to 0, but only once the delegate proves it.
            if (!canaryServes && obs.target().specReplicas() > 0 && !scaleDownOnceRouted() && obs.analysisDue()) {
                event(Type.Warning, Texts.scaleDownHeld(tgt, ns, delegateName()));
            }
            return idle();
        }
        return startRun(phase);
    }

    private Result onWaiting() {
        converge(true, false);
        // A queued Canary starts as soon as a slot frees (the controller wakes it), not at its next tick.
        boolean slotFreed = condition(old, ProgressBudget.QUEUED_CONDITION) != null
                && obs.standing().mayStart();
        if (paused || !(obs.analysisDue() || slotFreed)) {
            return idle();
        }
        if (retrying == null) {
            retrying = queuedRetry();
        }
        return startRun(CanaryPhase.Waiting);
    }

    /**
     * The retry whose run waits in the concurrency budget's queue: the last request handled is a retry carried out,
     * whose record still names the requester, and the Canary joined the queue in that same tick (a later wait is for
     * something else) with the target still at the retried revision. Its run, when it starts, is the requester's.
     * Null when the wait is not a retry's.
     */
    private CanaryStatus.RecordedRequest queuedRetry() {
        CanaryStatus.HandledRequest handled = old.requestHandled;
        CanaryStatus.RecordedRequest request = old.request;
        CanaryCondition queued = condition(old, ProgressBudget.QUEUED_CONDITION);
        boolean retried = handled != null
                && request != null
                && queued != null
                && RuntimeAction.RETRY.wireName().equals(handled.action)
                && RuntimeRequests.DONE.equals(handled.outcome)
                && Objects.equals(handled.uid, request.uid)
                && Objects.equals(queued.lastTransitionTime, handled.handledAt)
                && Objects.equals(obs.target().revision(), old.lastAppliedSpec);
        return retried ? request : null;
    }

    /** The start gate: the concurrency budget, confirm-rollout hooks, then the run begins with the canary scaled up. */
    private Result startRun(CanaryPhase phase) {
        ProgressBudget.Standing standing = obs.standing();
        if (!standing.mayStart()) {
            queued = Texts.queued(standing);
            if (phase != CanaryPhase.Waiting) {
                enter(CanaryPhase.Waiting);
                event(Type.Normal, queued);
            }
            return tickUsed();
        }
        dequeued = true;
        Gate g = gate("confirm-rollout", phase);
        if (g.pending() != null) {
            return g.pending();
        }
        g.passed().forEach(o -> event(Type.Normal, Texts.confirmRolloutPassed(o.hook())));
        if (g.failed() != null) {
            if (phase != CanaryPhase.Waiting) {
                enter(CanaryPhase.Waiting);
                event(Type.Warning, Texts.waitingForApproval(key, g.failed().hook()));
                if (!g.failedHook().muteAlert()) {
                    alert(Alerts.WAITING_FOR_APPROVAL);
                }
            }
            return tickUsed();
        }
        // The run's first Event shows the phase it starts, as Flagger's does.
        actions.add(new EmitEvent(Type.Normal, Texts.newRevision(tgt, ns), runAnnotations(), CanaryPhase.Progressing));
        alert(Alerts.NEW_REVISION);
        actions.add(new Action.ScaleTarget(scaleUpReplicas()));
        enter(CanaryPhase.Progressing);
        sync(0, 0, 0);
        next.currentRun = newRun();
        actions.add(new Action.SetRoutes(100, 0));
        return tickUsed();
    }

    private Result onProgressing(CanaryPhase phase) {
        converge(true, false);
        if (changed()) {
            return restartRun();
        }
        if (paused) {
            return heldByPause();
        }
        if (obs.target().specReplicas() == 0) {
            // The run's scale-up was lost or undone: a canary without pods is not ready, so nothing is judged or
            // stepped (nor copied) until it is repaired, on every reconcile since the write is idempotent.
            actions.add(new Action.ScaleTarget(scaleUpReplicas()));
            if (!obs.analysisDue()) {
                return idle();
            }
            String text = Texts.canaryNotReady(tgt, ns, Texts.NO_REPLICAS);
            event(Type.Warning, text);
            if (notReadyTooLong(text, obs.target())) {
                return rollback(Rollback.DEADLINE, noProgress(text));
            }
            return tickUsed();
        }
        if (!obs.analysisDue()) {
            return idle();
        }
        Result waiting = awaitPrimary(false);
        if (waiting != null) {
            return waiting;
        }
        Readiness canary = Readiness.of(tgt, obs.target(), CanaryDefaults.canaryReadyThreshold(analysis));
        if (!canary.ready()) {
            String text = Texts.canaryNotReady(tgt, ns, canary.reason());
            if (canary.state() == Readiness.State.STUCK) {
                event(Type.Warning, text);
                return rollback(Rollback.DEADLINE, canary.reason());
            }
            // Flagger's readiness Warning (spec §3.2 step 22), before Sluice's deadline Event when the run stalled.
            event(Type.Warning, text);
            if (notReadyTooLong(text, obs.target())) {
                return rollback(Rollback.DEADLINE, noProgress(text));
            }
            return tickUsed();
        }
        if (skipAnalysis()) {
            return promoteWithoutAnalysis();
        }
        Result held = awaitRoutes(false);
        if (held != null) {
            return held;
        }
        Result manual = rollbackHooks(phase);
        if (manual != null) {
            return manual;
        }
        if (Statuses.n(old.failedChecks) >= CanaryDefaults.threshold(analysis)) {
            return rollback(Rollback.THRESHOLD, "");
        }
        // Where Flagger starts timing the tick for flagger_canary_duration_seconds.
        analysed = true;
        // The router is the truth: the run goes on from the weight the delegate routes, whatever the status says.
        int weight = routedWeight();
        if (weight == 0 && Statuses.n(old.iterations) == 0) {
            event(Type.Normal, Texts.startingAnalysis(tgt, ns));
            Gate pre = gate("pre-rollout", CanaryPhase.Progressing);
            if (pre.pending() != null) {
                return pre.pending();
            }
            pre.passed().forEach(o -> event(Type.Normal, Texts.preRolloutPassed(o.hook())));
            if (pre.failed() != null) {
                event(
                        Type.Warning,
                        Texts.preRolloutFailed(
                                key, pre.failed().hook(), pre.failed().error()));
                alert(Alerts.preRolloutFailed(pre.failed().hook(), pre.failed().error()));
                next.failedChecks = Statuses.n(old.failedChecks) + 1;
                return tickUsed();
            }
        } else {
            Result analysed = analyse();
            if (analysed != null) {
                return analysed;
            }
        }
        int iterations = CanaryDefaults.iterations(analysis);
        boolean hasMatch = analysis != null && analysis.match != null && !analysis.match.isEmpty();
        if (iterations > 0 && hasMatch) {
            return abTesting(phase, iterations);
        }
        if (iterations > 0) {
            return blueGreen(phase, iterations);
        }
        return progressive(phase, weight);
    }

    /** A new revision mid-run: the analysis starts again from weight 0. */
    private Result restartRun() {
        event(Type.Normal, Texts.restarting(tgt, ns), runAnnotations());
        actions.add(new Action.SetRoutes(100, 0));
        actions.add(new Action.ScaleTarget(Math.max(1, scaleUpReplicas())));
        enter(CanaryPhase.Progressing);
        sync(0, 0, 0);
        next.currentRun = newRun();
        return tickUsed();
    }

    private Result onPromoting() {
        converge(true, true);
        boolean copied = obs.primary() == null || Objects.equals(obs.primary().revision(), old.lastAppliedSpec);
        if (!copied && !Objects.equals(obs.target().revision(), old.lastAppliedSpec)) {
            // The template changed before the analysed one was copied (the shell refuses such a copy): what the
            // target holds now was never analysed, so it is a new revision mid-run, not a promotion.
            return restartRun();
        }
        if (!obs.analysisDue()) {
            return idle();
        }
        if (!copied) {
            // The copy did not land (a crash between the status write and the update): copy again, then wait.
            actions.add(new Action.PromoteTemplate(old.lastAppliedSpec));
            return tickUsed();
        }
        Result waiting = awaitPrimary(true);
        if (waiting != null) {
            return waiting;
        }
        Result held = awaitRoutes(true);
        if (held != null) {
            return held;
        }
        int weight = routedWeight();
        int step = CanaryDefaults.stepWeightPromotion(analysis);
        if (step <= 0 || weight == 0) {
            event(Type.Normal, Texts.ROUTING_ALL_TO_PRIMARY);
            actions.add(new Action.SetRoutes(100, 0));
            enter(CanaryPhase.Finalising);
            return tickUsed();
        }
        int primary = Math.min(100, 100 - weight + step);
        int canary = Math.max(0, weight - step);
        actions.add(new Action.SetRoutes(primary, 100 - primary));
        event(Type.Normal, Texts.advancePrimary(key, primary));
        if (primary == 100) {
            enter(CanaryPhase.Finalising);
        } else {
            next.canaryWeight = canary;
        }
        return tickUsed();
    }

    private Result onFinalising() {
        converge(true, false);
        if (!obs.analysisDue()) {
            return idle();
        }
        Result waiting = awaitPrimary(true);
        if (waiting != null) {
            return waiting;
        }
        Result held = awaitAllOnPrimary();
        if (held != null) {
            return held;
        }
        scaleDownOnceRouted();
        enter(CanaryPhase.Succeeded);
        actions.add(new Action.CallHooks("post-rollout", CanaryPhase.Succeeded));
        event(Type.Normal, Texts.promotionCompleted(tgt, ns));
        alert(Alerts.COMPLETED);
        return tickUsed();
    }

    private Result onDeleting() {
        if (!obs.hasFinalizer()) {
            return released();
        }
        if (!Boolean.TRUE.equals(spec.revertOnDeletion) || obs.target() == null) {
            actions.add(new Action.RemoveFinalizer());
            return released();
        }
        if (old.phase() != CanaryPhase.Terminating) {
            enter(CanaryPhase.Terminating);
            event(Type.Normal, Texts.terminating(key));
        }
        int replicas = obs.primary() != null && obs.primary().specReplicas() > 0
                ? obs.primary().specReplicas()
                : scaleUpReplicas();
        if (obs.target().specReplicas() != replicas) {
            actions.add(new Action.RestoreTarget(replicas));
            return waitForWorkload();
        }
        Readiness r = Readiness.of(tgt, obs.target(), CanaryDefaults.canaryReadyThreshold(analysis));
        if (!r.ready()) {
            if (obs.analysisDue()) {
                event(Type.Warning, Texts.notReadyWhileTerminating(r.reason()));
            }
            return waitForWorkload();
        }
        // The primary and the -primary/-canary Services go with the Canary: traffic must be on a Service that stays
        // (the apex, selecting the target's ready pods) and Gloo Mesh must have accepted that before the finalizer
        // goes.
        actions.add(new Action.RestoreApexService());
        actions.add(new Action.HandBackRoutes());
        Routes routes = obs.routes();
        if (routes.problem() == null && !(routes.handedBack() && routes.acceptance() == Routes.Acceptance.ACCEPTED)) {
            if (obs.analysisDue() && routes.acceptance() == Routes.Acceptance.REJECTED) {
                event(Type.Warning, Texts.routesRejected(routes.table(), routes.rejection()));
            }
            return waitForWorkload();
        }
        actions.add(new Action.RemoveFinalizer());
        event(Type.Normal, Texts.terminated(key));
        return terminated();
    }

    // ---------------------------------------------------------------- strategies

    private Result progressive(CanaryPhase phase, int weight) {
        int step = Weights.nextStep(analysis, weight);
        if (step <= 0) {
            return tickUsed();
        }
        if (phase != CanaryPhase.WaitingPromotion) {
            Gate g = gate("confirm-traffic-increase", CanaryPhase.Progressing);
            if (g.pending() != null) {
                return g.pending();
            }
            g.passed().forEach(o -> event(Type.Normal, Texts.trafficIncreasePassed(o.hook())));
            if (g.failed() != null) {
                event(Type.Warning, Texts.waitingTrafficIncrease(key, g.failed().hook()));
                if (!g.failedHook().muteAlert()) {
                    alert(Alerts.WAITING_FOR_TRAFFIC_INCREASE);
                }
                return tickUsed();
            }
        }
        if (weight < CanaryDefaults.maxWeight(analysis)) {
            // Clamped to 100, never to maxWeight: 30 → 60 with maxWeight 50, as Flagger does and the seed shows.
            int w = Math.min(100, weight + step);
            actions.add(new Action.SetRoutes(100 - w, w));
            next.canaryWeight = w;
            event(Type.Normal, Texts.advanceWeight(key, w));
            return tickUsed();
        }
        Result blocked = promotionGate(phase);
        if (blocked != null) {
            return blocked;
        }
        return promote();
    }

    private Result blueGreen(CanaryPhase phase, int iterations) {
        int done = Statuses.n(old.iterations);
        if (iterations > done) {
            next.iterations = done + 1;
            event(Type.Normal, Texts.advanceIteration(key, done + 1, iterations));
            return tickUsed();
        }
        Result blocked = promotionGate(phase);
        if (blocked != null) {
            return blocked;
        }
        if (iterations == done) {
            event(Type.Normal, Texts.ROUTING_ALL_TO_CANARY);
            actions.add(new Action.SetRoutes(0, 100));
            next.canaryWeight = 100;
            next.iterations = done + 1;
            return tickUsed();
        }
        return promote();
    }

    private Result abTesting(CanaryPhase phase, int iterations) {
        int done = Statuses.n(old.iterations);
        if (iterations > done) {
            // The weights apply to the match route only: matching requests go to the canary, the rest to primary.
            // As in Flagger, whose A/B path never sets it, status.canaryWeight stays 0: no share of all traffic moved.
            actions.add(new Action.SetRoutes(0, 100));
            next.iterations = done + 1;
            event(Type.Normal, Texts.advanceIteration(key, done + 1, iterations));
            return tickUsed();
        }
        Result blocked = promotionGate(phase);
        if (blocked != null) {
            return blocked;
        }
        return promote();
    }

    /** The confirm-promotion gate; {@code null} when every hook passed. */
    private Result promotionGate(CanaryPhase phase) {
        Gate g = gate("confirm-promotion", CanaryPhase.Progressing);
        if (g.pending() != null) {
            return g.pending();
        }
        g.passed().forEach(o -> event(Type.Normal, Texts.promotionPassed(o.hook())));
        if (g.failed() == null) {
            return null;
        }
        // As Flagger writes it, on entering and on every tick spent waiting: analysis.iterations - 1, so -1 for a
        // canary run (which counts no iterations).
        next.iterations = CanaryDefaults.iterations(analysis) - 1;
        if (phase != CanaryPhase.WaitingPromotion) {
            enter(CanaryPhase.WaitingPromotion);
            event(Type.Warning, Texts.waitingPromotion(key, g.failed().hook()));
            if (!g.failedHook().muteAlert()) {
                alert(Alerts.WAITING_FOR_PROMOTION);
            }
        }
        return tickUsed();
    }

    private Result promote() {
        event(Type.Normal, Texts.copying(tgt, ns));
        actions.add(new Action.PromoteTemplate(next.lastAppliedSpec));
        enter(CanaryPhase.Promoting);
        return tickUsed();
    }

    private Result promoteWithoutAnalysis() {
        actions.add(new Action.SetRoutes(100, 0));
        event(Type.Normal, Texts.copying(tgt, ns));
        actions.add(new Action.PromoteTemplate(old.lastAppliedSpec));
        actions.add(new Action.ReconcileAutoscaler(true));
        scaleDownOnceRouted();
        enter(CanaryPhase.Succeeded);
        actions.add(new Action.CallHooks("post-rollout", CanaryPhase.Succeeded));
        event(Type.Normal, Texts.promotionSkipped(tgt, ns));
        alert(Alerts.SKIPPED);
        return tickUsed();
    }

    // ---------------------------------------------------------------- analysis

    /** Rollout hooks, then metrics; {@code null} when all passed. */
    private Result analyse() {
        Gate hooks = gate("rollout", CanaryPhase.Progressing);
        if (hooks.pending() != null) {
            return hooks.pending();
        }
        if (hooks.failed() != null) {
            event(
                    Type.Warning,
                    Texts.externalCheckFailed(
                            key, hooks.failed().hook(), hooks.failed().error()));
            next.failedChecks = Statuses.n(old.failedChecks) + 1;
            return tickUsed();
        }
        List<Check> metrics = metricChecks();
        // Under hold, a metric without data does not end the tick: a breach on a later metric must still count.
        MetricOutcome silent = null;
        for (int i = 0; i < metrics.size(); i++) {
            MetricOutcome o = obs.metricOutcomes().get(metrics.get(i).key());
            if (o == null) {
                return new Result.RunChecks(metrics.subList(i, metrics.size()), false);
            }
            if (o.passed()) {
                continue;
            }
            if (!obs.noDataPolicy().countsAsFailedCheck(o)) {
                silent = silent == null ? o : silent;
                continue;
            }
            event(Type.Warning, o.message());
            next.failedChecks = Statuses.n(old.failedChecks) + 1;
            return tickUsed();
        }
        return silent == null ? null : hold(silent);
    }

    /** The no-data policy {@code hold}: keep the weight, say why once, roll back when the hold outlasts its deadline. */
    private Result hold(MetricOutcome o) {
        Duration deadline = NoDataPolicy.holdDeadline(spec, obs.noDataDeadline());
        if (stalledFor(deadline.getSeconds())) {
            alert(Alerts.holdDeadlineExceeded(deadline));
            return rollback(Rollback.HOLD, Texts.noProgressFor(deadline.getSeconds(), o.message()));
        }
        event(Type.Warning, Texts.holdingNoData(o.message()));
        if (condition(old, HOLDING_CONDITION) == null) {
            alert(Alerts.holding(o.message()));
        }
        holding = o.message();
        return tickUsed();
    }

    /**
     * Flagger's two passes: the builtin and inline queries in list order, then the templates in list order. An entry
     * named like a builtin with a templateRef is in both.
     */
    private List<Check> metricChecks() {
        List<Check> direct = new ArrayList<>();
        List<Check> templates = new ArrayList<>();
        if (analysis != null && analysis.metrics != null) {
            for (int i = 0; i < analysis.metrics.size(); i++) {
                CanaryAnalysis.Metric m = analysis.metrics.get(i);
                for (MetricPart part : MetricPart.of(m)) {
                    (part == MetricPart.DIRECT ? direct : templates).add(new Check.Metric(m, part, i));
                }
            }
        }
        direct.addAll(templates);
        return direct;
    }

    /** Manual rollback hooks: the first that passes rolls the run back. */
    private Result rollbackHooks(CanaryPhase phase) {
        List<Check.Hook> hooks = hooks("rollback", phase);
        for (int i = 0; i < hooks.size(); i++) {
            HookOutcome o = obs.hookOutcomes().get(hooks.get(i).key());
            if (o == null) {
                return new Result.RunChecks(List.<Check>copyOf(hooks.subList(i, hooks.size())), true);
            }
            if (o.passed()) {
                event(Type.Warning, Texts.rollbackCheckPassed(o.hook()));
                event(Type.Warning, Texts.manualRollback(key));
                alert(Alerts.MANUAL_ROLLBACK);
                return rollback(Rollback.MANUAL, "");
            }
            event(Type.Normal, Texts.rollbackNotSignaling(o.hook()));
        }
        return null;
    }

    // ---------------------------------------------------------------- waits

    /** Waits for the primary; {@code null} when ready. A stuck primary after promotion fails the promotion. */
    private Result awaitPrimary(boolean promoted) {
        if (skipAnalysis()) {
            return null;
        }
        Readiness r = Readiness.of(tgt + "-primary", obs.primary(), CanaryDefaults.primaryReadyThreshold(analysis));
        if (r.ready()) {
            return null;
        }
        String text = Texts.primaryNotReady(tgt, ns, r.reason());
        if (r.state() == Readiness.State.STUCK || notReadyTooLong(text, obs.primary())) {
            String err = r.state() == Readiness.State.STUCK ? r.reason() : noProgress(text);
            if (promoted) {
                return failedPromotion(err);
            }
            // Flagger's readiness Warning (spec §3.2 step 18), then Sluice's deadline Event.
            event(Type.Warning, text);
            return rollback(Rollback.DEADLINE, err);
        }
        event(Type.Warning, text);
        return tickUsed();
    }

    /**
     * The routes a step of a run goes on from (Progressing, WaitingPromotion, Promoting): the delegate's weights as read,
     * accepted by Gloo Mesh. Weights that differ from the status are taken as they are, as Flagger takes its router's,
     * and the step's write repairs them; only a delegate that cannot be read (missing, its route gone, both weights 0)
     * or a generation Gloo Mesh has not accepted yet holds the tick (not consumed, so the RouteTable's watch resumes
     * it), and the end of the tick repairs an unreadable delegate toward the status's weights. {@code null} when the
     * step may go on.
     */
    private Result awaitRoutes(boolean promoted) {
        Routes routes = obs.routes();
        Result broken = brokenRoutes(promoted);
        if (broken != null) {
            return broken;
        }
        Integer routed = routes.routedCanary();
        boolean statusFirst = statusIsIntent(old, old.phase());
        int weight = Statuses.n(old.canaryWeight);
        boolean readable = statusFirst ? routes.routes(100 - weight, weight) : routed != null;
        if (routes.acceptance() != Routes.Acceptance.PENDING && statusFirst && routed != null && !readable) {
            // What is missing is a route write of Sluice's own (a crash, or a request that failed after the status
            // write landed): the end of the tick writes it again. The progress deadline is for Gloo Mesh not
            // accepting routes; a retry that comes after it (an API server too slow to answer) must not roll back.
            return tickHeld();
        }
        if (!readable || routes.acceptance() == Routes.Acceptance.PENDING) {
            return heldForRoutes(promoted, statusFirst || routed == null ? weight : routed);
        }
        return null;
    }

    /**
     * Where the status, not the delegate, says what a run routes: at its start ({@link #atRunStart}), and when the
     * status is one step ahead of the delegate ({@link #stepNotRouted}).
     */
    private boolean statusIsIntent(CanaryStatus s, CanaryPhase phase) {
        return atRunStart(s) || stepNotRouted(s, phase);
    }

    /**
     * The status is exactly one step ahead of the weights the delegate routes: a step whose status write landed and
     * whose route write did not (a crash in between, a conflict on the RouteTable). Taking the step again from the
     * delegate would repeat its Events and, for the first step, its pre-rollout hooks, so the status is the intent
     * until the delegate shows it. A delegate someone set back by exactly one step is therefore routed forward again.
     */
    private boolean stepNotRouted(CanaryStatus s, CanaryPhase phase) {
        Integer routed = obs.routes().routedCanary();
        int weight = Statuses.n(s.canaryWeight);
        if (routed == null || routed == weight || phase == null) {
            return false;
        }
        int iterations = CanaryDefaults.iterations(analysis);
        boolean hasMatch = analysis != null && analysis.match != null && !analysis.match.isEmpty();
        return switch (phase) {
            case Progressing, WaitingPromotion ->
                iterations > 0
                        ? !hasMatch && weight == 100 // Blue/Green's all-to-canary step
                        : routed < CanaryDefaults.maxWeight(analysis)
                                && weight == Math.min(100, routed + Weights.nextStep(analysis, routed));
            case Promoting -> {
                int step = CanaryDefaults.stepWeightPromotion(analysis);
                yield step > 0 && weight > 0 && weight == Math.max(0, routed - step);
            }
            default -> false;
        };
    }

    /**
     * The canary weight a run goes on from: the delegate's, read this tick and let through by {@link #awaitRoutes}
     * (which, where the status is the intent, lets a tick through only once the delegate routes the status's weight).
     */
    private int routedWeight() {
        return obs.routes().routedCanary();
    }

    /**
     * A run at its start: Progressing, no weight step and no iteration yet. The status is written before the routes, so
     * after a crash between the two the delegate may still route the weights of the run before (a restart's 100/0 lost):
     * a new revision must not inherit them, so here the status is the intent: the first step waits for 100/0, accepted,
     * and the end of the tick repairs the delegate toward it.
     */
    private static boolean atRunStart(CanaryStatus s) {
        return s.phase() == CanaryPhase.Progressing && Statuses.n(s.canaryWeight) == 0 && Statuses.n(s.iterations) == 0;
    }

    /**
     * Finalising's wait: all traffic on the primary, and Gloo Mesh accepted it, before the canary is scaled down and
     * the run succeeds. {@code null} when the delegate routes 100/0, accepted.
     */
    private Result awaitAllOnPrimary() {
        Result broken = brokenRoutes(true);
        if (broken != null) {
            return broken;
        }
        Routes routes = obs.routes();
        if (!routes.routes(100, 0) || routes.acceptance() == Routes.Acceptance.PENDING) {
            return heldForRoutes(true, 0);
        }
        return null;
    }

    /** A delegate that cannot be managed or that Gloo Mesh rejected: a Warning, until the progress deadline. */
    private Result brokenRoutes(boolean promoted) {
        Routes routes = obs.routes();
        String text = null;
        if (routes.problem() != null) {
            text = routes.problem();
        } else if (routes.acceptance() == Routes.Acceptance.REJECTED) {
            text = Texts.routesRejected(routes.table(), routes.rejection());
        }
        if (text == null) {
            return null;
        }
        if (stalled()) {
            return promoted ? failedPromotion(noProgress(text)) : rollback(Rollback.DEADLINE, noProgress(text));
        }
        event(Type.Warning, text);
        return tickUsed();
    }

    private Result heldForRoutes(boolean promoted, int weight) {
        if (stalled()) {
            String text = Texts.routesNotAccepted(obs.routes().table(), weight);
            return promoted ? failedPromotion(noProgress(text)) : rollback(Rollback.DEADLINE, noProgress(text));
        }
        return tickHeld();
    }

    // ---------------------------------------------------------------- endings

    private enum Rollback {
        THRESHOLD,
        MANUAL,
        DEADLINE,
        HOLD,
        /** A person asked for it ({@code abort}): the caller said so; no threshold or deadline text. */
        ABORT
    }

    private Result rollback(Rollback why, String err) {
        int failed = Statuses.n(old.failedChecks);
        int threshold = CanaryDefaults.threshold(analysis);
        // An abort was said by the caller ("Abort requested by …" and its alert), whatever the counters show.
        if (why != Rollback.ABORT && failed >= threshold) {
            event(Type.Warning, Texts.thresholdReached(key, failed));
            alert(Alerts.thresholdReached(failed));
        } else if (why == Rollback.DEADLINE) {
            event(Type.Warning, Texts.deadlineExceeded(key, err));
            alert(Alerts.progressDeadlineExceeded(err));
        } else if (why == Rollback.HOLD) {
            // The hold's own alert was sent by the caller; the Event says what ran out.
            event(Type.Warning, Texts.deadlineExceeded(key, err));
        }
        actions.add(new Action.SetRoutes(100, 0));
        // Shows the phase the rollback enters, as Flagger's does.
        actions.add(new EmitEvent(Type.Warning, Texts.canaryFailed(key), Map.of(), CanaryPhase.Failed));
        // Mostly the routes still send the canary traffic here: the Failed phase scales it down once they do not.
        scaleDownOnceRouted();
        // Flagger zeroes failedChecks here; Sluice keeps the count that caused the rollback (the seed shows it).
        enter(CanaryPhase.Failed);
        sync(0, failed, 0);
        actions.add(new Action.CallHooks("post-rollout", CanaryPhase.Failed));
        return tickUsed();
    }

    private Result failedPromotion(String err) {
        event(Type.Warning, Texts.promotionFailed(tgt, ns, err));
        alert(Alerts.promotionFailed(err));
        actions.add(new Action.SetRoutes(0, 100));
        enter(CanaryPhase.Failed);
        sync(100, Statuses.n(old.failedChecks), 0);
        actions.add(new Action.CallHooks("post-rollout", CanaryPhase.Failed));
        return tickUsed();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Scales the target to 0 when the delegate, as read, routes 100/0 and Gloo Mesh accepted it; otherwise the canary
     * may still get traffic, so it keeps its pods and a later reconcile (the RouteTable's watch) scales it down. The
     * one way a canary goes to 0 after it served, for every path: rollback, finalising, repair.
     */
    private boolean scaleDownOnceRouted() {
        if (obs.routes().problem() != null || !obs.routes().routesAccepted(100, 0)) {
            return false;
        }
        actions.add(new Action.ScaleTarget(0));
        return true;
    }

    private String delegateName() {
        return obs.routes().table() != null
                ? obs.routes().table()
                : spec.routeTableRef == null ? "(none)" : "delegated by " + spec.routeTableRef.name;
    }

    private void converge(boolean apex, boolean autoscalerUpdate) {
        actions.add(new Action.ReconcileServices(apex));
        actions.add(new Action.EnsurePrimary());
        if (spec.autoscalerRef != null) {
            actions.add(new Action.ReconcileAutoscaler(autoscalerUpdate));
        }
    }

    /** Flagger's sync: counters as given, plus the target's current revision and config checksums. */
    private void sync(int weight, int failedChecks, int iterations) {
        next.canaryWeight = weight;
        next.failedChecks = failedChecks;
        next.iterations = iterations;
        next.lastAppliedSpec = obs.target().revision();
        next.trackedConfigs = obs.trackedConfigs().isEmpty() ? null : new LinkedHashMap<>(obs.trackedConfigs());
    }

    /**
     * Every phase change goes through here, so the transitions are the calls of this method. As Flagger's setPhase:
     * a phase that ends or restarts a run clears the weight and iterations, and Initialized and Succeeded record the
     * revision that now serves. Sluice keeps the routed weight in WaitingPromotion; the callers that sync set their
     * counters afterwards.
     */
    private void enter(CanaryPhase phase) {
        next.phase = phase.name();
        if (phase != CanaryPhase.Progressing
                && phase != CanaryPhase.WaitingPromotion
                && phase != CanaryPhase.Promoting) {
            next.canaryWeight = 0;
            next.iterations = 0;
        }
        if (phase == CanaryPhase.Initialized || phase == CanaryPhase.Succeeded) {
            next.lastPromotedSpec = old.lastAppliedSpec;
        }
    }

    // ---------------------------------------------------------------- how a tick ends

    /** The analysis tick was used: the next one is due one interval later. */
    private Result tickUsed() {
        return end(interval(), true, true);
    }

    /** Nothing to do but converge; a due tick is used up, a watch event between ticks owes nothing. */
    private Result idle() {
        return end(interval(), obs.analysisDue(), true);
    }

    /** The step is not accepted by Gloo Mesh yet: the tick stays owed and the RouteTable's watch resumes it. */
    private Result tickHeld() {
        return end(SHORT, false, true);
    }

    /** A workload is being created or rolled out: look again soon, and leave the routes as they are meanwhile. */
    private Result waitForWorkload() {
        return end(SHORT, obs.analysisDue(), false);
    }

    /**
     * {@code spec.suspend}: Flagger's Event once per interval and nothing else; no status (not even the observed
     * generation), no finalizer, no route repair, no scaling. The status stays the intent, so resuming continues from
     * it. Deletion is still handled: a suspended Canary must not hold its finalizer forever.
     */
    private Result suspended() {
        if (obs.analysisDue()) {
            event(Type.Normal, Texts.skippingSuspended());
        }
        return new Result.Decision(next, List.copyOf(actions), interval(), obs.analysisDue());
    }

    /** The Canary is going without reverting anything: its routes are left to garbage collection. */
    private Result released() {
        return end(interval(), false, false);
    }

    /** Reverted on deletion: traffic is back on the primary, the finalizer is gone. */
    private Result terminated() {
        return end(interval(), true, false);
    }

    /**
     * A Canary that must not act (invalid, or second on a target): a condition and a Warning once per interval,
     * nothing else, and no retry storm.
     */
    private Result blocked(String conditionType, String reason, String text) {
        CanaryCondition was = condition(old, conditionType);
        String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        if (was == null || !text.equals(was.message)) {
            next.conditions = next.conditions == null ? new ArrayList<>() : next.conditions;
            next.conditions.removeIf(c -> conditionType.equals(c.type));
            CanaryCondition c = new CanaryCondition();
            c.type = conditionType;
            c.status = "True";
            c.reason = reason;
            c.message = text;
            c.lastUpdateTime = stamp;
            c.lastTransitionTime = was == null ? stamp : was.lastTransitionTime;
            next.conditions.add(c);
        }
        next.conditions = KstatusConditions.apply(
                next.conditions,
                next.phase(),
                spec.targetRef == null ? null : spec.targetRef.kind,
                new KstatusConditions.Halt(reason, text),
                stamp);
        next.observedGeneration = obs.generation();
        if (obs.analysisDue() || was == null) {
            event(Type.Warning, text);
        }
        return new Result.Decision(next, List.copyOf(actions), interval(), obs.analysisDue());
    }

    /** The tick's end: condition, observed generation, transition time (only when something changed), routes. */
    private Result end(Duration requeue, boolean consumed, boolean repairRoutes) {
        String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        CanaryPhase phase = next.phase();
        if (phase != null) {
            next.conditions = PromotedCondition.apply(old.conditions, phase, spec.targetRef.kind, stamp);
        }
        if (next.conditions != null) {
            // Only valid specs alone on their target get here: a condition left from before is over.
            next.conditions.removeIf(
                    c -> INVALID_SPEC_CONDITION.equals(c.type) || TARGET_CONFLICT_CONDITION.equals(c.type));
        }
        next.conditions = KstatusConditions.apply(next.conditions, phase, spec.targetRef.kind, halt, stamp);
        holdingCondition(stamp);
        notReadyCondition(stamp);
        pausedCondition(stamp);
        queuedCondition(stamp);
        next.observedGeneration = obs.generation();
        if (Statuses.progressed(old, next) || requestHandled || old.lastTransitionTime == null && phase != null) {
            next.lastTransitionTime = stamp;
        }
        boolean routed =
                actions.stream().anyMatch(a -> a instanceof Action.SetRoutes || a instanceof Action.HandBackRoutes);
        if (!routed && repairRoutes && phase != null) {
            int w = repairWeight(phase);
            actions.add(new Action.SetRoutes(100 - w, w));
        }
        // Said once per interval, like an invalid spec: the owner should learn that the annotation does nothing.
        NoDataPolicy.annotationProblem(obs.noDataAnnotation())
                .filter(p -> obs.analysisDue())
                .ifPresent(p -> event(Type.Warning, p));
        return new Result.Decision(next, List.copyOf(actions), requeue, consumed, analysed);
    }

    /**
     * The canary weight a reconcile that routes nothing else writes back, repairing whatever drifted in the delegate
     * besides the weights. In a run the router is the truth: its weights are kept as read (the next step goes on from
     * them), and only a delegate that cannot be read gets the status's weights, never more canary traffic than the run
     * recorded, as do the cases of {@link #statusIsIntent}. Outside a run the status is the intent (all on the primary, or on the canary after a failed promotion).
     */
    private int repairWeight(CanaryPhase phase) {
        Integer routed = obs.routes().routedCanary();
        boolean running = phase == CanaryPhase.Progressing
                || phase == CanaryPhase.WaitingPromotion
                || phase == CanaryPhase.Promoting;
        return running && routed != null && !statusIsIntent(next, phase) ? routed : Statuses.n(next.canaryWeight);
    }

    /**
     * Sets the {@link #HOLDING_CONDITION} while a hold lasts (keeping its transition time, which is when the hold
     * began) and drops it once a due tick did not hold or the run moved on.
     */
    private void holdingCondition(String stamp) {
        CanaryCondition held = condition(old, HOLDING_CONDITION);
        if (holding == null) {
            if (held != null && next.conditions != null && (obs.analysisDue() || Statuses.progressed(old, next))) {
                next.conditions.removeIf(c -> HOLDING_CONDITION.equals(c.type));
            }
            return;
        }
        if (next.conditions == null) {
            next.conditions = new ArrayList<>();
        }
        next.conditions.removeIf(c -> HOLDING_CONDITION.equals(c.type));
        CanaryCondition c = new CanaryCondition();
        c.type = HOLDING_CONDITION;
        c.status = "True";
        c.reason = "NoMetricData";
        c.message = holding;
        // Unchanged while the same reason holds: a hold should not rewrite the status on every tick.
        c.lastUpdateTime = held != null && holding.equals(held.message) ? held.lastUpdateTime : stamp;
        c.lastTransitionTime = held == null ? stamp : held.lastTransitionTime;
        next.conditions.add(c);
    }

    /**
     * Records since when the run waits for a workload ({@link #NOT_READY_CONDITION}, its transition time), and drops
     * the record once a due tick found the workloads ready or the run moved on.
     */
    private void notReadyCondition(String stamp) {
        CanaryCondition was = condition(old, NOT_READY_CONDITION);
        if (notReady == null || Statuses.progressed(old, next)) {
            if (was != null && next.conditions != null && (obs.analysisDue() || Statuses.progressed(old, next))) {
                next.conditions.removeIf(c -> NOT_READY_CONDITION.equals(c.type));
            }
            return;
        }
        if (was != null) {
            return; // kept as it is: the wait began then, and rewriting it on every tick would churn the status
        }
        if (next.conditions == null) {
            next.conditions = new ArrayList<>();
        }
        CanaryCondition c = new CanaryCondition();
        c.type = NOT_READY_CONDITION;
        c.status = "True";
        c.reason = "WorkloadNotReady";
        c.message = notReady;
        c.lastUpdateTime = stamp;
        c.lastTransitionTime = stamp;
        next.conditions.add(c);
    }

    /**
     * Shows a pause in the status ({@link #PAUSED_CONDITION}, from when the pause began) while it holds the run, and
     * drops it once it does not. While paused the wait for a workload is not timed: a record of one is dropped too,
     * so the progress deadline counts afresh after a resume.
     */
    private void pausedCondition(String stamp) {
        boolean holds = paused && next.phase() != null && steerable(next.phase());
        CanaryCondition was = condition(old, PAUSED_CONDITION);
        if (!holds) {
            if (was != null && next.conditions != null) {
                next.conditions.removeIf(c -> PAUSED_CONDITION.equals(c.type));
            }
            return;
        }
        if (next.conditions == null) {
            next.conditions = new ArrayList<>();
        }
        next.conditions.removeIf(c -> NOT_READY_CONDITION.equals(c.type));
        if (was != null) {
            return;
        }
        CanaryStatus.HandledRequest pause = next.requestHandled;
        CanaryCondition c = new CanaryCondition();
        c.type = PAUSED_CONDITION;
        c.status = "True";
        c.reason = "PauseRequested";
        c.message = Texts.pausedAt(pause == null ? null : pause.message, Statuses.n(next.canaryWeight));
        c.lastUpdateTime = stamp;
        c.lastTransitionTime = stamp;
        next.conditions.add(c);
    }

    /**
     * Keeps {@link ProgressBudget#QUEUED_CONDITION} while the Canary waits for a slot, with the time it joined the queue
     * as its transition time (the queue's order, kept across restarts), and drops it once the run started or the wait
     * is over otherwise.
     */
    private void queuedCondition(String stamp) {
        CanaryCondition was = condition(old, ProgressBudget.QUEUED_CONDITION);
        boolean waits = queued != null
                || (was != null && !dequeued && next.phase() == CanaryPhase.Waiting && !Statuses.progressed(old, next));
        if (!waits) {
            if (was != null && next.conditions != null) {
                next.conditions.removeIf(c -> ProgressBudget.QUEUED_CONDITION.equals(c.type));
            }
            return;
        }
        if (queued == null || (was != null && queued.equals(was.message))) {
            return; // unchanged: the place is said again only when it moves
        }
        if (next.conditions == null) {
            next.conditions = new ArrayList<>();
        }
        next.conditions.removeIf(c -> ProgressBudget.QUEUED_CONDITION.equals(c.type));
        CanaryCondition c = new CanaryCondition();
        c.type = ProgressBudget.QUEUED_CONDITION;
        c.status = "True";
        c.reason = "ProgressBudget";
        c.message = queued;
        c.lastUpdateTime = stamp;
        c.lastTransitionTime = was == null ? stamp : was.lastTransitionTime;
        next.conditions.add(c);
    }

    private static CanaryCondition condition(CanaryStatus status, String type) {
        if (status.conditions == null) {
            return null;
        }
        return status.conditions.stream()
                .filter(c -> type.equals(c.type))
                .findFirst()
                .orElse(null);
    }

    private boolean changed() {
        String revision = obs.target().revision();
        boolean specChanged;
        if (old.lastAppliedSpec == null || old.lastAppliedSpec.isEmpty()) {
            specChanged = true;
        } else if (revision.equals(old.lastPromotedSpec)) {
            specChanged = false;
        } else {
            specChanged = !revision.equals(old.lastAppliedSpec);
        }
        return specChanged || configsChanged();
    }

    private boolean configsChanged() {
        Map<String, String> now = obs.trackedConfigs();
        Map<String, String> before = old.trackedConfigs;
        if (now.isEmpty() && (before == null || before.isEmpty())) {
            return false;
        }
        if (before == null || before.size() != now.size()) {
            return true;
        }
        return !before.equals(now);
    }

    /** No progress (no status change) for longer than the progress deadline. */
    private boolean stalled() {
        return stalledFor(CanaryDefaults.progressDeadlineSeconds(spec));
    }

    /**
     * Flagger's rule for a workload that is not ready (spec §3.6): it is waited for, and the run fails only once it has
     * been unavailable for longer than the progress deadline, counted from when it became not ready: the earlier of
     * the first reading this run saw it not ready ({@link #NOT_READY_CONDITION}) and the time its Deployment reports it
     * unavailable since. Neither a long wait for approval nor an interval longer than the deadline counts.
     */
    private boolean notReadyTooLong(String text, Workload w) {
        notReady = text;
        CanaryCondition was = condition(old, NOT_READY_CONDITION);
        Instant since = was == null ? null : parse(was.lastTransitionTime);
        if (since == null) {
            since = now;
        }
        if (w != null && w.unavailableSince() != null && w.unavailableSince().isBefore(since)) {
            since = w.unavailableSince();
        }
        return Duration.between(since, now).getSeconds() > CanaryDefaults.progressDeadlineSeconds(spec);
    }

    private boolean stalledFor(long seconds) {
        Instant since = parse(old.lastTransitionTime);
        if (since == null) {
            return false;
        }
        return Duration.between(since, now).getSeconds() > seconds;
    }

    private String noProgress(String cause) {
        return Texts.noProgressFor(CanaryDefaults.progressDeadlineSeconds(spec), cause);
    }

    private static Instant parse(String time) {
        return Workload.time(time);
    }

    /** Replicas for the canary: the owner's wish kept by admission first, then Flagger's rule. */
    private int scaleUpReplicas() {
        Workload t = obs.target();
        if (t.desiredReplicas() != null && t.desiredReplicas() > 0) {
            return t.desiredReplicas();
        }
        if (t.specReplicas() > 0) {
            return t.specReplicas();
        }
        if (obs.hpaMinReplicas() != null) {
            return Math.max(1, obs.hpaMinReplicas());
        }
        if (obs.primary() != null && obs.primary().specReplicas() > 0) {
            return obs.primary().specReplicas();
        }
        return 1;
    }

    private CanaryStatus.CurrentRun newRun() {
        CanaryStatus.CurrentRun run = new CanaryStatus.CurrentRun();
        run.revision = obs.target().revision();
        run.startedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
        CanaryStatus.AdmittedRevision admitted = old.admittedRevision;
        if (retrying != null) {
            // A retry is the requester's run, whoever wrote the revision first.
            run.user = retrying.user;
            run.source = retrying.source;
        } else if (admitted != null && run.revision.equals(admitted.revision)) {
            // The admission record is a hint: only trusted when it names the revision the Deployment really has.
            run.user = admitted.user;
            run.source = admitted.source;
        }
        return run;
    }

    private Map<String, String> runAnnotations() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ANNOTATION_REVISION, obs.target().revision());
        CanaryStatus.AdmittedRevision admitted = old.admittedRevision;
        if (retrying != null) {
            putIfSet(a, ANNOTATION_USER, retrying.user);
            putIfSet(a, ANNOTATION_SOURCE, retrying.source);
        } else if (admitted != null && obs.target().revision().equals(admitted.revision)) {
            if (admitted.user != null) {
                a.put(ANNOTATION_USER, admitted.user);
            }
            if (admitted.source != null) {
                a.put(ANNOTATION_SOURCE, admitted.source);
            }
        }
        return a;
    }

    private static void putIfSet(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private boolean skipAnalysis() {
        return CanaryDefaults.skipAnalysis(spec);
    }

    private Duration interval() {
        return CanaryDefaults.interval(analysis);
    }

    /** The checks of the spec's webhooks of {@code type}, in spec order, each called with {@code phase}. */
    private List<Check.Hook> hooks(String type, CanaryPhase phase) {
        List<Check.Hook> out = new ArrayList<>();
        if (analysis != null && analysis.webhooks != null) {
            for (int i = 0; i < analysis.webhooks.size(); i++) {
                CanaryAnalysis.Webhook h = analysis.webhooks.get(i);
                if (type.equals(CanaryDefaults.webhookType(h))) {
                    out.add(new Check.Hook(h, phase, i));
                }
            }
        }
        return out;
    }

    private void event(Type type, String message) {
        event(type, message, Map.of());
    }

    /** An Event, with the phase the run is in at this point of the tick for the event webhooks. */
    private void event(Type type, String message, Map<String, String> annotations) {
        actions.add(new EmitEvent(type, message, annotations, next.phase()));
    }

    /** Texts, severities and whether the canary's fields go along live with {@link Alerts}, the one place for them. */
    private void alert(Alerts.Alert alert) {
        actions.add(new Action.SendAlert(alert.message(), alert.severity(), alert.withMetadata()));
    }

    /** The outcome so far of a group of hooks that must all pass, run in order. */
    private record Gate(Result pending, List<HookOutcome> passed, HookOutcome failed, Hook failedHook) {}

    private record Hook(boolean muteAlert) {}

    private Gate gate(String type, CanaryPhase phase) {
        List<Check.Hook> hooks = hooks(type, phase);
        List<HookOutcome> passed = new ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            CanaryAnalysis.Webhook h = hooks.get(i).hook();
            HookOutcome o = obs.hookOutcomes().get(hooks.get(i).key());
            if (o == null) {
                return new Gate(
                        new Result.RunChecks(List.<Check>copyOf(hooks.subList(i, hooks.size())), false),
                        passed,
                        null,
                        null);
            }
            if (!o.passed()) {
                return new Gate(null, passed, o, new Hook(Boolean.TRUE.equals(h.muteAlert)));
            }
            passed.add(o);
        }
        return new Gate(null, passed, null, null);
    }
}
