package io.sluice.model.testing;

import java.util.concurrent.TimeoutException;

/** Stopping test infrastructure whose own shutdown may give up after the test has passed. */
public final class Teardown {
    private Teardown() {}

    /**
     * Runs {@code stop} (for example fabric8's {@code KubernetesMockServer::destroy}). That server's shutdown waits a
     * fixed time for open watch connections and, now and then on a loaded machine, gives up with an
     * {@link IllegalStateException} caused by a {@link TimeoutException} after every assertion has passed; that is
     * reported on standard error and the test keeps its result. Any other failure is thrown.
     */
    public static void ignoringShutdownTimeout(String what, Runnable stop) {
        try {
            stop.run();
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof TimeoutException)) {
                throw e;
            }
            System.err.println(what + " did not shut down in time (ignored): " + e.getMessage());
        }
    }
}
