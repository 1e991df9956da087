package io.sluice.cli;

/**
 * The plugin's exit codes, for scripts and CI jobs. The README's "kubectl sluice" section lists them; keep the two
 * in step.
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** The request was carried out, or the awaited outcome was reached. */
    public static final int OK = 0;

    /**
     * The request was refused (by the plugin's own check, by the API server or its admission webhook, or rejected by
     * the analyzer), or {@code wait} saw the other outcome (waited for promoted, the revision failed).
     */
    public static final int REFUSED = 1;

    /** The command line is wrong (picocli's usage error code). */
    public static final int USAGE = 2;

    /** {@code --timeout} passed before the outcome was known. */
    public static final int TIMEOUT = 3;

    /** Something newer took the place of what was awaited: a later revision, or another request. */
    public static final int SUPERSEDED = 4;

    /** The Canary does not exist, the cluster could not be reached, or the API server answered with an error. */
    public static final int ERROR = 5;
}
