package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.gates.AnalyzerMetrics.AnalysisStatus;
import io.sluice.analyzer.gates.AnalyzerMetrics.Strategy;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.HttpMatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnalyzerMetricsTest {
    private PrometheusMeterRegistry registry;
    private AnalyzerMetrics metrics;
    private final Canary canary = Fixtures.podinfo();

    @BeforeEach
    void setUp() {
        registry = Registries.fresh();
        metrics = new AnalyzerMetrics(registry, "0.1.0", "gloo-mesh");
    }

    private double value(String series) {
        return Scrapes.value(metrics.scrape(), series);
    }

    @Test
    void flaggersSeriesComeOutUnderTheirExactNamesAndLabels() {
        metrics.setCanaryTotal("test", 1);
        metrics.setStatus(canary, CanaryPhase.Failed);
        metrics.setWeight(canary, 70, 30);
        metrics.observeAnalysis(canary, Duration.ofMillis(1200));
        metrics.setMetricValue(canary, "request-success-rate", 99.5);
        metrics.countSuccess(canary, Strategy.CANARY, AnalysisStatus.COMPLETED);
        metrics.countFailure(canary, Strategy.CANARY);

        assertThat(value("flagger_info{mesh_provider=\"gloo-mesh\",version=\"0.1.0\"}"))
                .isEqualTo(1);
        assertThat(value("flagger_canary_total{namespace=\"test\"}")).isEqualTo(1);
        assertThat(value("flagger_canary_status{name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(2);
        assertThat(value("flagger_canary_weight{namespace=\"test\",workload=\"podinfo-primary\"}"))
                .isEqualTo(70);
        assertThat(value("flagger_canary_weight{namespace=\"test\",workload=\"podinfo\"}"))
                .isEqualTo(30);
        assertThat(value("flagger_canary_duration_seconds_count{name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(1);
        assertThat(value("flagger_canary_duration_seconds_sum{name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(1.2);
        // Prometheus's default buckets, as Flagger's histogram has.
        assertThat(value("flagger_canary_duration_seconds_bucket{name=\"podinfo\",namespace=\"test\",le=\"1.0\"}"))
                .isZero();
        assertThat(value("flagger_canary_duration_seconds_bucket{name=\"podinfo\",namespace=\"test\",le=\"2.5\"}"))
                .isEqualTo(1);
        assertThat(value("flagger_canary_duration_seconds_bucket{name=\"podinfo\",namespace=\"test\",le=\"10.0\"}"))
                .isEqualTo(1);
        assertThat(
                        value(
                                "flagger_canary_metric_analysis{metric=\"request-success-rate\",name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(99.5);
        assertThat(value("flagger_canary_successes_total{analysis_status=\"completed\",deployment_strategy=\"canary\","
                        + "name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(1);
        assertThat(value("flagger_canary_failures_total{analysis_status=\"completed\",deployment_strategy=\"canary\","
                        + "name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(1);
        assertThat(metrics.scrape())
                .contains("# TYPE flagger_canary_successes_total counter")
                .contains("# TYPE flagger_canary_duration_seconds histogram")
                .doesNotContain("flagger_canary_duration_seconds_max");
    }

    @ParameterizedTest(name = "{0} is reported as {1}")
    @CsvSource({
        "Progressing, 0",
        "Failed, 2",
        "Initialized, 1",
        "Waiting, 1",
        "WaitingPromotion, 1",
        "Promoting, 1",
        "Finalising, 1",
        "Succeeded, 1",
        "Initializing, 1"
    })
    void statusGaugeIsZeroOnlyWhileProgressing(CanaryPhase phase, int expected) {
        metrics.setStatus(canary, phase);
        assertThat(value("flagger_canary_status{name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(expected);
    }

    @Test
    void strategyFollowsIterationsAndMatch() {
        assertThat(Strategy.of(canary)).isEqualTo(Strategy.CANARY);
        canary.getSpec().analysis.iterations = 10;
        assertThat(Strategy.of(canary).label()).isEqualTo("blue-green");
        canary.getSpec().analysis.match = List.of(new HttpMatch());
        assertThat(Strategy.of(canary).label()).isEqualTo("ab-testing");
    }

    @Test
    void sluicesOwnSeriesHaveBoundedLabels() {
        metrics.observeDetectionLatency("kubectl", Duration.ofMillis(40));
        metrics.observeDetectionLatency("some-unknown-controller", Duration.ofMillis(40));
        metrics.observeReconcile("ok", Duration.ofMillis(3));
        metrics.countApiRequest("PATCH", "canaries/status", 409);
        metrics.setLeader(true);
        metrics.observeMetricCheck("prometheus", MetricOutcome.Verdict.NO_DATA, Duration.ofMillis(12));
        metrics.observeWebhook("pre-rollout", "passed", Duration.ofMillis(8));

        assertThat(value("sluice_detection_latency_seconds_count{source=\"kubectl\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_detection_latency_seconds_count{source=\"other\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_reconcile_duration_seconds_count{result=\"ok\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_api_requests_total{code=\"4xx\",resource=\"canaries/status\",verb=\"PATCH\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_leader")).isEqualTo(1);
        assertThat(value("sluice_metric_checks_total{provider=\"prometheus\",verdict=\"no_data\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_metric_query_duration_seconds_count{provider=\"prometheus\",verdict=\"no_data\"}"))
                .isEqualTo(1);
        assertThat(value("sluice_webhook_duration_seconds_count{outcome=\"passed\",type=\"pre-rollout\"}"))
                .isEqualTo(1);
    }

    @Test
    void forgetDropsADeletedCanarysSeries() {
        metrics.setStatus(canary, CanaryPhase.Succeeded);
        metrics.setWeight(canary, 100, 0);
        metrics.setMetricValue(canary, "request-duration", 0.1);
        metrics.countSuccess(canary, Strategy.CANARY, AnalysisStatus.SKIPPED);
        metrics.forget(canary);
        assertThat(metrics.scrape()).doesNotContain("name=\"podinfo\"").doesNotContain("workload=\"podinfo");
    }

    @Test
    void micrometerMetersShareTheScrape() {
        registry.counter("sluice.http.requests").increment();
        assertThat(metrics.scrape()).contains("sluice_http_requests_total 1.0").contains("flagger_info");
    }
}
