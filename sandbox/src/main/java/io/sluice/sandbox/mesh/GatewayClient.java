package io.sluice.sandbox.mesh;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/** Requests to the sandbox gateway as a user outside the cluster sends them: the RouteTable's host in Host. */
public final class GatewayClient implements AutoCloseable {

    /** Status and body of one answer. */
    public record Answer(int status, String body) {}

    private final HttpClient http;
    private final SocketAddress gateway;
    private final String host;

    public GatewayClient(Vertx vertx, int gatewayPort, String host) {
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(8));
        this.gateway = SocketAddress.inetSocketAddress(gatewayPort, "127.0.0.1");
        this.host = host;
    }

    public Future<Answer> get(String path) {
        return http.request(new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setServer(gateway)
                        .setHost(host)
                        .setPort(80)
                        .setURI(path)
                        .setTimeout(10_000))
                .compose(req ->
                        req.send().compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString()))));
    }

    @Override
    public void close() {
        http.close();
    }
}
