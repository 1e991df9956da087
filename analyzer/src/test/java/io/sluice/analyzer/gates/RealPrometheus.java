package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * A real Prometheus for tests: the {@code prometheus} binary on a free loopback port, with a generated config and a
 * temporary storage directory, scraping every second a local endpoint whose text the test writes. Usable from any
 * analyzer test that wants real PromQL behind the gates:
 *
 * <pre>{@code
 * RequiredTool.require(RealPrometheus.binary().isPresent(), "prometheus", "prometheus");
 * try (RealPrometheus prometheus = RealPrometheus.start(vertx, scrape -> "...text format...")) {
 *     await(prometheus.awaitResult("sum(rate(istio_requests_total[1m]))"));
 *     ... GatesConfig.builder().metricsServer(prometheus.url()) ...
 * }
 * }</pre>
 */
public final class RealPrometheus implements AutoCloseable {
    public static final String MISSING = "prometheus binary not found on PATH: install the Debian package prometheus "
            + "(make test installs it); skipping the real-Prometheus test";

    private final Vertx vertx;
    private final HttpServer exporter;
    private final Process process;
    private final Path workDir;
    private final String url;
    private final WebClient client;

    private RealPrometheus(Vertx vertx, HttpServer exporter, Process process, Path workDir, String url) {
        this.vertx = vertx;
        this.exporter = exporter;
        this.process = process;
        this.workDir = workDir;
        this.url = url;
        this.client = WebClient.create(vertx);
    }

    /** The {@code prometheus} executable on the PATH, if any. */
    public static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Arrays.stream(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts the exporter and Prometheus and waits until Prometheus is ready.
     *
     * @param exposition the text the exporter serves at the n-th scrape (1, 2, …), in Prometheus's text format
     */
    public static RealPrometheus start(Vertx vertx, LongFunction<String> exposition) throws IOException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
        AtomicLong scrapes = new AtomicLong();
        HttpServer exporter = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> req.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4")
                        .end(exposition.apply(scrapes.incrementAndGet())));
        await(exporter.listen());
        Path workDir = Files.createTempDirectory("sluice-prometheus-");
        int port = freePort();
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  evaluation_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: exporter",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + exporter.actualPort() + "']",
                        ""));
        Process process = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + workDir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("prometheus.log").toFile())
                .start();
        RealPrometheus prometheus = new RealPrometheus(vertx, exporter, process, workDir, "http://127.0.0.1:" + port);
        try {
            await(Poll.until(
                    vertx,
                    () -> prometheus
                            .client
                            .getAbs(prometheus.url + "/-/ready")
                            .send()
                            .map(r -> r.statusCode() == 200),
                    Duration.ofMillis(200),
                    Duration.ofSeconds(60),
                    "Prometheus to be ready (log: " + workDir.resolve("prometheus.log") + ")"));
        } catch (AssertionError | RuntimeException e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    /** The base URL, for {@code --metrics-server} or a Canary's {@code metricsServer}. */
    public String url() {
        return url;
    }

    /** Completes once {@code promql} returns a sample that is a number (e.g. once rate() has two scrapes to use). */
    public Future<Void> awaitResult(String promql) {
        return Poll.until(
                vertx,
                () -> client.getAbs(url + "/api/v1/query")
                        .addQueryParam("query", promql)
                        .send()
                        .map(r -> {
                            JsonObject body = r.bodyAsJsonObject();
                            var result = body.getJsonObject("data").getJsonArray("result");
                            return !result.isEmpty()
                                    && !"NaN"
                                            .equals(result.getJsonObject(0)
                                                    .getJsonArray("value")
                                                    .getString(1));
                        }),
                Duration.ofMillis(250),
                Duration.ofSeconds(60),
                "a value for " + promql);
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        await(exporter.close());
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new IllegalStateException("could not delete " + workDir, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
