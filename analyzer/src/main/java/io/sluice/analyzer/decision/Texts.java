package io.sluice.analyzer.decision;

import io.sluice.model.WellKnown;
import java.util.List;

/**
 * Every Event text, in one place: the decision's and the few the shell writes while acting (public); alert texts live
 * in {@link Alerts}. The wording is Flagger's, byte for byte, because dashboards, alert rules and people's runbooks
 * match on it; only the texts marked "Sluice" are new.
 */
public final class Texts {
    private Texts() {}

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

    /** Sluice: the one Event of taking over a Canary whose status Flagger wrote. */
    static String takenOver(String phase, String revision) {
        return "Taken over from Flagger: " + phase + ", revision " + revision;
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

    /** Sluice: a spec the webhook would have refused; {@code violations} as {@code field: message}. */
    static String invalidSpec(String key, List<String> violations) {
        return "invalid canary " + key + ": " + String.join("; ", violations);
    }

    /** Sluice: a second Canary on a target that an older one manages. */
    static String targetConflict(String key, String kind, String target, String ns, String older) {
        return "canary " + key + " targets " + kind + " " + target + "." + ns + ", which canary " + older
                + " already manages: nothing is done until one of them is deleted or retargeted";
    }

    /** Sluice: a no-data policy annotation that names no policy. */
    static String noDataPolicyIgnored(String value) {
        return "annotation " + WellKnown.NO_DATA_POLICY_ANNOTATION + " has the value \"" + value
                + "\"; expected fail or hold, using the analyzer's default";
    }

    /** Sluice: the template changed between the analysis and the copy, which therefore did not happen. */
    public static String promotionRefused(String target, String ns, String now, String analysed) {
        return "Promotion of " + target + "." + ns + " skipped: its template changed to revision " + now
                + " after revision " + analysed + " was analysed";
    }

    public static String postRolloutPassed(String hook) {
        return "Post-rollout check " + hook + " passed";
    }

    public static String postRolloutFailed(String hook, String err) {
        return "Post-rollout hook " + hook + " failed " + err;
    }

    public static final String PROVIDERS_AVAILABLE = "all the metrics providers are available!";

    /** A provider that does not answer, or a provider check that could not run at all. */
    public static String providersError(String err) {
        return "Error checking metric providers: " + err;
    }

    /** The target's selector has none of the labels Sluice derives the primary's selector from. */
    public static String noSelectorLabel(String target, String ns, List<String> selectorLabels) {
        return "deployment " + target + "." + ns + " spec.selector.matchLabels must contain one of " + "["
                + String.join(" ", selectorLabels) + "]";
    }

    /** Flagger's Warning when {@code autoscalerRef} names an HPA that does not exist (the run halts). */
    public static String autoscalerMissing(String name, String ns) {
        return "HorizontalPodAutoscaler " + name + "." + ns
                + " get query error: horizontalpodautoscalers.autoscaling \"" + name + "\" not found";
    }

    /** Flagger's Warning when {@code autoscalerRef} names a KEDA ScaledObject that does not exist (the run halts). */
    public static String scaledObjectMissing(String name, String ns) {
        return "Keda ScaledObject " + name + "." + ns + " get query error: scaledobjects.keda.sh \"" + name
                + "\" not found";
    }

    /** A tracked ConfigMap or Secret ({@code kind} in lower case) the target needs does not exist. */
    public static String configNotFound(String kind, String name, String ns) {
        return kind + " " + name + "." + ns + " not found";
    }

    public static String noRouteTableRef(String key) {
        return "canary " + key + " doesn't define a routeTableRef, required when using the 'gloo-mesh' provider";
    }

    /** Sluice: the parent RouteTable that should delegate to the managed one is missing. */
    public static String parentRouteTableMissing(String parent) {
        return "RouteTable " + parent + " not found: spec.routeTableRef must name the parent RouteTable that delegates"
                + " to the RouteTable Sluice manages";
    }

    /** Sluice: the parent RouteTable delegates nowhere; {@code example} is the name Sluice would use. */
    public static String noDelegateRoute(String parent, String example) {
        return "RouteTable " + parent + " has no delegate route: add an http route with delegate.routeTables naming"
                + " the RouteTable Sluice manages, e.g. " + example;
    }

    /** Sluice: the delegate belongs to {@code owner} ({@code <Kind> <name>}), so it is not touched. */
    public static String delegateControlledBy(String table, String owner, String key) {
        return "RouteTable " + table + " is controlled by " + owner + ", not by canary " + key
                + ": Sluice leaves it alone";
    }

    /** Reverting on deletion waits for the target to serve again before the routes move back. */
    static String notReadyWhileTerminating(String reason) {
        return "canary not ready during finalizing: " + reason;
    }

    /** Sluice: the target keeps its pods while the delegate may still send it traffic. */
    static String scaleDownHeld(String target, String ns, String table) {
        return "Scaling down " + target + "." + ns + " waits until RouteTable " + table
                + " routes all traffic to the primary and Gloo Mesh accepted it";
    }

    /** Sluice: the API server refused the delegate RouteTable (Gloo's validation, RBAC); the error says why. */
    public static String routesNotWritten(String table, String err) {
        return "RouteTable " + table + " not written: " + err;
    }

    /** Sluice: the cause in the deadline Event when Gloo Mesh never accepted a step. */
    static String routesNotAccepted(String table, int weight) {
        return "RouteTable " + table + " not accepted at weight " + weight;
    }

    /** A metric outside its range: {@code what} is the metric's name, or Flagger's words for the builtins. */
    public static String outOfRange(String key, String what, String value, String op, String bound) {
        return "Halt " + key + " advancement " + what + " " + value + " " + op + " " + bound;
    }

    /** Sluice: a metric value no threshold can judge ({@code +Inf}, {@code -Inf}, a duration beyond any clock). */
    public static String unjudgeable(String key, String metric, String value, String why) {
        return "Halt " + key + " advancement " + metric + " " + value + " cannot be judged: " + why;
    }

    /** Sluice: a Canary the analyzer cannot decode; it is skipped, the others keep running. */
    public static String undecodable(String key, String problem) {
        return "Canary " + key + " skipped: the analyzer cannot decode it: " + problem;
    }

    /** Sluice: a check that failed inside the analyzer; counted as a failed check rather than retried forever. */
    public static String checkFailed(String kind, String name, String error) {
        return kind + " check " + name + " failed: " + error;
    }

    /** A builtin query without a sample; {@code observer} is the mesh whose metrics were asked ({@code istio}). */
    public static String noTraffic(String observer, String metric, String target) {
        return "Halt advancement no values found for " + observer + " metric " + metric + " probably " + target
                + " is not receiving traffic";
    }

    /** Sluice: the minimum-traffic guard held a builtin check. */
    public static String tooLittleTraffic(
            String observer, String metric, String target, long requests, String interval, long min) {
        return "Halt advancement too little traffic for " + observer + " metric " + metric + " of " + target + ": "
                + requests + " requests in " + interval + ", at least " + min + " needed";
    }

    /** The deprecated inline query without a sample. */
    public static String noValues(String metric) {
        return "Halt advancement no values found for metric: " + metric;
    }

    /** A MetricTemplate's query without a sample. */
    public static String noValuesForTemplate(String metric) {
        return "Halt advancement no values found for custom metric: " + metric + ": no values found";
    }

    // ---------------------------------------------------------------- runtime requests (Sluice)

    /** Who asked, as the Events say it: {@code <user> via <source>}. */
    static String requester(String user, String source) {
        return (user == null || user.isEmpty() ? "an unknown user" : user) + " via "
                + (source == null || source.isEmpty() ? "other" : source);
    }

    /** Sluice: a person asked to promote the run now. */
    static String promotionRequested(String requester) {
        return "Promotion requested by " + requester;
    }

    /** Sluice: a person asked to roll the run back now. */
    static String abortRequested(String requester) {
        return "Abort requested by " + requester;
    }

    /** Sluice: a person asked to run the failed revision again. */
    static String retryRequested(String requester) {
        return "Retry requested by " + requester;
    }

    /** Sluice: a person asked to hold the run at its weight. */
    static String pauseRequested(String requester) {
        return "Pause requested by " + requester;
    }

    /** Sluice: a person asked to continue a paused run. */
    static String resumeRequested(String requester) {
        return "Resume requested by " + requester;
    }

    /** Sluice: a recorded request that no longer fitted when the analyzer came to it. */
    static String requestRejected(String action, String requester, String reason) {
        return "Request to " + action + " by " + requester + " rejected: " + reason;
    }

    /** Sluice: why a request is not carried out once the target's template changed under it. */
    static String targetMovedOn(String revision) {
        return "the target's template changed since (revision " + revision + "), which gets a run of its own";
    }

    /** Sluice: the message of the {@code Paused} condition. */
    static String pausedAt(String pause, int weight) {
        return (pause == null ? "Paused" : pause) + "; held at canary weight " + weight + " until a resume request ("
                + WellKnown.REQUEST_ANNOTATION + "=resume)";
    }

    /**
     * Sluice: a new revision waits for a slot of the concurrency budget, the cluster's ({@code
     * --max-progressing-canaries}) or its namespace's ({@code sluice.io/max-progressing-canaries} on the Namespace).
     */
    static String queued(ProgressBudget.Standing s) {
        if (s.scope() == ProgressBudget.Scope.NAMESPACE) {
            return "Waiting for a free slot of namespace " + s.namespace() + ": " + s.running()
                    + " canaries progressing in it, at most " + s.max() + " (" + WellKnown.MAX_PROGRESSING_ANNOTATION
                    + " on the namespace); place " + s.place() + " in the namespace's queue";
        }
        return "Waiting for a free slot of the cluster: " + s.running() + " canaries progressing, at most " + s.max()
                + " (--max-progressing-canaries); place " + s.place() + " in the cluster's queue";
    }
}
