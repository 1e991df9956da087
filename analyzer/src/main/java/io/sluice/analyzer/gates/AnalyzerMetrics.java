package io.sluice.analyzer.gates;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The analyzer's own {@code /metrics}: Flagger's series under their exact names and labels, so that Flagger's Grafana
 * dashboard and the alert rule {@code flagger_canary_status > 1} keep working, plus Sluice's own {@code sluice_*}
 * series.
 *
 * <p>The series are registered on the Prometheus client registry underneath Micrometer's, not through Micrometer:
 * Micrometer derives names from units and adds a {@code _max} gauge to every timer, and Flagger's names must come out
 * unchanged. Labels never hold revision hashes, URLs or free text, so their cardinality is bounded by the number of
 * canaries; {@link #forget} drops a deleted canary's series.
 */
public final class AnalyzerMetrics {

    /** Buckets for Sluice's own latency histograms: 5 ms to 60 s, a Prometheus query or a webhook call. */
    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    /** The traffic strategy label of the success and failure counters. */
    public enum Strategy {
        CANARY("canary"),
        BLUE_GREEN("blue-green"),
        AB_TESTING("ab-testing");

        private final String label;

        Strategy(String label) {
            this.label = label;
        }

        /** A/B with {@code iterations} and {@code match}, Blue/Green with {@code iterations}, otherwise canary. */
        public static Strategy of(Canary canary) {
            CanaryAnalysis analysis =
                    canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis();
            if (CanaryDefaults.iterations(analysis) > 0) {
                return analysis.match != null && !analysis.match.isEmpty() ? AB_TESTING : BLUE_GREEN;
            }
            return CANARY;
        }

        public String label() {
            return label;
        }
    }

    /** {@code analysis_status} of {@code flagger_canary_successes_total}. */
    public enum AnalysisStatus {
        COMPLETED,
        SKIPPED
    }

    private final PrometheusMeterRegistry registry;
    private final Gauge info;
    private final Gauge canaryTotal;
    private final Gauge status;
    private final Gauge weight;
    private final Histogram analysisDuration;
    private final Gauge metricAnalysis;
    private final Counter successes;
    private final Counter failures;

    private final Histogram detectionLatency;
    private final Histogram reconcileDuration;
    private final Histogram tickLateness;
    private final Counter ticksDeferred;
    private final Histogram metricQueryDuration;
    private final Counter metricChecks;
    private final Histogram webhookDuration;
    private final Counter webhookCalls;
    private final Counter alerts;
    private final Counter eventsForwarded;
    private final Counter apiRequests;
    private final Gauge leader;

    /**
     * @param registry     the registry {@code /metrics} scrapes; Micrometer meters registered elsewhere on it are
     *                     scraped alongside
     * @param version      Sluice's version, for {@code flagger_info}
     * @param meshProvider the analyzer's default provider, for {@code flagger_info}
     */
    public AnalyzerMetrics(PrometheusMeterRegistry registry, String version, String meshProvider) {
        this.registry = registry;
        PrometheusRegistry r = registry.getPrometheusRegistry();
        info = register(
                r,
                Gauge.builder()
                        .name("flagger_info")
                        .help("Information about the analyzer: its version and default mesh provider.")
                        .labelNames("version", "mesh_provider")
                        .withoutExemplars()
                        .build());
        canaryTotal = register(
                r,
                Gauge.builder()
                        .name("flagger_canary_total")
                        .help("Number of canaries per namespace.")
                        .labelNames("namespace")
                        .withoutExemplars()
                        .build());
        status = register(
                r,
                Gauge.builder()
                        .name("flagger_canary_status")
                        .help("Canary status: 0 while Progressing, 2 after a failure, 1 otherwise.")
                        .labelNames("name", "namespace")
                        .withoutExemplars()
                        .build());
        weight = register(
                r,
                Gauge.builder()
                        .name("flagger_canary_weight")
                        .help("Traffic weight of the primary and of the canary workload.")
                        .labelNames("workload", "namespace")
                        .withoutExemplars()
                        .build());
        analysisDuration = register(
                r,
                Histogram.builder()
                        .name("flagger_canary_duration_seconds")
                        .help("Duration of each analysis tick.")
                        .classicOnly()
                        .labelNames("name", "namespace")
                        .withoutExemplars()
                        .build());
        metricAnalysis = register(
                r,
                Gauge.builder()
                        .name("flagger_canary_metric_analysis")
                        .help("Last value of each metric check (durations in seconds).")
                        .labelNames("name", "namespace", "metric")
                        .withoutExemplars()
                        .build());
        successes = register(
                r,
                Counter.builder()
                        .name("flagger_canary_successes_total")
                        .help("Promoted canary runs.")
                        .labelNames("name", "namespace", "deployment_strategy", "analysis_status")
                        .withoutExemplars()
                        .build());
        failures = register(
                r,
                Counter.builder()
                        .name("flagger_canary_failures_total")
                        .help("Rolled back canary runs.")
                        .labelNames("name", "namespace", "deployment_strategy", "analysis_status")
                        .withoutExemplars()
                        .build());

        detectionLatency = register(
                r,
                Histogram.builder()
                        .name("sluice_detection_latency_seconds")
                        .help("Time from the admission of a new revision to the start of its run, by who sent it.")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .labelNames("source")
                        .withoutExemplars()
                        .build());
        tickLateness = register(
                r,
                Histogram.builder()
                        .name("sluice_tick_lateness_seconds")
                        .help("How long after it was due an analysis tick's reconcile started.")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .withoutExemplars()
                        .build());
        ticksDeferred = register(
                r,
                Counter.builder()
                        .name("sluice_ticks_deferred_total")
                        .help(
                                "Analysis ticks moved to a later second by --max-ticks-per-second or to keep ticks at the even rate.")
                        .withoutExemplars()
                        .build());
        reconcileDuration = register(
                r,
                Histogram.builder()
                        .name("sluice_reconcile_duration_seconds")
                        .help("Duration of one reconcile of one canary, by result.")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .labelNames("result")
                        .withoutExemplars()
                        .build());
        metricQueryDuration = register(
                r,
                Histogram.builder()
                        .name("sluice_metric_query_duration_seconds")
                        .help("Duration of one metric check, by provider and verdict.")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .labelNames("provider", "verdict")
                        .withoutExemplars()
                        .build());
        metricChecks = register(
                r,
                Counter.builder()
                        .name("sluice_metric_checks_total")
                        .help("Metric checks by provider and verdict (pass, fail, no_data, error).")
                        .labelNames("provider", "verdict")
                        .withoutExemplars()
                        .build());
        webhookDuration = register(
                r,
                Histogram.builder()
                        .name("sluice_webhook_duration_seconds")
                        .help("Duration of one webhook call, retries included, by hook type and outcome.")
                        .classicOnly()
                        .classicUpperBounds(LATENCY_BUCKETS)
                        .labelNames("type", "outcome")
                        .withoutExemplars()
                        .build());
        webhookCalls = register(
                r,
                Counter.builder()
                        .name("sluice_webhook_calls_total")
                        .help("Webhook calls by hook type and outcome (passed, refused, error).")
                        .labelNames("type", "outcome")
                        .withoutExemplars()
                        .build());
        alerts = register(
                r,
                Counter.builder()
                        .name("sluice_alerts_total")
                        .help("Alerts by provider type and outcome (sent, failed).")
                        .labelNames("provider", "outcome")
                        .withoutExemplars()
                        .build());
        eventsForwarded = register(
                r,
                Counter.builder()
                        .name("sluice_events_forwarded_total")
                        .help("Events forwarded to event webhooks, by outcome (sent, failed).")
                        .labelNames("outcome")
                        .withoutExemplars()
                        .build());
        apiRequests = register(
                r,
                Counter.builder()
                        .name("sluice_api_requests_total")
                        .help("Kubernetes API requests by verb, resource and status class.")
                        .labelNames("verb", "resource", "code")
                        .withoutExemplars()
                        .build());
        leader = register(
                r,
                Gauge.builder()
                        .name("sluice_leader")
                        .help("1 while this analyzer holds the leader Lease, 0 otherwise.")
                        .withoutExemplars()
                        .build());

        info.labelValues(version, meshProvider).set(1);
        leader.set(0);
    }

    /** Exemplars need a tracer library Sluice does not ship; without one they only cost a lookup per sample. */
    private static <M extends io.prometheus.metrics.model.registry.Collector> M register(
            PrometheusRegistry r, M metric) {
        r.register(metric);
        return metric;
    }

    /** The text {@code /metrics} serves (Prometheus text format). */
    public String scrape() {
        return registry.scrape();
    }

    /** {@code flagger_canary_total}: how many canaries live in {@code namespace}. */
    public void setCanaryTotal(String namespace, int count) {
        canaryTotal.labelValues(namespace).set(count);
    }

    /** {@code flagger_canary_status}: 0 while Progressing, 2 when Failed, 1 for every other phase. */
    public void setStatus(Canary canary, CanaryPhase phase) {
        status.labelValues(target(canary), namespace(canary)).set(statusValue(phase));
    }

    static int statusValue(CanaryPhase phase) {
        if (phase == CanaryPhase.Progressing) {
            return 0;
        }
        return phase == CanaryPhase.Failed ? 2 : 1;
    }

    /** {@code flagger_canary_weight} of {@code <target>-primary} and {@code <target>}. */
    public void setWeight(Canary canary, int primaryWeight, int canaryWeight) {
        weight.labelValues(target(canary) + "-primary", namespace(canary)).set(primaryWeight);
        weight.labelValues(target(canary), namespace(canary)).set(canaryWeight);
    }

    /** {@code flagger_canary_duration_seconds}: one analysis tick. */
    public void observeAnalysis(Canary canary, Duration duration) {
        analysisDuration.labelValues(target(canary), namespace(canary)).observe(seconds(duration));
    }

    /** {@code flagger_canary_metric_analysis}: the last value of one metric check. */
    public void setMetricValue(Canary canary, String metric, double value) {
        metricAnalysis.labelValues(target(canary), namespace(canary), metric).set(value);
    }

    /** {@code flagger_canary_successes_total}. */
    public void countSuccess(Canary canary, Strategy strategy, AnalysisStatus analysisStatus) {
        successes
                .labelValues(
                        target(canary),
                        namespace(canary),
                        strategy.label(),
                        analysisStatus.name().toLowerCase(Locale.ROOT))
                .inc();
    }

    /** {@code flagger_canary_failures_total} (a rollback or a failed promotion). */
    public void countFailure(Canary canary, Strategy strategy) {
        failures.labelValues(target(canary), namespace(canary), strategy.label(), "completed")
                .inc();
    }

    /**
     * {@code sluice_detection_latency_seconds}: from {@code status.admittedRevision.admittedAt} to the start of the
     * run. {@code source} is one of the admission service's sources ({@code kubectl}, {@code flux}, …).
     */
    public void observeDetectionLatency(String source, Duration latency) {
        detectionLatency
                .labelValues(bounded(source, List.of("kubectl", "flux", "argocd", "helm", "other"), "other"))
                .observe(seconds(latency));
    }

    /** {@code sluice_tick_lateness_seconds}. */
    public void observeTickLateness(Duration lateness) {
        tickLateness.observe(seconds(lateness));
    }

    /** {@code sluice_ticks_deferred_total}. */
    public void countTickDeferred() {
        ticksDeferred.inc();
    }

    /** {@code sluice_reconcile_duration_seconds}; {@code result} is a fixed word such as ok, conflict or error. */
    public void observeReconcile(String result, Duration duration) {
        reconcileDuration.labelValues(result).observe(seconds(duration));
    }

    /** {@code sluice_api_requests_total}; {@code code} becomes its class ({@code 2xx}, {@code 4xx}, …, {@code 0xx} for none). */
    public void countApiRequest(String verb, String resource, int code) {
        apiRequests.labelValues(verb, resource, (code / 100) + "xx").inc();
    }

    /** {@code sluice_leader}. */
    public void setLeader(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
    }

    /** Drops every series of a deleted canary, so that dashboards do not show it forever. */
    public void forget(Canary canary) {
        String name = target(canary);
        String ns = namespace(canary);
        status.remove(name, ns);
        weight.remove(name + "-primary", ns);
        weight.remove(name, ns);
        analysisDuration.remove(name, ns);
        metricAnalysis.removeIf(
                labels -> labels.get(0).equals(name) && labels.get(1).equals(ns));
        successes.removeIf(labels -> labels.get(0).equals(name) && labels.get(1).equals(ns));
        failures.removeIf(labels -> labels.get(0).equals(name) && labels.get(1).equals(ns));
    }

    void observeMetricCheck(String provider, MetricOutcome.Verdict verdict, Duration duration) {
        String v = verdict.name().toLowerCase(Locale.ROOT);
        metricQueryDuration.labelValues(provider, v).observe(seconds(duration));
        metricChecks.labelValues(provider, v).inc();
    }

    void observeWebhook(String type, String outcome, Duration duration) {
        webhookDuration.labelValues(type, outcome).observe(seconds(duration));
        webhookCalls.labelValues(type, outcome).inc();
    }

    void countAlert(String provider, String outcome) {
        alerts.labelValues(provider, outcome).inc();
    }

    void countEventForward(String outcome) {
        eventsForwarded.labelValues(outcome).inc();
    }

    private static String bounded(String value, List<String> allowed, String fallback) {
        return value != null && allowed.contains(value) ? value : fallback;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String target(Canary canary) {
        return canary.getSpec().targetRef.name;
    }

    private static String namespace(Canary canary) {
        return canary.getMetadata().getNamespace();
    }
}
