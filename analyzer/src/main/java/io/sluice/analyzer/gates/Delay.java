package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Waits between retries. Injected so that tests assert the backoff without waiting for it. */
@FunctionalInterface
interface Delay {
    Future<Void> after(Duration delay);

    /** A Vert.x timer: nothing blocks while a retry waits. */
    static Delay timers(Vertx vertx) {
        return d -> vertx.timer(Math.max(1, d.toMillis())).mapEmpty();
    }
}
