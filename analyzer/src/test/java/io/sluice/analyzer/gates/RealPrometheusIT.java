package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.testing.RequiredTool;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The builtin checks against a real Prometheus (the Debian package {@code prometheus}), scraping a local endpoint
 * that serves Istio series Sluice controls: the canary {@code podinfo} answers 89.02% of its requests without a 5xx
 * and has a p99 of 1750 ms, the canary {@code healthy} answers everything fast, the canary {@code failing} answers
 * only 500s, and a second cluster's {@code podinfo} succeeds 10% of the time (only the cluster filter keeps it out).
 */
class RealPrometheusIT {
    private static Vertx vertx;
    private static RealPrometheus prometheus;
    private static Gates gates;

    @BeforeAll
    static void start() throws Exception {
        RequiredTool.require(RealPrometheus.binary().isPresent(), "prometheus", "prometheus");
        vertx = Vertx.vertx();
        prometheus = RealPrometheus.start(vertx, RealPrometheusIT::exposition);
        GatesConfig settings = GatesConfig.builder()
                .metricsServer(prometheus.url())
                .clusterName("cluster1")
                .build();
        gates = Gates.create(
                vertx,
                settings,
                new StaticObjectLookup(),
                new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh"));
        // rate() needs two samples inside the range.
        await(prometheus.awaitResult("sum(rate(istio_requests_total[1m]))"));
    }

    @AfterAll
    static void stop() {
        if (gates != null) {
            gates.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    @Test
    void readsTheSuccessRateTheExporterMadeAndHaltsWithTheSeedsText() {
        Canary canary = canary("podinfo");
        MetricOutcome outcome = await(gates.metricGate()
                .check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.value()).isCloseTo(89.02, org.assertj.core.data.Offset.offset(0.001));
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement success rate 89.02% < 99%");
    }

    @Test
    void readsTheP99TheExporterMade() {
        Canary canary = canary("podinfo");
        MetricOutcome outcome = await(gates.metricGate()
                .check(canary, canary.getSpec().analysis.metrics.get(1)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        // 98 of 100 requests under 100 ms, 2 between 1 s and 2.5 s: Prometheus interpolates the p99 to 1750 ms.
        assertThat(outcome.value()).isCloseTo(1.75, org.assertj.core.data.Offset.offset(0.0015));
        assertThat(outcome.message())
                .isIn(
                        "Halt podinfo.test advancement request duration 1.75s > 500ms",
                        "Halt podinfo.test advancement request duration 1.749s > 500ms");
    }

    @Test
    void aHealthyCanaryPassesBothBuiltins() {
        Canary canary = canary("healthy");
        List<MetricOutcome> outcomes = canary.getSpec().analysis.metrics.stream()
                .map(m -> await(gates.metricGate().check(canary, m)))
                .toList();
        assertThat(outcomes).extracting(MetricOutcome::verdict).containsExactly(Verdict.PASS, Verdict.PASS);
        assertThat(outcomes.get(0).value()).isEqualTo(100.0);
        assertThat(outcomes.get(1).value()).isLessThanOrEqualTo(0.1);
    }

    @Test
    void theClusterAnnotationSelectsTheOtherClustersSeries() {
        Canary canary = canary("podinfo");
        canary.getMetadata().setAnnotations(java.util.Map.of(PrometheusMetricGate.CLUSTER_NAME_ANNOTATION, "cluster2"));
        MetricOutcome outcome = await(gates.metricGate()
                .check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement success rate 10.00% < 99%");
    }

    @Test
    void aCanaryFailingEveryRequestIsJudgedAtZeroPercentNotAsNoData() {
        Canary canary = canary("failing");
        MetricOutcome outcome = await(gates.metricGate()
                .check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.message()).isEqualTo("Halt failing.test advancement success rate 0.00% < 99%");
    }

    @Test
    void aWorkloadWithoutSeriesIsNoData() {
        Canary canary = canary("absent");
        MetricOutcome outcome = await(gates.metricGate()
                .check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(outcome.message())
                .isEqualTo("Halt advancement no values found for istio metric request-success-rate "
                        + "probably absent.test is not receiving traffic: running query failed: no values found");
    }

    @Test
    void measuresQueryLatency() {
        Canary canary = canary("podinfo");
        List<Long> micros = new ArrayList<>();
        List<MetricOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long start = System.nanoTime();
            outcomes.add(await(gates.metricGate()
                    .check(canary, canary.getSpec().analysis.metrics.get(i % 2))));
            micros.add((System.nanoTime() - start) / 1000);
        }
        // A latency of failed queries measures nothing: every answer must be the value the exporter was made to give.
        for (int i = 0; i < outcomes.size(); i++) {
            MetricOutcome o = outcomes.get(i);
            assertThat(o.verdict()).as("check %d", i).isEqualTo(Verdict.FAIL);
            assertThat(o.value())
                    .as("check %d", i)
                    .isCloseTo(i % 2 == 0 ? 89.02 : 1.75, org.assertj.core.data.Offset.offset(0.0015));
        }
        Collections.sort(micros);
        System.out.printf(
                "real Prometheus builtin check latency over %d checks: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                micros.size(),
                micros.get(micros.size() / 2) / 1000.0,
                micros.get(micros.size() * 9 / 10) / 1000.0,
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
    static String exposition(long n) {
        return new IstioSeries()
                .requests("test", "podinfo", "cluster1", "200", 8902 * n)
                .requests("test", "podinfo", "cluster1", "500", 1098 * n)
                .requests("test", "podinfo", "cluster2", "200", 100 * n)
                .requests("test", "podinfo", "cluster2", "503", 900 * n)
                .requests("test", "failing", "cluster1", "500", 700 * n)
                .requests("test", "podinfo-primary", "cluster1", "500", 9000 * n)
                .requests("test", "healthy", "cluster1", "200", 1000 * n)
                .durations("test", "podinfo", "cluster1", 98 * n, 98 * n, 98 * n, 98 * n, 100 * n, 100 * n)
                .durations("test", "healthy", "cluster1", 100 * n, 100 * n, 100 * n, 100 * n, 100 * n, 100 * n)
                .toString();
    }
}
