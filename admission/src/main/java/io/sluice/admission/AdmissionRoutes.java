package io.sluice.admission;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The HTTP surface of the admission service, all on its one TLS port:
 * <ul>
 *   <li>{@code POST /validate}: Canary, MetricTemplate and AlertProvider;</li>
 *   <li>{@code POST /mutate}: Deployments;</li>
 *   <li>{@code GET /healthz}: the process serves;</li>
 *   <li>{@code GET /readyz}: a certificate is loaded and the caches are synced;</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 */
final class AdmissionRoutes {
    static final String VALIDATE = "/validate";
    static final String MUTATE = "/mutate";

    private AdmissionRoutes() {}

    /** A named condition {@code /readyz} waits for. */
    record ReadyCheck(String name, BooleanSupplier ready) {}

    static Router router(
            Vertx vertx,
            AdmissionHandler validate,
            AdmissionHandler mutate,
            long bodyLimit,
            Duration deadline,
            AdmissionMetrics metrics,
            PrometheusMeterRegistry registry,
            List<ReadyCheck> checks) {
        Router router = Router.router(vertx);
        // Only validation may deny; a fault of the mutating path admits the Deployment unchanged.
        new AdmissionEndpoint(
                        "validate",
                        ReviewReader.FULL,
                        validate,
                        bodyLimit,
                        deadline,
                        metrics,
                        AdmissionEndpoint.OnFailure.DENY)
                .mount(router, VALIDATE);
        new AdmissionEndpoint(
                        "mutate",
                        ReviewReader.DEPLOYMENTS,
                        mutate,
                        bodyLimit,
                        deadline,
                        metrics,
                        AdmissionEndpoint.OnFailure.ADMIT)
                .mount(router, MUTATE);
        router.get("/healthz")
                .handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                        .end("ok\n"));
        router.get("/readyz").handler(ctx -> {
            List<String> waiting = new ArrayList<>();
            for (ReadyCheck check : checks) {
                if (!check.ready().getAsBoolean()) {
                    waiting.add(check.name());
                }
            }
            ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                    .setStatusCode(waiting.isEmpty() ? 200 : 503)
                    .end(waiting.isEmpty() ? "ok\n" : "waiting for: " + String.join(", ", waiting) + "\n");
        });
        router.get("/metrics")
                .handler(ctx -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape()));
        return router;
    }
}
