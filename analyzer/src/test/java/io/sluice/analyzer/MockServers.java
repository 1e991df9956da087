package io.sluice.analyzer;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.concurrent.TimeoutException;

/** Stopping fabric8's mock API server at the end of a test. */
public final class MockServers {
    private MockServers() {}

    /**
     * Stops {@code server}. Its shutdown waits a fixed time for open watch connections to close and, now and then on
     * a loaded machine, gives up with "Unable to close MockWebServer" after the test's assertions have all passed; that
     * is the mock server's own teardown, not a finding about Sluice, so it is reported and the test keeps its result.
     */
    public static void stop(KubernetesMockServer server) {
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof TimeoutException)) {
                throw e;
            }
            System.err.println("mock API server did not shut down in time (ignored): " + e.getMessage());
        }
    }
}
