package io.sluice.analyzer.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way the analyzer's tests wait for a Vert.x {@link Future}: from a test thread (never an event loop), with a
 * deadline, so that a future that never completes fails the test instead of hanging the build.
 */
public final class Futures {
    private static final long DEADLINE_SECONDS = 60;

    private Futures() {}

    /** The future's result; its failure, a timeout or an interrupt become an {@link AssertionError}. */
    public static <T> T await(Future<T> future) {
        if (completed(future).failed()) {
            throw new AssertionError("the future failed: " + future.cause(), future.cause());
        }
        return future.result();
    }

    /** Why the future failed; its success, a timeout or an interrupt become an {@link AssertionError}. */
    public static Throwable awaitFailure(Future<?> future) {
        if (completed(future).succeeded()) {
            throw new AssertionError("the future succeeded with " + future.result() + " where a failure was expected");
        }
        return future.cause();
    }

    private static <T> Future<T> completed(Future<T> future) {
        try {
            future.toCompletionStage()
                    .toCompletableFuture()
                    .handle((r, e) -> null)
                    .get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            return future;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("handle() completes normally", e);
        } catch (TimeoutException e) {
            throw new AssertionError("the future did not complete within " + DEADLINE_SECONDS + "s", e);
        }
    }
}
