package io.sluice.analyzer.decision;

/**
 * Every Event text the decision writes, in one place; alert texts live in {@link io.sluice.analyzer.gates.Alerts}. The
 * wording is Flagger's, byte for byte, because dashboards, alert rules and people's runbooks match on it; only the
 * texts marked "Sluice" are new.
 */
final class Texts {
    private Texts() {
    }

    static String skippingSuspended() {
        return "skipping canary run as object is suspended";
    }

    static String primaryNotReady(String target, String ns, String reason) {
        return target + "-primary." + ns + " not ready: " + reason;
    }

    /** Sluice: why a run whose target has no replicas holds (its scale-up is being repaired). */
    static final String NO_REPLICAS = "waiting for rollout to finish: 0 replicas desired, scaling up";

    static String canaryNotReady(String target, String ns, String reason) {
        return "canary deployment " + target + "." + ns + " not ready: " + reason;
    }

    static String initializationDone(String key) {
        return "Initialization done! " + key;
    }

    static String waitingForApproval(String key, String hook) {
        return "Halt " + key + " advancement waiting for approval " + hook;
    }

    static String confirmRolloutPassed(String hook) {
        return "Confirm-rollout check " + hook + " passed";
    }

    static String newRevision(String target, String ns) {
        return "New revision detected! Scaling up " + target + "." + ns;
    }

    static String restarting(String target, String ns) {
        return "New revision detected! Restarting analysis for " + target + "." + ns;
    }

    static String startingAnalysis(String target, String ns) {
        return "Starting canary analysis for " + target + "." + ns;
    }

    static String preRolloutPassed(String hook) {
        return "Pre-rollout check " + hook + " passed";
    }

    static String preRolloutFailed(String key, String hook, String err) {
        return "Halt " + key + " advancement pre-rollout check " + hook + " failed " + err;
    }

    static String externalCheckFailed(String key, String hook, String err) {
        return "Halt " + key + " advancement external check " + hook + " failed " + err;
    }

    static String trafficIncreasePassed(String hook) {
        return "Confirm-traffic-increase check " + hook + " passed";
    }

    static String waitingTrafficIncrease(String key, String hook) {
        return "Halt " + key + " advancement waiting for traffic increase approval " + hook;
    }

    static String advanceWeight(String key, int weight) {
        return "Advance " + key + " canary weight " + weight;
    }

    static String advanceIteration(String key, int iteration, int of) {
        return "Advance " + key + " canary iteration " + iteration + "/" + of;
    }

    static final String ROUTING_ALL_TO_CANARY = "Routing all traffic to canary";

    static String promotionPassed(String hook) {
        return "Confirm-promotion check " + hook + " passed";
    }

    static String waitingPromotion(String key, String hook) {
        return "Halt " + key + " advancement waiting for promotion approval " + hook;
    }

    static String copying(String target, String ns) {
        return "Copying " + target + "." + ns + " template spec to " + target + "-primary." + ns;
    }

    static final String ROUTING_ALL_TO_PRIMARY = "Routing all traffic to primary";

    static String advancePrimary(String key, int weight) {
        return "Advance " + key + " primary weight " + weight;
    }

    static String promotionCompleted(String target, String ns) {
        return "Promotion completed! Scaling down " + target + "." + ns;
    }

    static String promotionSkipped(String target, String ns) {
        return "Promotion completed! Canary analysis was skipped for " + target + "." + ns;
    }

    static String rollbackNotSignaling(String hook) {
        return "Rollback hook " + hook + " not signaling a rollback";
    }

    static String rollbackCheckPassed(String hook) {
        return "Rollback check " + hook + " passed";
    }

    static String manualRollback(String key) {
        return "Rolling back " + key + " manual webhook invoked";
    }

    static String thresholdReached(String key, int n) {
        return "Rolling back " + key + " failed checks threshold reached " + n;
    }

    static String deadlineExceeded(String key, String err) {
        return "Rolling back " + key + " progress deadline exceeded " + err;
    }

    static String canaryFailed(String key) {
        return "Canary failed! Scaling down " + key;
    }

    static String promotionFailed(String target, String ns, String err) {
        return "Promotion of " + target + "." + ns + " failed, primary not ready: " + err;
    }

    static String terminating(String key) {
        return "Terminating canary " + key;
    }

    static String terminated(String key) {
        return "Terminated canary " + key;
    }

    static String targetMissing(String target, String ns) {
        return "deployment " + target + "." + ns + " get query error: deployments.apps \"" + target + "\" not found";
    }

    /** Sluice: how long a run may sit without progress, in the words of the rollback Event. */
    static String noProgressFor(long seconds, String cause) {
        return "no progress for " + seconds + "s: " + cause;
    }

    /** Sluice: Gloo Mesh refused the delegate RouteTable, so the step cannot count. */
    static String routesRejected(String table, String message) {
        return "RouteTable " + table + " not accepted by Gloo Mesh: " + message;
    }

    /** Sluice: the hold policy for metrics without data. */
    static String holdingNoData(String message) {
        return message + " (holding the weight: no-data policy is hold)";
    }
}
