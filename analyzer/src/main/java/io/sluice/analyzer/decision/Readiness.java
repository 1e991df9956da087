package io.sluice.analyzer.decision;

/**
 * Whether a Deployment finished its rollout, by Flagger's rules (spec §3.6). {@code STUCK} cannot get better by
 * waiting; {@code WAITING} may.
 */
record Readiness(State state, String reason) {

    enum State {
        READY,
        WAITING,
        STUCK
    }

    static final Readiness READY = new Readiness(State.READY, "");

    boolean ready() {
        return state == State.READY;
    }

    static Readiness of(String name, Workload w, int thresholdPercent) {
        if (w == null) {
            return new Readiness(State.WAITING, "waiting for rollout to finish: deployment not created yet");
        }
        if (w.generation() > w.observedGeneration()) {
            return new Readiness(
                    State.WAITING,
                    "waiting for rollout to finish: observed deployment generation less than desired generation");
        }
        if (w.deadlineExceeded()) {
            return new Readiness(State.STUCK, "deployment \"" + name + "\" exceeded its progress deadline");
        }
        if (w.updatedReplicas() < w.specReplicas()) {
            return new Readiness(
                    State.WAITING,
                    "waiting for rollout to finish: " + w.updatedReplicas() + " out of " + w.specReplicas()
                            + " new replicas have been updated");
        }
        if (w.replicas() > w.updatedReplicas()) {
            return new Readiness(
                    State.WAITING,
                    "waiting for rollout to finish: " + (w.replicas() - w.updatedReplicas())
                            + " old replicas are pending termination");
        }
        // In single precision and truncated, as Flagger computes it, so that the count in the message and the
        // moment the threshold is met match Flagger's for every replica count.
        int required = (int) ((float) w.updatedReplicas() * ((float) thresholdPercent / 100f));
        if (w.availableReplicas() < required) {
            return new Readiness(
                    State.WAITING,
                    "waiting for rollout to finish: " + w.availableReplicas() + " of " + required + " (readyThreshold "
                            + thresholdPercent + "%) updated replicas are available");
        }
        return READY;
    }
}
