package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus and the Canaries' webhooks in one tiny HTTP server. {@code /api/v1/query} answers every query with one
 * sample: 10 for a latency quantile ({@code histogram_quantile}), 1 for {@code vector(1)} (the provider check), 100
 * otherwise (a success rate), so every builtin check passes. Any other request is a webhook and answers 200. Each
 * request that names a Canary (the workload in a builtin query, {@code name}/{@code namespace} in a webhook's payload)
 * is handed to {@link Ticks}, which is how the benchmark sees ticks from the outside.
 */
final class StandInGates {
    private static final Pattern WORKLOAD = Pattern.compile(
            "destination_workload_namespace=\\\\?\"([^\"\\\\]+)\\\\?\",\\s*destination_workload=~\\\\?\"([^\"\\\\]+)");

    final LongAdder queries = new LongAdder();
    final LongAdder webhooks = new LongAdder();
    private final Ticks ticks;
    private HttpServer server;

    StandInGates(Ticks ticks) {
        this.ticks = ticks;
    }

    Future<Integer> start(Vertx vertx) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(0, "127.0.0.1").map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            long now = System.currentTimeMillis();
            if (req.path().endsWith("/api/v1/query")) {
                queries.increment();
                String query = req.getParam("query");
                if (query == null) {
                    String form = body.toString(StandardCharsets.UTF_8);
                    for (String pair : form.split("&")) {
                        if (pair.startsWith("query=")) {
                            query = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                        }
                    }
                }
                String value = "100";
                if (query != null) {
                    Matcher m = WORKLOAD.matcher(query);
                    if (m.find()) {
                        ticks.seen(m.group(1) + "/" + m.group(2), now);
                    }
                    if (query.contains("histogram_quantile")) {
                        value = "10";
                    } else if (query.contains("vector(1)")) {
                        value = "1";
                    }
                }
                req.response()
                        .putHeader("Content-Type", "application/json")
                        .end("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                + "\"value\":[" + now / 1000.0 + ",\"" + value + "\"]}]}}");
                return;
            }
            webhooks.increment();
            try {
                JsonObject payload = body.length() == 0 ? null : body.toJsonObject();
                if (payload != null && payload.getString("name") != null) {
                    ticks.seen(payload.getString("namespace") + "/" + payload.getString("name"), now);
                }
            } catch (RuntimeException e) {
                // Not JSON: still answered, just not a tick.
            }
            req.response().setStatusCode(200).end("ok");
        });
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
