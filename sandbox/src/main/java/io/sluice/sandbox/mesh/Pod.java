package io.sluice.sandbox.mesh;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;

/**
 * One running replica set of a Deployment, as the sandbox runs it: the application on a loopback
 * port behind its sidecar (which records {@link IstioMetrics} for every request it lets through),
 * and the sidecar's metrics on a second port for Prometheus. Replicas > 1 share one process-local
 * server: the sandbox models traffic shares and metrics, not pod scheduling.
 */
public final class Pod {

    /** Who the gateway or a Service proxy says sent a request (Istio learns it from mTLS peer metadata). */
    public static final String SOURCE_HEADER = "x-sandbox-source-workload";

    public static final String SOURCE_NAMESPACE_HEADER = "x-sandbox-source-namespace";

    private final String namespace;
    private final String workload;
    private final String image;
    private final IstioMetrics metrics;
    private HttpServer app;
    private HttpServer telemetry;

    private Pod(String namespace, String workload, String image) {
        this.namespace = namespace;
        this.workload = workload;
        this.image = image;
        this.metrics = new IstioMetrics(Map.of(
                "destination_workload",
                workload,
                "destination_workload_namespace",
                namespace,
                "destination_app",
                workload,
                "destination_cluster",
                "cluster1",
                "source_cluster",
                "cluster1",
                "destination_service_namespace",
                namespace));
    }

    public static Future<Pod> start(
            Vertx vertx, String namespace, String workload, String image, Handler<HttpServerRequest> application) {
        Pod pod = new Pod(namespace, workload, image);
        return vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> pod.sidecar(req, application))
                .listen()
                .compose(a -> {
                    pod.app = a;
                    return vertx.createHttpServer(
                                    new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                            .requestHandler(req -> req.response()
                                    .putHeader("Content-Type", "text/plain; version=0.0.4")
                                    .end(pod.metrics.scrape()))
                            .listen();
                })
                .map(t -> {
                    pod.telemetry = t;
                    return pod;
                });
    }

    private void sidecar(HttpServerRequest req, Handler<HttpServerRequest> application) {
        long started = System.nanoTime();
        String source = req.getHeader(SOURCE_HEADER);
        String sourceNamespace = req.getHeader(SOURCE_NAMESPACE_HEADER);
        req.response()
                .endHandler(v -> metrics.record(
                        source == null ? "unknown" : source,
                        sourceNamespace == null ? "unknown" : sourceNamespace,
                        req.response().getStatusCode(),
                        (System.nanoTime() - started) / 1_000_000.0));
        application.handle(req);
    }

    public String namespace() {
        return namespace;
    }

    public String workload() {
        return workload;
    }

    public String image() {
        return image;
    }

    public int port() {
        return app.actualPort();
    }

    public int metricsPort() {
        return telemetry.actualPort();
    }

    public IstioMetrics metrics() {
        return metrics;
    }

    public Future<Void> stop() {
        return Future.all(app.close(), telemetry.close()).mapEmpty();
    }
}
