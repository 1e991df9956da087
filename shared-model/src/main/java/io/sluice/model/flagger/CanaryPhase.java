package io.sluice.model.flagger;

/**
 * The phases of a Canary, as written to {@code status.phase}. Transitions (Deployment target):
 *
 * <pre>
 * (none)        ─ new Canary ─────────────────────────────► Initializing
 * Initializing  ─ primary ready, routes set, target at 0 ─► Initialized
 * Initialized | Succeeded | Failed
 *               ─ new revision, a confirm-rollout hook says no ─► Waiting
 *               ─ new revision, all confirm-rollout hooks pass ─► Progressing
 * Waiting       ─ confirm-rollout hooks pass ─────────────► Progressing
 * Progressing   ─ promotion point, confirm-promotion says no ─► WaitingPromotion
 * Progressing | WaitingPromotion
 *               ─ promotion point, hooks pass, template copied ─► Promoting
 *               ─ failed checks reach threshold, rollback hook, deadline ─► Failed
 * Promoting     ─ all traffic back on the primary ───────► Finalising
 * Finalising    ─ canary scaled to zero ─────────────────► Succeeded
 * any           ─ deleted with revertOnDeletion ─────────► Terminating
 * </pre>
 */
public enum CanaryPhase {
    /** The Canary was just created; Sluice is creating the primary, the Services and the routes. */
    Initializing(false),
    /** Bootstrap is done: the primary serves all traffic and the target is scaled to zero. */
    Initialized(false),
    /** A new revision waits for a confirm-rollout webhook to approve the run. */
    Waiting(false),
    /** A run is in progress: the canary gets a growing share of the traffic while checks run. */
    Progressing(true),
    /** The canary reached the promotion point and waits for a confirm-promotion webhook. */
    WaitingPromotion(true),
    /** The canary's template was copied to the primary; traffic moves back to the primary. */
    Promoting(true),
    /** All traffic is on the primary again; the canary is being scaled down. */
    Finalising(true),
    /** The last run was promoted. */
    Succeeded(false),
    /** The last run was rolled back. */
    Failed(false),
    /** The Canary is being deleted and its target restored. */
    Terminating(false),
    /** Declared by Flagger's API; never written. */
    Terminated(false);

    private final boolean running;

    CanaryPhase(boolean running) {
        this.running = running;
    }

    /** True while a run holds traffic on the canary: Progressing, WaitingPromotion, Promoting, Finalising. */
    public boolean isRunning() {
        return running;
    }

    /** The phase named {@code value}; {@code null} for null, empty or a name Sluice does not know. */
    public static CanaryPhase parse(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        for (CanaryPhase phase : values()) {
            if (phase.name().equals(value)) {
                return phase;
            }
        }
        return null;
    }
}
