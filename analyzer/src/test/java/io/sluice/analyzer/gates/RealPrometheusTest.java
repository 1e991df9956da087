package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.analyzer.gates.MetricOutcome.Verdict;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The builtin checks against a real Prometheus (the Debian package {@code prometheus}), scraping a local endpoint
 * that serves Istio series Sluice controls: the canary {@code podinfo} answers 89.02% of its requests without a 5xx
 * and has a p99 of 1750 ms, the canary {@code healthy} answers everything fast, the canary {@code failing} answers
 * only 500s, and a second cluster's {@code podinfo} succeeds 10% of the time (only the cluster filter keeps it out).
 */
class RealPrometheusTest {
    private static Vertx vertx;
    private static HttpServer exporter;
    private static Process prometheus;
    private static Path workDir;
    private static String prometheusUrl;
    private static Gates gates;
    private static final AtomicLong scrapes = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = findOnPath("prometheus");
        assumeTrue(binary.isPresent(), "prometheus binary not found on PATH: install the Debian package prometheus "
                + "(make test installs it); skipping the real-Prometheus test");
        vertx = Vertx.vertx();
        exporter = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                        .end(exposition(scrapes.incrementAndGet())));
        Wait.result(exporter.listen());

        workDir = Files.createTempDirectory("sluice-prometheus-");
        int port = freePort();
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: istio",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + exporter.actualPort() + "']",
                ""));
        prometheus = new ProcessBuilder(binary.get().toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("prometheus.log").toFile())
                .start();
        prometheusUrl = "http://127.0.0.1:" + port;

        WebClient probe = WebClient.create(vertx);
        Wait.result(Poll.until(vertx, () -> probe.getAbs(prometheusUrl + "/-/ready").send()
                        .map(r -> r.statusCode() == 200), Duration.ofMillis(200), Duration.ofSeconds(60),
                "Prometheus to be ready (log: " + workDir.resolve("prometheus.log") + ")"));

        GatesConfig settings = GatesConfig.builder().metricsServer(prometheusUrl).clusterName("cluster1").build();
        gates = Gates.create(vertx, settings, new StaticObjectLookup(),
                new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh"));
        // rate() needs two samples inside the range: wait until the success rate is no longer "no data".
        Canary canary = canary("podinfo");
        Wait.result(Poll.until(vertx, () -> gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(0))
                        .map(o -> o.verdict() != Verdict.NO_DATA), Duration.ofMillis(250), Duration.ofSeconds(60),
                "Prometheus to have two scrapes of the exporter"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gates != null) {
            gates.close();
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (vertx != null) {
            Wait.result(vertx.close());
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void readsTheSuccessRateTheExporterMadeAndHaltsWithTheSeedsText() {
        Canary canary = canary("podinfo");
        MetricOutcome outcome = Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.value()).isCloseTo(89.02, org.assertj.core.data.Offset.offset(0.001));
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement success rate 89.02% < 99%");
    }

    @Test
    void readsTheP99TheExporterMade() {
        Canary canary = canary("podinfo");
        MetricOutcome outcome = Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(1)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        // 98 of 100 requests under 100 ms, 2 between 1 s and 2.5 s: Prometheus interpolates the p99 to 1750 ms.
        assertThat(outcome.value()).isCloseTo(1.75, org.assertj.core.data.Offset.offset(0.0015));
        assertThat(outcome.message()).isIn("Halt podinfo.test advancement request duration 1.75s > 500ms",
                "Halt podinfo.test advancement request duration 1.749s > 500ms");
    }

    @Test
    void aHealthyCanaryPassesBothBuiltins() {
        Canary canary = canary("healthy");
        List<MetricOutcome> outcomes = Wait.result(gates.metricGate().checkAll(canary));
        assertThat(outcomes).extracting(MetricOutcome::verdict).containsExactly(Verdict.PASS, Verdict.PASS);
        assertThat(outcomes.get(0).value()).isEqualTo(100.0);
        assertThat(outcomes.get(1).value()).isLessThanOrEqualTo(0.1);
    }

    @Test
    void theClusterAnnotationSelectsTheOtherClustersSeries() {
        Canary canary = canary("podinfo");
        canary.getMetadata().setAnnotations(java.util.Map.of(PrometheusMetricGate.CLUSTER_NAME_ANNOTATION, "cluster2"));
        MetricOutcome outcome = Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement success rate 10.00% < 99%");
    }

    @Test
    void aCanaryFailingEveryRequestIsJudgedAtZeroPercentNotAsNoData() {
        Canary canary = canary("failing");
        MetricOutcome outcome = Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.message()).isEqualTo("Halt failing.test advancement success rate 0.00% < 99%");
    }

    @Test
    void aWorkloadWithoutSeriesIsNoData() {
        Canary canary = canary("absent");
        MetricOutcome outcome = Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(outcome.message()).isEqualTo("Halt advancement no values found for istio metric request-success-rate "
                + "probably absent.test is not receiving traffic: running query failed: no values found");
    }

    @Test
    void measuresQueryLatency() {
        Canary canary = canary("podinfo");
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long start = System.nanoTime();
            Wait.result(gates.metricGate().check(canary, canary.getSpec().analysis.metrics.get(i % 2)));
            micros.add((System.nanoTime() - start) / 1000);
        }
        Collections.sort(micros);
        System.out.printf("real Prometheus builtin check latency over %d checks: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                micros.size(), micros.get(micros.size() / 2) / 1000.0, micros.get(micros.size() * 9 / 10) / 1000.0,
                micros.get(micros.size() - 1) / 1000.0);
        assertThat(micros).hasSize(40);
    }

    private static Canary canary(String target) {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().targetRef.name = target;
        canary.getMetadata().setName(target);
        CanaryAnalysis analysis = canary.getSpec().analysis;
        analysis.metrics.get(1).interval = "1m";
        return canary;
    }

    /** Counters grow by a fixed step per scrape, so every rate and ratio is exactly what the step says. */
    static String exposition(long scrape) {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE istio_requests_total counter\n");
        requests(out, "podinfo", "cluster1", "200", 8902 * scrape);
        requests(out, "podinfo", "cluster1", "500", 1098 * scrape);
        requests(out, "podinfo", "cluster2", "200", 100 * scrape);
        requests(out, "podinfo", "cluster2", "503", 900 * scrape);
        requests(out, "failing", "cluster1", "500", 700 * scrape);
        requests(out, "podinfo-primary", "cluster1", "500", 9000 * scrape);
        requests(out, "healthy", "cluster1", "200", 1000 * scrape);
        out.append("# TYPE istio_request_duration_milliseconds histogram\n");
        long[] podinfo = {98, 98, 98, 98, 100, 100};
        long[] healthy = {100, 100, 100, 100, 100, 100};
        buckets(out, "podinfo", podinfo, scrape);
        buckets(out, "healthy", healthy, scrape);
        return out.toString();
    }

    private static void requests(StringBuilder out, String workload, String cluster, String code, long value) {
        out.append("istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"test\",")
                .append("destination_workload=\"").append(workload).append("\",destination_cluster=\"").append(cluster)
                .append("\",response_code=\"").append(code).append("\"} ").append(value).append('\n');
    }

    private static void buckets(StringBuilder out, String workload, long[] cumulative, long scrape) {
        String[] le = {"100", "250", "500", "1000", "2500", "+Inf"};
        for (int i = 0; i < le.length; i++) {
            out.append("istio_request_duration_milliseconds_bucket{reporter=\"destination\",")
                    .append("destination_workload_namespace=\"test\",destination_workload=\"").append(workload)
                    .append("\",destination_cluster=\"cluster1\",le=\"").append(le[i]).append("\"} ")
                    .append(cumulative[i] * scrape).append('\n');
        }
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Arrays.stream(path.split(File.pathSeparator)).map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable).findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

}
