package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/** Asks a question on a Vert.x timer until the answer is yes or a deadline passes; nothing sleeps. */
final class Poll {
    private Poll() {}

    static Future<Void> until(
            Vertx vertx, Supplier<Future<Boolean>> condition, Duration every, Duration deadline, String what) {
        Promise<Void> done = Promise.promise();
        long end = System.nanoTime() + deadline.toNanos();
        ask(vertx, condition, every, end, what, done);
        return done.future();
    }

    private static void ask(
            Vertx vertx,
            Supplier<Future<Boolean>> condition,
            Duration every,
            long end,
            String what,
            Promise<Void> done) {
        condition.get().otherwise(false).onComplete(ar -> {
            if (Boolean.TRUE.equals(ar.result())) {
                done.complete();
            } else if (System.nanoTime() > end) {
                done.fail(new AssertionError("gave up waiting for " + what));
            } else {
                vertx.setTimer(every.toMillis(), id -> ask(vertx, condition, every, end, what, done));
            }
        });
    }
}
