package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.MetricPart;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.decision.Texts;
import io.sluice.analyzer.gates.PrometheusClient.Endpoint;
import io.sluice.model.Durations;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metric checks: the builtin {@code request-success-rate} and {@code request-duration} (Istio queries against
 * Prometheus, as Gloo Mesh's data plane is Istio), the deprecated inline {@code query}, and MetricTemplates, each asked
 * of the {@link MetricsProvider} of its type.
 *
 * <p>Event texts follow Flagger's byte for byte (see {@link MetricOutcome#message()}); Sluice's additions (the
 * minimum-traffic guard, unsupported provider types, timeouts) have their own texts.
 */
public final class PrometheusMetricGate implements MetricGate {
    /** Per-Canary cluster name for the builtin queries' cluster filter; overrides {@code --cluster-name}. */
    public static final String CLUSTER_NAME_ANNOTATION = WellKnown.CLUSTER_NAME_ANNOTATION;
    /**
     * Per-Canary minimum-traffic guard, e.g. {@code request-success-rate=20,request-duration=20}; overrides
     * {@code --min-requests}. A builtin metric whose canary served fewer requests over the metric's interval is
     * {@link Verdict#NO_DATA}.
     */
    public static final String MIN_REQUESTS_ANNOTATION = WellKnown.MIN_REQUESTS_ANNOTATION;

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricGate.class);
    private static final String PROMETHEUS = TemplateSources.PROMETHEUS;
    /** The window of a metric whose interval does not parse (the validator denies such Canaries). */
    private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    private final PrometheusClient client;
    private final PrometheusProvider prometheus;
    private final TemplateSources templates;
    private final GatesConfig config;
    private final AnalyzerMetrics metrics;

    /** Queries templates of type {@code prometheus} only. */
    PrometheusMetricGate(PrometheusClient client, ObjectLookup lookup, GatesConfig config, AnalyzerMetrics metrics) {
        this(client, lookup, config, metrics, List.of());
    }

    /**
     * @param others the providers of the other template types; {@code prometheus} is always the one over
     *     {@code client}, which also answers the builtin and inline queries
     */
    PrometheusMetricGate(
            PrometheusClient client,
            ObjectLookup lookup,
            GatesConfig config,
            AnalyzerMetrics metrics,
            List<MetricsProvider> others) {
        this.client = client;
        this.prometheus = new PrometheusProvider(client, config.metricsServer());
        List<MetricsProvider> all = new ArrayList<>(others);
        all.add(0, prometheus);
        this.templates = new TemplateSources(lookup, new MetricsProviders(all));
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Checks one part of an {@code analysis.metrics[]} entry: its builtin or inline query, or its template (an entry
     * named like a builtin with a {@code templateRef} has both, and Flagger runs both, in separate passes).
     */
    @Override
    public Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric, MetricPart part) {
        Future<MetricOutcome> outcome = part == MetricPart.DIRECT ? direct(canary, metric) : templated(canary, metric);
        return outcome.map(o -> o != null ? o : new MetricOutcome(metric.name, MetricOutcome.Verdict.PASS, null, null));
    }

    /**
     * Asks every provider the canary's metrics use whether it is reachable: the Prometheus of the builtin metrics (the
     * canary's {@code metricsServer} or {@code --metrics-server}) for {@code vector(1)}, and each template's provider
     * in its own way ({@link MetricsProvider#online}). Flagger does this while a
     * canary initializes and only reports it: a Normal Event {@code all the metrics providers are available!} or an
     * Error Event {@code Error checking metric providers: <err>} (Flagger's texts, misspelling included). Empty
     * {@link ProviderAvailability#NOTHING_TO_REPORT} when the canary has no metrics. The future always succeeds.
     */
    public Future<ProviderAvailability> checkProviders(Canary canary) {
        CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
        List<CanaryAnalysis.Metric> list = analysis == null || analysis.metrics == null ? List.of() : analysis.metrics;
        if (list.isEmpty()) {
            return Future.succeededFuture(ProviderAvailability.NOTHING_TO_REPORT);
        }
        Future<String> problem = Future.succeededFuture(null);
        for (CanaryAnalysis.Metric metric : list) {
            problem = problem.compose(
                    found -> found != null ? Future.succeededFuture(found) : providerProblem(canary, metric));
        }
        return problem.map(found -> found == null
                ? new ProviderAvailability(true, Texts.PROVIDERS_AVAILABLE)
                : new ProviderAvailability(false, Texts.providersError(found)));
    }

    private Future<String> providerProblem(Canary canary, CanaryAnalysis.Metric metric) {
        if (Queries.isBuiltin(metric.name)) {
            return prometheus
                    .online(ProviderTarget.of(builtinAddress(canary)), config.queryTimeout())
                    .map(err -> err == null ? null : "prometheus not avaiable: " + err);
        }
        if (metric.templateRef == null) {
            return Future.succeededFuture(null);
        }
        return templates.resolve(canary, metric.templateRef).compose(source -> {
            if (source instanceof TemplateSources.Broken broken) {
                return Future.succeededFuture(broken.availabilityMessage());
            }
            TemplateSources.Ready ready = (TemplateSources.Ready) source;
            return ready.provider()
                    .online(ready.target(), config.queryTimeout())
                    .map(err -> err == null
                            ? null
                            : source.type() + " in metric template " + source.ref() + " not avaiable: " + err);
        });
    }

    /** The builtin or inline part of an entry; {@code null} when it has neither. */
    private Future<MetricOutcome> direct(Canary canary, CanaryAnalysis.Metric metric) {
        if (Queries.isBuiltin(metric.name)) {
            return timed(canary, PROMETHEUS, () -> builtin(canary, metric)).compose(outcome -> {
                if (!outcome.passed() || !hasText(metric.query)) {
                    return Future.succeededFuture(outcome);
                }
                return timed(canary, PROMETHEUS, () -> inline(canary, metric));
            });
        }
        if (hasText(metric.query)) {
            return timed(canary, PROMETHEUS, () -> inline(canary, metric));
        }
        return Future.succeededFuture(null);
    }

    /** The template part of an entry; an error for a custom metric with nothing to run; {@code null} otherwise. */
    private Future<MetricOutcome> templated(Canary canary, CanaryAnalysis.Metric metric) {
        if (metric.templateRef != null) {
            return template(canary, metric);
        }
        if (!Queries.isBuiltin(metric.name) && !hasText(metric.query)) {
            return Future.succeededFuture(Verdicts.error(
                    metric, "Metric query failed for no usable metrics template and query were configured"));
        }
        return Future.succeededFuture(null);
    }

    private Future<MetricOutcome> timed(Canary canary, String provider, Supplier<Future<MetricOutcome>> check) {
        long start = System.nanoTime();
        return check.get().onSuccess(outcome -> record(canary, provider, outcome, start));
    }

    private void record(Canary canary, String provider, MetricOutcome outcome, long start) {
        metrics.observeMetricCheck(provider, outcome.verdict(), Duration.ofNanos(System.nanoTime() - start));
        if (outcome.value() != null) {
            metrics.setMetricValue(canary, outcome.metric(), outcome.value());
        }
        if (!outcome.passed()) {
            LOG.info(
                    "canary={} metric={} verdict={}: {}",
                    canary.key(),
                    outcome.metric(),
                    outcome.verdict(),
                    outcome.message());
        }
    }

    private Future<MetricOutcome> builtin(Canary canary, CanaryAnalysis.Metric metric) {
        Queries.Scope scope = new Queries.Scope(
                canary.getMetadata().getNamespace(),
                canary.getSpec().targetRef.name,
                CanaryDefaults.metricInterval(metric),
                config.clusterLabel(),
                clusterName(canary));
        Endpoint endpoint = Endpoint.of(builtinAddress(canary));
        Verdicts verdicts = verdicts(canary);
        long minRequests = minRequests(canary, metric.name);
        Future<MetricOutcome> guard = minRequests <= 0
                ? Future.succeededFuture(null)
                : client.query(endpoint, Queries.requestCount(scope), config.queryTimeout())
                        .map(result -> verdicts.traffic(metric, scope.interval(), minRequests, result));
        return guard.compose(stop -> {
            if (stop != null) {
                return Future.succeededFuture(stop);
            }
            if (Queries.DURATION.equals(metric.name)) {
                return client.query(endpoint, Queries.duration(scope), config.queryTimeout())
                        .map(r -> verdicts.duration(metric, r));
            }
            return client.query(endpoint, Queries.successRate(scope), config.queryTimeout())
                    .compose(r ->
                            r instanceof QueryResult.NoValues ? allFailed(endpoint, scope) : Future.succeededFuture(r))
                    .map(r -> verdicts.successRate(metric, r));
        });
    }

    /**
     * The success-rate query has no value both without traffic and when every response was a 5xx (the numerator then
     * has no series at all). Asking for the request rate alone tells the two apart, so that a canary failing every
     * request is judged at 0% instead of looking like a quiet one, which the hold policy would wait out.
     */
    private Future<QueryResult> allFailed(Endpoint endpoint, Queries.Scope scope) {
        return client.query(endpoint, Queries.requestRate(scope), config.queryTimeout())
                .map(total -> total instanceof QueryResult.Value v && v.value() > 0
                        ? new QueryResult.Value(0)
                        : new QueryResult.NoValues());
    }

    private Future<MetricOutcome> inline(Canary canary, CanaryAnalysis.Metric metric) {
        return client.query(Endpoint.of(builtinAddress(canary)), metric.query, config.queryTimeout())
                .map(result -> verdicts(canary).inline(metric, result));
    }

    private Future<MetricOutcome> template(Canary canary, CanaryAnalysis.Metric metric) {
        long start = System.nanoTime();
        return templates
                .resolve(canary, metric.templateRef)
                .compose(source -> runTemplate(canary, metric, source)
                        .onSuccess(outcome -> record(canary, source.type(), outcome, start)));
    }

    private Future<MetricOutcome> runTemplate(
            Canary canary, CanaryAnalysis.Metric metric, TemplateSources.Source source) {
        if (source instanceof TemplateSources.Broken broken) {
            return Future.succeededFuture(Verdicts.error(metric, broken.checkMessage()));
        }
        TemplateSources.Ready ready = (TemplateSources.Ready) source;
        String query;
        try {
            query = Queries.render(
                    ready.spec().query == null ? "" : ready.spec().query,
                    TemplateSources.values(canary, metric),
                    metric.templateVariables);
        } catch (Queries.RenderException e) {
            return Future.succeededFuture(Verdicts.error(
                    metric, "Metric template " + ready.ref() + " query render error: " + e.getMessage()));
        }
        Duration window = Durations.parse(CanaryDefaults.metricInterval(metric)).orElse(DEFAULT_WINDOW);
        return ready.provider()
                .query(ready.target(), query, window, config.queryTimeout())
                .map(result -> verdicts(canary).template(metric, result));
    }

    private Verdicts verdicts(Canary canary) {
        return new Verdicts(
                canary.key(),
                canary.getSpec().targetRef.name + "." + canary.getMetadata().getNamespace());
    }

    private String builtinAddress(Canary canary) {
        return hasText(canary.getSpec().metricsServer) ? canary.getSpec().metricsServer : config.metricsServer();
    }

    private String clusterName(Canary canary) {
        String annotated = annotation(canary, CLUSTER_NAME_ANNOTATION);
        return hasText(annotated) ? annotated.trim() : config.clusterName();
    }

    /** The canary's guard for {@code metric}: its annotation's entry when present, else the analyzer's setting. */
    long minRequests(Canary canary, String metric) {
        String annotated = annotation(canary, MIN_REQUESTS_ANNOTATION);
        if (hasText(annotated)) {
            for (String entry : annotated.split(",")) {
                String[] kv = entry.split("=", 2);
                if (kv.length == 2 && kv[0].trim().equals(metric)) {
                    try {
                        return Long.parseLong(kv[1].trim());
                    } catch (NumberFormatException e) {
                        LOG.warn(
                                "canary={} annotation {} has a non-numeric entry \"{}\"; using the analyzer's setting",
                                canary.key(),
                                MIN_REQUESTS_ANNOTATION,
                                entry.trim());
                    }
                }
            }
        }
        return config.minRequests().getOrDefault(metric, 0L);
    }

    private static String annotation(Canary canary, String key) {
        Map<String, String> annotations = canary.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
