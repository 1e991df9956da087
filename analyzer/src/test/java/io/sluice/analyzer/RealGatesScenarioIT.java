package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.gates.AnalyzerMetrics;
import io.sluice.analyzer.gates.Gates;
import io.sluice.analyzer.gates.GatesConfig;
import io.sluice.analyzer.gates.IstioSeries;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.RealPrometheus;
import io.sluice.analyzer.gates.StaticObjectLookup;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.testing.MutableClock;
import io.sluice.model.testing.RequiredTool;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed scenario with the real gates: {@code HttpWebhookGate} calls a load-tester stand-in on 127.0.0.1,
 * {@code PrometheusMetricGate} asks a real Prometheus that scrapes Istio series this test writes, and {@code
 * HttpNotifier} posts alerts and forwarded Events to the same stand-in. The API server is fabric8's mock; ticks are
 * driven with an injected clock, so the seed's 20 s interval costs no waiting. Only Prometheus's own scrapes take
 * real time (about two seconds before the first rate has two samples).
 */
class RealGatesScenarioIT {
    static final Duration INTERVAL = Duration.ofSeconds(20);
    /** Requests per scrape that the canary answers without and with a 5xx, in the faulty run: 89.02% succeed. */
    static final long FAULTY_OK = 8902;

    static final long FAULTY_ERRORS = 1098;

    MockCluster cluster;
    Vertx vertx;
    WorkerExecutor pool;
    HttpServer loadTester;
    RealPrometheus prometheus;
    Gates gates;
    Reconciler reconciler;
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-17T08:09:51Z"));
    /** What the stand-in received: {@code <type> <phase> <cmd>} for hooks, the text for alerts and Events. */
    final List<String> hookCalls = new CopyOnWriteArrayList<>();

    final List<String> alerts = new CopyOnWriteArrayList<>();
    final List<String> forwarded = new CopyOnWriteArrayList<>();
    /** Events in the order the analyzer emitted them. */
    final List<String> events = new CopyOnWriteArrayList<>();

    final List<Long> queryMicros = Collections.synchronizedList(new ArrayList<>());
    final List<Long> hookMicros = Collections.synchronizedList(new ArrayList<>());

    @org.junit.jupiter.api.BeforeAll
    static void freshFigures() throws Exception {
        // The figures of this run only: verify without clean keeps target/ between builds.
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target", "real-gates-latency.txt"));
    }

    @BeforeEach
    void start() throws Exception {
        RequiredTool.require(RealPrometheus.binary().isPresent(), "prometheus", "prometheus");
        vertx = Vertx.vertx();
        pool = vertx.createSharedWorkerExecutor(Controller.POOL, 4);
        loadTester = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    int[] status = answer(req.path(), body.toString());
                    req.response()
                            .setStatusCode(status[0])
                            .end(status[0] == 400 ? "metadata not found in payload" : "");
                }));
        await(loadTester.listen());
        cluster = new MockCluster().seed();
        String url = "http://127.0.0.1:" + loadTester.actualPort() + "/";
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().analysis.webhooks.forEach(h -> h.url = url);
                    return c;
                });
    }

    @AfterEach
    void stop() throws Exception {
        if (vertx == null) {
            return;
        }
        if (gates != null) {
            gates.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        report("metric query", queryMicros);
        report("webhook call", hookMicros);
        await(vertx.close());
    }

    /**
     * Flagger's load tester as far as the seed uses it (spec §7.4): {@code bash} blocks and answers 200, a background
     * {@code cmd} answers 202, a payload without metadata 400. Commands are recorded, not run. Alerts (Slack) and
     * forwarded Events arrive on their own paths.
     */
    int[] answer(String path, String body) {
        JsonObject payload = new JsonObject(body);
        if (path.equals("/slack")) {
            alerts.add(payload.getJsonArray("attachments").getJsonObject(0).getString("text"));
            return new int[] {200};
        }
        JsonObject metadata = payload.getJsonObject("metadata");
        if (path.equals("/events")) {
            forwarded.add(metadata.getString("eventType") + " " + metadata.getString("eventMessage"));
            return new int[] {200};
        }
        if (metadata == null) {
            return new int[] {400};
        }
        String type = metadata.getString("type", "cmd");
        hookCalls.add(type + " " + payload.getString("phase") + " " + metadata.getString("cmd"));
        return new int[] {"bash".equals(type) ? 200 : 202};
    }

    /** Starts Prometheus scraping the canary's series: {@code ok} and {@code errors} more requests per scrape. */
    void prometheus(long ok, long errors) throws Exception {
        prometheus = RealPrometheus.start(
                vertx,
                n -> new IstioSeries()
                        .requests("test", "podinfo", "cluster1", "200", ok * n)
                        .requests("test", "podinfo", "cluster1", "500", errors * n)
                        // The primary fails everything: the builtin queries must select the canary workload only.
                        .requests("test", "podinfo-primary", "cluster1", "500", 500 * n)
                        // Every request under 100 ms: the p99 passes the seed's 500 ms.
                        .durations(
                                "test",
                                "podinfo",
                                "cluster1",
                                (ok + errors) * n,
                                (ok + errors) * n,
                                (ok + errors) * n,
                                (ok + errors) * n,
                                (ok + errors) * n,
                                (ok + errors) * n)
                        .toString());
        String base = "http://127.0.0.1:" + loadTester.actualPort();
        GatesConfig config = GatesConfig.builder()
                .metricsServer(prometheus.url())
                .eventWebhook(base + "/events")
                .slack(new GatesConfig.ChatSettings(base + "/slack", "", "general", "flagger"))
                .clock(clock)
                .build();
        gates = Gates.create(
                vertx,
                config,
                new StaticObjectLookup(),
                new AnalyzerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "test", "gloo-mesh"));
        reconciler = new Reconciler(
                        new Kube(cluster.client, pool, () -> true),
                        cluster.caches(),
                        Settings.defaults(),
                        timed(gates),
                        timedHooks(gates.webhookGate()),
                        recording(gates.notifier()),
                        clock)
                .providers(gates.metricGate()::checkProviders);
        // rate() needs two scrapes inside its range before the first check can read anything.
        await(prometheus.awaitResult("sum(rate(istio_requests_total{destination_workload=\"podinfo\"}[30s]))"));
    }

    MetricGate timed(Gates g) {
        return (canary, metric, part) -> {
            long start = System.nanoTime();
            return g.metricGate()
                    .check(canary, metric, part)
                    .andThen(ar -> queryMicros.add((System.nanoTime() - start) / 1000));
        };
    }

    WebhookGate timedHooks(WebhookGate real) {
        return (canary, hook, phase) -> {
            long start = System.nanoTime();
            return real.call(canary, hook, phase).andThen(ar -> hookMicros.add((System.nanoTime() - start) / 1000));
        };
    }

    /** The real notifier, with each Event also kept in emit order (forwarding is asynchronous, arrival is not). */
    Notifier recording(Notifier real) {
        return new Notifier() {
            @Override
            public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
                real.alert(canary, message, severity, withMetadata);
            }

            @Override
            public void event(Canary canary, String eventType, String message) {
                events.add(eventType + " " + message);
                real.event(canary, eventType, message);
            }
        };
    }

    void tick() throws Exception {
        clock.advance(INTERVAL);
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo", true));
        cluster.settle();
    }

    void watchEvent() throws Exception {
        clock.advance(Duration.ofMillis(50));
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo", false));
        cluster.settle();
    }

    String phase() {
        return cluster.canary().getStatus().phase;
    }

    /** Bootstrap, then {@code kubectl set image}: the run starts on the watch event. */
    void startRun(String version) throws Exception {
        tick();
        watchEvent();
        assertThat(phase()).isEqualTo("Initialized");
        assertThat(events)
                .as("the providers were asked while initializing (spec §6.6)")
                .contains("Normal all the metrics providers are available!");
        events.clear();
        cluster.setImage(version);
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
    }

    /** Waits, with a deadline, until asynchronous deliveries have arrived: a timer asks, nothing sleeps. */
    void arrives(List<String> received, List<String> expected) throws Exception {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        long timer = vertx.setPeriodic(0, 20, id -> {
            if (received.containsAll(expected)) {
                done.tryComplete();
            }
        });
        try {
            await(done.future());
        } catch (AssertionError e) {
            // Reported by the assertion below, with what did arrive.
        } finally {
            vertx.cancelTimer(timer);
        }
        assertThat(received).containsAll(expected);
    }

    @Test
    @DisplayName("healthy canary: real hooks and real Prometheus take it through 30 and 60 to promotion")
    void promotesWithRealGates() throws Exception {
        prometheus(1000, 0);
        startRun("6.0.1");
        List<List<Integer>> weights = new ArrayList<>();
        for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
            tick();
            weights.add(cluster.weights());
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(weights)
                .containsExactly(List.of(70, 30), List.of(40, 60), List.of(40, 60), List.of(100, 0), List.of(100, 0));
        assertThat(cluster.deployment("podinfo-primary")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .endsWith(":6.0.1");
        assertThat(events).containsExactlyElementsOf(SeedEvents.PROMOTION);
        String curl = "curl -sd 'test' http://podinfo-canary.test:9898/token | grep token";
        String hey = "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/";
        assertThat(hookCalls)
                .containsExactly("bash Progressing " + curl, "cmd Progressing " + hey, "cmd Progressing " + hey);
        assertThat(queryMicros)
                .as("both builtins read on the two analysed ticks")
                .hasSize(4);
        arrives(
                alerts,
                List.of(
                        "New revision detected, progressing canary analysis.",
                        "Canary analysis completed successfully, promotion finished."));
        arrives(forwarded, events);
    }

    @Test
    @DisplayName("faulty canary: the success rate Prometheus computes halts five ticks, then the run rolls back")
    void rollsBackOnTheSuccessRatePrometheusReads() throws Exception {
        prometheus(FAULTY_OK, FAULTY_ERRORS);
        startRun("6.0.2");
        for (int i = 0; i < 10 && !"Failed".equals(phase()); i++) {
            tick();
        }
        Canary canary = cluster.canary();
        assertThat(canary.getStatus().phase).isEqualTo("Failed");
        assertThat(canary.getStatus().failedChecks).isEqualTo(5);
        assertThat(cluster.weights()).containsExactly(100, 0);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("once the 100/0 routes were read back")
                .isZero();
        // What the exporter wrote, formatted as Go's %.2f does for this value.
        String rate = String.format(Locale.ROOT, "%.2f", 100.0 * FAULTY_OK / (FAULTY_OK + FAULTY_ERRORS));
        String halt = "Halt podinfo.test advancement success rate " + rate + "% < 99%";
        assertThat(halt).isEqualTo("Halt podinfo.test advancement success rate 89.02% < 99%");
        List<String> expected = new ArrayList<>(List.of("Normal New revision detected! Scaling up podinfo.test"));
        expected.addAll(SeedEvents.rollback(halt));
        assertThat(events).containsExactlyElementsOf(expected);
        assertThat(hookCalls).filteredOn(c -> c.startsWith("cmd Progressing")).hasSize(5);
        assertThat(queryMicros)
                .as("the success rate fails first, so the duration is never asked")
                .hasSize(5);
        arrives(alerts, List.of("Failed checks threshold reached 5"));
        arrives(forwarded, events);
        assertThat(cluster.events())
                .extracting(e -> e.getType() + " " + e.getMessage())
                .contains("Warning " + halt);
    }

    void report(String what, List<Long> micros) {
        if (micros.isEmpty()) {
            return;
        }
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        String line = String.format(
                Locale.ROOT,
                "%s latency in the tick scenario over %d calls: median %.1f ms," + " p90 %.1f ms, max %.1f ms%n",
                what,
                sorted.size(),
                sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get(sorted.size() * 9 / 10) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
        System.out.print(line);
        try {
            // Kept next to detection-latency.txt so that a build leaves the figures the README quotes.
            java.nio.file.Files.writeString(
                    java.nio.file.Path.of("target", "real-gates-latency.txt"),
                    line,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            System.out.println("could not write target/real-gates-latency.txt: " + e);
        }
    }
}
