package io.sluice.sandbox.apiserver;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Watches. The store streams events over WebSocket only, and on opening sends every object it holds
 * as ADDED; the front passes on what a real API server would: only events newer than the
 * {@code resourceVersion} the client names (none skipped without one, or with "0"), filtered by the
 * field selector, over WebSocket (fabric8 clients) or as a chunked HTTP stream of JSON lines
 * (kubectl, client-go), with BOOKMARK events when asked for, Table rows for {@code kubectl get -w},
 * and the stream ended after {@code timeoutSeconds}.
 */
final class Watches {

    /** A bookmark a minute, and one two seconds before a timeout ends the stream, as the API server's cache sends them. */
    static final long BOOKMARK_MS = 60_000;

    private final Vertx vertx;
    private final WebSocketClient store;
    private final int storePort;
    private final Clock clock;

    Watches(Vertx vertx, int storePort, Clock clock) {
        this.vertx = vertx;
        this.store = vertx.createWebSocketClient();
        this.storePort = storePort;
        this.clock = clock;
    }

    void close() {
        store.close();
    }

    /** What a client asked to watch, and the newest resourceVersion it has been told about. */
    private static final class Stream {
        final long since;
        final String fieldSelector;
        long newest;

        Stream(HttpServerRequest req) {
            since = version(req.getParam("resourceVersion"));
            newest = since;
            fieldSelector = req.getParam("fieldSelector");
        }

        /** The event to pass on (as received), or null when the client must not see it. */
        JsonObject admit(String frame) {
            JsonObject event = new JsonObject(frame);
            JsonObject object = event.getJsonObject("object");
            if (object == null) {
                return event;
            }
            long rv = version(object.getJsonObject("metadata", new JsonObject()).getString("resourceVersion"));
            if ("ADDED".equals(event.getString("type")) && since > 0 && rv <= since) {
                return null;
            }
            if (fieldSelector != null && !FieldSelectors.matches(fieldSelector, object)) {
                return null;
            }
            newest = Math.max(newest, rv);
            return event;
        }
    }

    static long version(String rv) {
        try {
            return rv == null || rv.isEmpty() ? 0 : Long.parseLong(rv);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String storeUri(HttpServerRequest req) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        // The front filters by field selector; the store's own reading of it is partial.
        String kept = Arrays.stream(uri.substring(q + 1).split("&"))
                .filter(p -> !p.startsWith("fieldSelector="))
                .collect(Collectors.joining("&"));
        return uri.substring(0, q) + "?" + kept + (kept.contains("watch=") ? "" : "&watch=true");
    }

    private void openStore(HttpServerRequest req, Consumer<WebSocket> then, Consumer<Throwable> failed) {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(storePort)
                .setURI(storeUri(req));
        String protocols = req.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                options.addSubProtocol(p.trim());
            }
        }
        store.connect(options).onSuccess(then::accept).onFailure(failed::accept);
    }

    /** A watch requested as a WebSocket upgrade (fabric8 clients): relayed frame by frame, filtered. */
    void webSocket(HttpServerRequest req) {
        req.pause();
        Stream stream = new Stream(req);
        openStore(
                req,
                upstream -> req.toWebSocket().onComplete(down -> {
                    if (down.failed()) {
                        upstream.close();
                        return;
                    }
                    var downstream = down.result();
                    upstream.textMessageHandler(frame -> {
                        JsonObject event = stream.admit(frame);
                        if (event != null) {
                            downstream.writeTextMessage(frame);
                        }
                    });
                    upstream.binaryMessageHandler(downstream::writeBinaryMessage);
                    downstream.textMessageHandler(upstream::writeTextMessage);
                    upstream.closeHandler(v -> downstream.close());
                    downstream.closeHandler(v -> upstream.close());
                    upstream.exceptionHandler(e -> downstream.close());
                    downstream.exceptionHandler(e -> upstream.close());
                }),
                e -> {
                    req.resume();
                    req.response().setStatusCode(502).end("cannot open watch on the store: " + e.getMessage());
                });
    }

    /** A watch over plain HTTP (kubectl get -w, kubectl wait, client-go): one JSON event per chunk. */
    void http(HttpServerRequest req, ResourceType type) {
        Stream stream = new Stream(req);
        boolean table = Tables.wantsTable(req.getHeader("Accept"));
        boolean bookmarks = "true".equals(req.getParam("allowWatchBookmarks"));
        long timeout = version(req.getParam("timeoutSeconds"));
        openStore(
                req,
                upstream -> {
                    HttpServerResponse response = req.response()
                            .setChunked(true)
                            .setStatusCode(200)
                            .putHeader("Content-Type", "application/json");
                    response.writeHead();
                    long[] timers = {-1, -1, -1};
                    Runnable end = () -> {
                        for (long t : timers) {
                            if (t >= 0) {
                                vertx.cancelTimer(t);
                            }
                        }
                        upstream.close();
                        if (!response.ended() && !response.closed()) {
                            response.end();
                        }
                    };
                    upstream.textMessageHandler(frame -> {
                        JsonObject event = stream.admit(frame);
                        if (event == null || response.ended() || response.closed()) {
                            return;
                        }
                        if (table && event.getJsonObject("object") != null) {
                            event.put("object", Tables.toTable(type, event.getJsonObject("object"), clock.instant()));
                        }
                        response.write(event.encode() + "\n");
                    });
                    upstream.closeHandler(v -> end.run());
                    upstream.exceptionHandler(e -> end.run());
                    response.closeHandler(v -> end.run());
                    if (bookmarks) {
                        Runnable bookmark = () -> {
                            if (!response.ended() && !response.closed() && stream.newest > 0) {
                                response.write(new JsonObject()
                                                .put("type", "BOOKMARK")
                                                .put(
                                                        "object",
                                                        new JsonObject()
                                                                .put("kind", type.kind())
                                                                .put("apiVersion", type.apiVersion())
                                                                .put(
                                                                        "metadata",
                                                                        new JsonObject()
                                                                                .put(
                                                                                        "resourceVersion",
                                                                                        Long.toString(stream.newest))))
                                                .encode()
                                        + "\n");
                            }
                        };
                        timers[0] = vertx.setPeriodic(BOOKMARK_MS, t -> bookmark.run());
                        if (timeout > 0) {
                            timers[2] = vertx.setTimer(Math.max(1, timeout * 1000 - 2000), t -> bookmark.run());
                        }
                    }
                    if (timeout > 0) {
                        timers[1] = vertx.setTimer(timeout * 1000, t -> end.run());
                    }
                },
                e -> req.response()
                        .setStatusCode(503)
                        .putHeader("Content-Type", "application/json")
                        .end(new ApiError(
                                        503, "ServiceUnavailable", "cannot open watch on the store: " + e.getMessage())
                                .status()
                                .toBuffer()));
    }
}
