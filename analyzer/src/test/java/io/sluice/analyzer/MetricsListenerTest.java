package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.gates.AnalyzerMetrics;
import io.sluice.analyzer.testing.Seed;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MetricsListenerTest {
    final AnalyzerMetrics metrics =
            new AnalyzerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "test", "gloo-mesh");
    final MetricsListener listener =
            new MetricsListener(metrics, Clock.fixed(Instant.parse("2026-05-17T08:10:00Z"), ZoneOffset.UTC));

    static Canary canary() {
        return Seed.canary();
    }

    static CanaryStatus status(String phase, int weight) {
        CanaryStatus s = new CanaryStatus();
        s.phase = phase;
        s.canaryWeight = weight;
        return s;
    }

    @Test
    void phasesWeightsAndOutcomesBecomeFlaggersSeries() {
        Canary c = canary();
        listener.reconciled(c, status("Initialized", 0), status("Progressing", 30), Duration.ofMillis(5));
        String text = metrics.scrape();
        assertThat(text)
                .contains(
                        "flagger_canary_status{name=\"podinfo\",namespace=\"test\"} 0.0",
                        "flagger_canary_weight{namespace=\"test\",workload=\"podinfo\"} 30.0",
                        "flagger_canary_weight{namespace=\"test\",workload=\"podinfo-primary\"} 70.0",
                        "flagger_canary_total{namespace=\"test\"} 1.0");
        listener.reconciled(c, status("Finalising", 0), status("Succeeded", 0), Duration.ofMillis(5));
        listener.reconciled(c, status("Succeeded", 0), status("Succeeded", 0), Duration.ofMillis(5));
        assertThat(metrics.scrape())
                .as("counted once, on the transition")
                .contains("flagger_canary_successes_total{analysis_status=\"completed\",deployment_strategy=\"canary\","
                        + "name=\"podinfo\",namespace=\"test\"} 1.0");
        listener.forgotten("test/podinfo");
        assertThat(metrics.scrape())
                .doesNotContain("flagger_canary_status{name=\"podinfo\"")
                .contains("flagger_canary_total{namespace=\"test\"} 0.0");
    }

    @Test
    void theAnalysisDurationIsObservedForAnalysedTicksOnly() {
        Canary c = canary();
        listener.reconciled(c, status("Progressing", 10), status("Progressing", 20), Duration.ofMillis(5));
        listener.reconciled(c, status("Promoting", 0), status("Promoting", 0), Duration.ofMillis(5));
        assertThat(metrics.scrape()).doesNotContain("flagger_canary_duration_seconds_count{");
        listener.analysed(c, Duration.ofMillis(1500));
        assertThat(metrics.scrape())
                .contains(
                        "flagger_canary_duration_seconds_count{name=\"podinfo\",namespace=\"test\"} 1",
                        "flagger_canary_duration_seconds_sum{name=\"podinfo\",namespace=\"test\"} 1.5");
    }

    @Test
    void ticksReportTheirLatenessAndDeferrals() {
        listener.tickStarted("test/podinfo", Duration.ofMillis(250));
        listener.tickStarted("test/podinfo", Duration.ofSeconds(3));
        listener.tickDeferred("test/other", Duration.ofMillis(700));
        assertThat(metrics.scrape())
                .contains(
                        "sluice_tick_lateness_seconds_count 2",
                        "sluice_tick_lateness_seconds_sum 3.25",
                        "sluice_ticks_deferred_total 1.0");
    }

    @Test
    void aRunStartedFromAnAdmittedRevisionRecordsTheDetectionLatency() {
        Canary c = canary();
        CanaryStatus after = status("Progressing", 0);
        after.admittedRevision = new CanaryStatus.AdmittedRevision();
        after.admittedRevision.revision = "abc";
        after.admittedRevision.source = "flux";
        after.admittedRevision.admittedAt = "2026-05-17T08:09:59Z";
        after.currentRun = new CanaryStatus.CurrentRun();
        after.currentRun.revision = "abc";
        after.currentRun.startedAt = "2026-05-17T08:10:00Z";
        listener.reconciled(c, status("Initialized", 0), after, Duration.ofMillis(5));
        assertThat(metrics.scrape()).contains("sluice_detection_latency_seconds_count{source=\"flux\"} 1");
    }
}
