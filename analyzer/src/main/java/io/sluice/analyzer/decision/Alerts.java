package io.sluice.analyzer.decision;

/**
 * The alerts a run sends, with their severity and whether the canary's fields go along: Flagger's texts where Flagger
 * alerts, and Sluice's for the stalls Flagger is silent about (a failed pre-rollout check, a hold for missing data, a
 * rollback when the hold outlasts its deadline).
 */
public final class Alerts {
    private Alerts() {}

    /** One alert: the shell hands it to the notifier as it is. */
    public record Alert(String message, Severity severity, boolean withMetadata) {}

    /** {@code kind} is the target's kind, e.g. {@code Deployment}. */
    public static Alert initialized(String kind) {
        return new Alert("New " + kind + " detected, initialization completed.", Severity.INFO, true);
    }

    public static final Alert NEW_REVISION =
            new Alert("New revision detected, progressing canary analysis.", Severity.INFO, true);
    public static final Alert WAITING_FOR_APPROVAL = new Alert("Canary is waiting for approval.", Severity.WARN, false);
    public static final Alert WAITING_FOR_TRAFFIC_INCREASE =
            new Alert("Canary traffic increase is waiting for approval.", Severity.WARN, false);
    public static final Alert WAITING_FOR_PROMOTION =
            new Alert("Canary promotion is waiting for approval.", Severity.WARN, false);
    public static final Alert MANUAL_ROLLBACK = new Alert("Rolling back manual webhook invoked", Severity.WARN, false);
    public static final Alert COMPLETED =
            new Alert("Canary analysis completed successfully, promotion finished.", Severity.INFO, false);
    public static final Alert SKIPPED =
            new Alert("Canary analysis was skipped, promotion finished.", Severity.INFO, false);

    public static Alert thresholdReached(int failedChecks) {
        return new Alert("Failed checks threshold reached " + failedChecks, Severity.ERROR, false);
    }

    public static Alert promotionFailed(String error) {
        return new Alert("Promotion failed, primary not ready: " + error, Severity.ERROR, false);
    }

    public static Alert progressDeadlineExceeded(String error) {
        return new Alert("Progress deadline exceeded " + error, Severity.ERROR, false);
    }

    /** Sluice: a pre-rollout hook halted the run (Flagger only counts a failed check). */
    public static Alert preRolloutFailed(String hook, String error) {
        return new Alert("Pre-rollout check " + hook + " failed: " + error, Severity.WARN, false);
    }

    /** Sluice: the hold policy keeps the weight because a metric has no data; {@code reason} is the check's Event text. */
    public static Alert holding(String reason) {
        return new Alert("Canary is holding its weight: " + reason, Severity.WARN, false);
    }

    /** Sluice: the hold lasted past its deadline, printed as Go prints durations ({@code 10m0s}). */
    public static Alert holdDeadlineExceeded(java.time.Duration deadline) {
        return new Alert("Rolling back: no metric data for " + GoFormat.duration(deadline), Severity.ERROR, false);
    }

    /** Sluice: a person aborted the run ({@code requester} is {@code <user> via <source>}). */
    public static Alert abortRequested(String requester) {
        return new Alert("Rolling back: abort requested by " + requester, Severity.WARN, false);
    }
}
