package io.sluice.analyzer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (the controller makes progress, see {@link Liveness}), {@code /readyz} (caches synced, or standing
 * by), {@code /metrics}.
 */
final class HealthServer {
    private HealthServer() {}

    static Future<HttpServer> start(
            Vertx vertx,
            String host,
            int port,
            Liveness liveness,
            BooleanSupplier ready,
            java.util.function.Supplier<String> scrape) {
        Router router = Router.router(vertx);
        router.get("/healthz").handler(rc -> {
            String problem = liveness.problem();
            rc.response()
                    .setStatusCode(problem == null ? 200 : 503)
                    .putHeader("content-type", "text/plain")
                    .end(problem == null ? "OK" : problem);
        });
        router.get("/readyz").handler(rc -> {
            boolean ok = ready.getAsBoolean();
            rc.response()
                    .setStatusCode(ok ? 200 : 503)
                    .putHeader("content-type", "text/plain")
                    .end(ok ? "OK" : "not ready");
        });
        router.get("/metrics")
                .handler(rc -> rc.response()
                        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(scrape.get()));
        return vertx.createHttpServer().requestHandler(router).listen(port, host);
    }
}
