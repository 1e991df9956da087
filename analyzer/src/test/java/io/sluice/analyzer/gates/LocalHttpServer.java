package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A programmable HTTP server on 127.0.0.1 and an ephemeral port, standing in for Prometheus, webhooks and chat
 * providers. Each request is recorded; the reply comes from a function of the request.
 */
final class LocalHttpServer implements AutoCloseable {

    /** A recorded request. */
    record Request(String method, String path, MultiMap params, MultiMap headers, String body) {
        String param(String name) {
            return params.get(name);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** A reply: a status and a body, or no reply at all ({@link #HANG}). */
    record Reply(int status, String body) {
        static final Reply HANG = new Reply(-1, null);

        static Reply ok(String body) {
            return new Reply(200, body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> handler = r -> Reply.ok("");

    LocalHttpServer(Vertx vertx) {
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle);
        await(server.listen());
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            Request recorded = new Request(
                    req.method().name(),
                    req.path(),
                    MultiMap.caseInsensitiveMultiMap().addAll(req.params()),
                    MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                    body.toString());
            requests.add(recorded);
            Reply reply = handler.apply(recorded);
            if (reply.status() < 0) {
                return;
            }
            req.response().setStatusCode(reply.status()).end(reply.body() == null ? "" : reply.body());
        });
    }

    LocalHttpServer reply(Function<Request, Reply> handler) {
        this.handler = handler;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    List<Request> requests() {
        return requests;
    }

    Request last() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public void close() {
        await(server.close());
    }
}
