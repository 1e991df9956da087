package io.sluice.admission;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * One HTTPS server on one event loop. Deployed once per event loop: Vert.x shares the port between the instances
 * of a deployment and spreads connections over them, so the service uses every core it is given.
 */
final class HttpsVerticle extends VerticleBase {
    private final ServingTls tls;
    private final HttpServerOptions options;
    private final Handler<HttpServerRequest> handler;

    private HttpsVerticle(ServingTls tls, HttpServerOptions options, Handler<HttpServerRequest> handler) {
        this.tls = tls;
        this.options = options;
        this.handler = handler;
    }

    /** Deploys {@code instances} servers on {@code options}' host and port; the certificate must be loaded. */
    static Future<String> deploy(
            Vertx vertx, ServingTls tls, HttpServerOptions options, Handler<HttpServerRequest> handler, int instances) {
        HttpServerOptions withTls = tls.serverOptions(options);
        return vertx.deployVerticle(
                () -> new HttpsVerticle(tls, withTls, handler), new DeploymentOptions().setInstances(instances));
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(options).requestHandler(handler).listen().onSuccess(tls::attach);
    }
}
