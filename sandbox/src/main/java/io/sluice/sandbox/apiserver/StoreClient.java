package io.sluice.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Plain HTTP calls to the object store behind the front (fabric8's mock server in CRUD mode). */
final class StoreClient {

    /** What the store answered. */
    record Response(int status, String body, MultiMap headers) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final HttpClient http;
    private final int port;

    StoreClient(Vertx vertx, int port) {
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
        this.port = port;
    }

    int port() {
        return port;
    }

    static MultiMap jsonHeaders() {
        return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    }

    Future<Response> send(HttpMethod method, String uri, Buffer body, MultiMap headers) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI(uri)
                .setTimeout(30_000);
        headers.forEach(h -> options.addHeader(h.getKey(), h.getValue()));
        return http.request(options)
                .compose(req -> req.send(body)
                        .compose(resp -> resp.body()
                                .map(b -> new Response(
                                        resp.statusCode(), b.toString(StandardCharsets.UTF_8), resp.headers()))));
    }

    /** GET: the object, or null on 404. */
    Future<JsonObject> get(String path) {
        return send(HttpMethod.GET, path, Buffer.buffer(), MultiMap.caseInsensitiveMultiMap())
                .map(r -> {
                    if (r.status() == 404) {
                        return null;
                    }
                    if (r.status() != 200) {
                        throw new ApiError(
                                r.status(), "InternalError", "store answered " + r.status() + ": " + r.body());
                    }
                    return r.json();
                });
    }

    /** The items of a collection (empty when the store knows none). */
    Future<List<JsonObject>> list(String path) {
        return get(path)
                .map(l -> l == null
                        ? List.of()
                        : l.getJsonArray("items", new JsonArray()).stream()
                                .map(o -> (JsonObject) o)
                                .toList());
    }

    Future<Response> put(String path, JsonObject object) {
        return send(HttpMethod.PUT, path, object.toBuffer(), jsonHeaders());
    }

    Future<Response> delete(String path) {
        return send(HttpMethod.DELETE, path, Buffer.buffer(), MultiMap.caseInsensitiveMultiMap());
    }

    void close() {
        http.close();
    }
}
