package io.sluice.analyzer;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Duration;

/**
 * Told about every reconcile, for the analyzer's own metrics (Flagger's {@code flagger_canary_*} series are fed
 * from here: phase, weights, successes, failures, durations). Called on the verticle's context; must not block.
 */
public interface ReconcileListener {

    /** A reconcile decided; {@code before} and {@code after} are the status as read and as written (or kept). */
    void reconciled(Canary canary, CanaryStatus before, CanaryStatus after, Duration took);

    /** A reconcile could not run to the end (the key is {@code <namespace>/<name>}). */
    void failed(String key, Throwable error, Duration took);

    /** The Canary is gone: drop what is kept about it. */
    void forgotten(String key);

    /**
     * A tick reached the analysis of a running Canary; {@code took} is from the start of its checks to the end of its
     * actions (Flagger's {@code flagger_canary_duration_seconds}).
     */
    default void analysed(Canary canary, Duration took) {}

    /** A due analysis tick's reconcile started {@code lateness} after the tick was due. */
    default void tickStarted(String key, Duration lateness) {}

    /** An analysis tick moved {@code by} later, because its second already held the most ticks allowed. */
    default void tickDeferred(String key, Duration by) {}

    /** Listens to nothing. */
    ReconcileListener NONE = new ReconcileListener() {
        @Override
        public void reconciled(Canary canary, CanaryStatus before, CanaryStatus after, Duration took) {}

        @Override
        public void failed(String key, Throwable error, Duration took) {}

        @Override
        public void forgotten(String key) {}
    };
}
