package io.sluice.model.flagger;

/**
 * Upper bounds the Canary CRD sets (as {@code maxItems}/{@code maxLength}) on the lists and strings the analyzer
 * iterates, so that the API server refuses an absurd spec before it reaches the analyzer. Each is far above any real
 * Canary; {@code docs/security.md} lists them.
 */
public final class Limits {
    private Limits() {}

    /** {@code analysis.metrics}. */
    public static final long METRICS = 64;
    /** {@code analysis.webhooks}. */
    public static final long WEBHOOKS = 64;
    /** {@code analysis.alerts}. */
    public static final long ALERTS = 32;
    /** {@code analysis.stepWeights}: weights are 1 to 100, so a ladder has at most 100 distinct steps. */
    public static final long STEP_WEIGHTS = 100;
    /** {@code analysis.match} and {@code service.match}. */
    public static final long MATCHES = 64;
    /** Names of metrics, webhooks and alerts (a DNS subdomain's length). */
    public static final long NAME = 253;
    /** Durations ({@code interval}, {@code timeout}). */
    public static final long SHORT = 64;
    /** Webhook URLs. */
    public static final long URL = 2048;
    /** An inline PromQL query. */
    public static final long QUERY = 16384;
}
