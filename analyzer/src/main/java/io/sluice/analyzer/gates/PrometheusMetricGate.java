package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.MetricOutcome.Verdict;
import io.sluice.analyzer.gates.PrometheusClient.Credentials;
import io.sluice.analyzer.gates.PrometheusClient.Endpoint;
import io.sluice.analyzer.gates.PrometheusClient.Result;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metric checks against Prometheus: the builtin {@code request-success-rate} and {@code request-duration} (Istio
 * queries, as Gloo Mesh's data plane is Istio), the deprecated inline {@code query}, and MetricTemplates of provider
 * type {@code prometheus}.
 *
 * <p>Event texts follow Flagger's byte for byte (see {@link MetricOutcome#message()}); Sluice's additions (the
 * minimum-traffic guard, unsupported provider types, timeouts) have their own texts.
 */
public final class PrometheusMetricGate implements MetricGate {
    /** Per-Canary cluster name for the builtin queries' cluster filter; overrides {@code --cluster-name}. */
    public static final String CLUSTER_NAME_ANNOTATION = "sluice.io/cluster-name";
    /**
     * Per-Canary minimum-traffic guard, e.g. {@code request-success-rate=20,request-duration=20}; overrides
     * {@code --min-requests}. A builtin metric whose canary served fewer requests over the metric's interval is
     * {@link Verdict#NO_DATA}.
     */
    public static final String MIN_REQUESTS_ANNOTATION = "sluice.io/min-requests";

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricGate.class);
    private static final String PROMETHEUS = "prometheus";
    /** The event text names the observer family; Gloo Mesh's metrics are Istio's. */
    private static final String OBSERVER = "istio";
    /** MetricTemplate provider types of Flagger's API that Sluice does not query. */
    private static final Set<String> OTHER_PROVIDERS = Set.of("influxdb", "datadog", "externalmetrics", "stackdriver",
            "cloudwatch", "newrelic", "graphite", "dynatrace", "keptn", "splunk");

    private final PrometheusClient client;
    private final ObjectLookup lookup;
    private final GatesConfig config;
    private final AnalyzerMetrics metrics;

    PrometheusMetricGate(PrometheusClient client, ObjectLookup lookup, GatesConfig config, AnalyzerMetrics metrics) {
        this.client = client;
        this.lookup = lookup;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Checks one {@code analysis.metrics[]} entry: the builtin or inline query first, then its template when it also
     * has a {@code templateRef} (Flagger runs both). The first non-pass is the outcome.
     */
    @Override
    public Future<MetricOutcome> check(Canary canary, CanaryAnalysis.Metric metric) {
        return direct(canary, metric).compose(first -> {
            if (first != null && !first.passed()) {
                return Future.succeededFuture(first);
            }
            return templated(canary, metric).map(second -> second != null ? second : first);
        });
    }

    /**
     * Every metric of the canary in Flagger's order: builtin and inline checks in list order, then template checks in
     * list order. A {@link Verdict#FAIL} stops the rest; so does a no-data or error outcome under the {@code fail}
     * policy. Under {@code hold} the remaining checks still run, so that a real threshold breach is not hidden behind
     * a silent metric.
     */
    @Override
    public Future<List<MetricOutcome>> checkAll(Canary canary) {
        CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
        List<CanaryAnalysis.Metric> list = analysis == null || analysis.metrics == null ? List.of() : analysis.metrics;
        NoDataPolicy policy = NoDataPolicy.resolve(canary, config.noDataPolicy());
        List<Supplier<Future<MetricOutcome>>> steps = new ArrayList<>();
        list.forEach(m -> steps.add(() -> direct(canary, m)));
        list.forEach(m -> steps.add(() -> templated(canary, m)));
        return runInOrder(steps, 0, new ArrayList<>(), policy);
    }

    private Future<List<MetricOutcome>> runInOrder(List<Supplier<Future<MetricOutcome>>> steps, int i,
                                                   List<MetricOutcome> done, NoDataPolicy policy) {
        if (i == steps.size()) {
            return Future.succeededFuture(done);
        }
        return steps.get(i).get().compose(outcome -> {
            if (outcome != null) {
                done.add(outcome);
                if (policy.countsAsFailedCheck(outcome)) {
                    return Future.succeededFuture(done);
                }
            }
            return runInOrder(steps, i + 1, done, policy);
        });
    }

    /** Whether a canary's metric providers answer, and the Event that says so. */
    public record ProviderAvailability(boolean available, String message) {
    }

    /**
     * Asks every provider the canary's metrics use for {@code vector(1)}: the Prometheus of the builtin metrics (the
     * canary's {@code metricsServer} or {@code --metrics-server}) and each template's. Flagger does this while a
     * canary initializes and only reports it: a Normal Event {@code all the metrics providers are available!} or an
     * Error Event {@code Error checking metric providers: <err>} (Flagger's texts, misspelling included). Empty
     * when the canary has no metrics, since then there is nothing to report.
     */
    public Future<java.util.Optional<ProviderAvailability>> checkProviders(Canary canary) {
        CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
        List<CanaryAnalysis.Metric> list = analysis == null || analysis.metrics == null ? List.of() : analysis.metrics;
        if (list.isEmpty()) {
            return Future.succeededFuture(java.util.Optional.empty());
        }
        Future<String> problem = Future.succeededFuture(null);
        for (CanaryAnalysis.Metric metric : list) {
            problem = problem.compose(found -> found != null ? Future.succeededFuture(found) : providerProblem(canary, metric));
        }
        return problem.map(found -> java.util.Optional.of(found == null
                ? new ProviderAvailability(true, "all the metrics providers are available!")
                : new ProviderAvailability(false, "Error checking metric providers: " + found)));
    }

    private Future<String> providerProblem(Canary canary, CanaryAnalysis.Metric metric) {
        if (Queries.isBuiltin(metric.name)) {
            String address = hasText(canary.getSpec().metricsServer) ? canary.getSpec().metricsServer : config.metricsServer();
            return online(Endpoint.of(address)).map(err -> err == null ? null : "prometheus not avaiable: " + err);
        }
        if (metric.templateRef == null) {
            return Future.succeededFuture(null);
        }
        String ns = CanaryDefaults.namespace(metric.templateRef, canary.getMetadata().getNamespace());
        String ref = metric.templateRef.name + "." + ns;
        return lookup.template(ns, metric.templateRef.name).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture("metric template " + ref + " error: " + message(ar.cause()));
            }
            MetricTemplate template = ar.result();
            String type = providerType(template);
            if (OTHER_PROVIDERS.contains(type) || template.getSpec() == null || template.getSpec().provider == null) {
                // Reported by the check itself, with its own text; availability is about reaching a provider.
                return Future.succeededFuture(null);
            }
            MetricTemplate.Provider provider = template.getSpec().provider;
            String address = hasText(provider.address) ? provider.address
                    : hasText(canary.getSpec().metricsServer) ? canary.getSpec().metricsServer : config.metricsServer();
            Future<Credentials> credentials = provider.secretRef == null || !hasText(provider.secretRef.name)
                    ? Future.succeededFuture(new Credentials.None())
                    : lookup.secretData(ns, provider.secretRef.name).map(PrometheusMetricGate::credentialsOf);
            return credentials.transform(cr -> cr.failed()
                    ? Future.succeededFuture("metric template " + ref + " secret " + provider.secretRef.name + " error: "
                            + message(cr.cause()))
                    : online(new Endpoint(address, provider.headers, cr.result(),
                            Boolean.TRUE.equals(provider.insecureSkipVerify)))
                            .map(err -> err == null ? null : type + " in metric template " + ref + " not avaiable: " + err));
        });
    }

    /** Null when the endpoint answers {@code vector(1)} with 1, else why not. */
    private Future<String> online(Endpoint endpoint) {
        return client.query(endpoint, "vector(1)", config.queryTimeout()).map(result -> {
            if (result instanceof Result.Value v && v.value() == 1) {
                return null;
            }
            if (result instanceof Result.Failed f) {
                return "running query failed: " + f.error();
            }
            return "value is not 1 for query: vector(1)";
        });
    }

    private static Credentials credentialsOf(Map<String, String> data) {
        if (hasText(data.get("token"))) {
            return new Credentials.Bearer(data.get("token").trim());
        }
        if (hasText(data.get("username")) && data.get("password") != null) {
            return new Credentials.Basic(data.get("username"), data.get("password"));
        }
        return new Credentials.None();
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
            return Future.succeededFuture(new MetricOutcome(metric.name, Verdict.ERROR, null,
                    "Metric query failed for no usable metrics template and query were configured"));
        }
        return Future.succeededFuture(null);
    }

    private Future<MetricOutcome> timed(Canary canary, String provider, Supplier<Future<MetricOutcome>> check) {
        long start = System.nanoTime();
        return check.get().onSuccess(outcome -> {
            metrics.observeMetricCheck(provider, outcome.verdict(), Duration.ofNanos(System.nanoTime() - start));
            if (outcome.value() != null) {
                metrics.setMetricValue(canary, outcome.metric(), outcome.value());
            }
            if (!outcome.passed()) {
                LOG.info("canary={} metric={} verdict={}: {}", canary.key(), outcome.metric(), outcome.verdict(),
                        outcome.message());
            }
        });
    }

    private Future<MetricOutcome> builtin(Canary canary, CanaryAnalysis.Metric metric) {
        CanarySpec spec = canary.getSpec();
        String ns = canary.getMetadata().getNamespace();
        String target = spec.targetRef.name;
        Queries.Scope scope = new Queries.Scope(ns, target, CanaryDefaults.metricInterval(metric), config.clusterLabel(),
                clusterName(canary));
        Endpoint endpoint = Endpoint.of(hasText(spec.metricsServer) ? spec.metricsServer : config.metricsServer());
        boolean successRate = Queries.SUCCESS_RATE.equals(metric.name);
        String query = successRate ? Queries.successRate(scope) : Queries.duration(scope);
        long minRequests = minRequests(canary, metric.name);
        Future<MetricOutcome> guard = minRequests <= 0 ? Future.succeededFuture(null)
                : client.query(endpoint, Queries.requestCount(scope), config.queryTimeout())
                        .map(result -> trafficGuard(canary, metric, scope, minRequests, result));
        return guard.compose(stop -> {
            if (stop != null) {
                return Future.succeededFuture(stop);
            }
            Future<Result> result = client.query(endpoint, query, config.queryTimeout());
            if (!successRate) {
                return result.map(r -> judgeDuration(canary, metric, r));
            }
            return result.compose(r -> r instanceof Result.NoValues ? allFailed(endpoint, scope) : Future.succeededFuture(r))
                    .map(r -> judgeSuccessRate(canary, metric, r));
        });
    }

    /**
     * The success-rate query has no value both without traffic and when every response was a 5xx (the numerator then
     * has no series at all). Asking for the request rate alone tells the two apart, so that a canary failing every
     * request is judged at 0% instead of looking like a quiet one, which the hold policy would wait out.
     */
    private Future<Result> allFailed(Endpoint endpoint, Queries.Scope scope) {
        return client.query(endpoint, Queries.requestRate(scope), config.queryTimeout()).map(total ->
                total instanceof Result.Value v && v.value() > 0 ? new Result.Value(0) : new Result.NoValues());
    }

    private MetricOutcome trafficGuard(Canary canary, CanaryAnalysis.Metric metric, Queries.Scope scope, long min,
                                       Result result) {
        if (result instanceof Result.Failed f) {
            return new MetricOutcome(metric.name, Verdict.ERROR, null,
                    "Prometheus query failed: running query failed: " + f.error());
        }
        double count = result instanceof Result.Value v ? v.value() : 0;
        if (count >= min) {
            return null;
        }
        return new MetricOutcome(metric.name, Verdict.NO_DATA, null, "Halt advancement too little traffic for "
                + OBSERVER + " metric " + metric.name + " of " + canary.getSpec().targetRef.name + "."
                + canary.getMetadata().getNamespace() + ": " + Math.round(Math.floor(count)) + " requests in "
                + scope.interval() + ", at least " + min + " needed");
    }

    private MetricOutcome judgeSuccessRate(Canary canary, CanaryAnalysis.Metric metric, Result result) {
        if (result instanceof Result.NoValues) {
            return new MetricOutcome(metric.name, Verdict.NO_DATA, null, "Halt advancement no values found for "
                    + OBSERVER + " metric " + metric.name + " probably " + targetKey(canary)
                    + " is not receiving traffic: running query failed: no values found");
        }
        if (result instanceof Result.Failed f) {
            return new MetricOutcome(metric.name, Verdict.ERROR, null,
                    "Prometheus query failed: running query failed: " + f.error());
        }
        double v = ((Result.Value) result).value();
        String halt = "Halt " + canary.key() + " advancement success rate " + GoFormat.fixed2(v) + "% ";
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && v < range.min) {
                return fail(metric, v, halt + "< " + GoFormat.shortest(range.min) + "%");
            }
            if (range.max != null && v > range.max) {
                return fail(metric, v, halt + "> " + GoFormat.shortest(range.max) + "%");
            }
        } else if (metric.threshold != null && metric.threshold > v) {
            return fail(metric, v, halt + "< " + GoFormat.shortest(metric.threshold) + "%");
        }
        return new MetricOutcome(metric.name, Verdict.PASS, v, null);
    }

    private MetricOutcome judgeDuration(Canary canary, CanaryAnalysis.Metric metric, Result result) {
        if (result instanceof Result.NoValues) {
            return new MetricOutcome(metric.name, Verdict.NO_DATA, null, "Halt advancement no values found for "
                    + OBSERVER + " metric " + metric.name + " probably " + targetKey(canary) + " is not receiving traffic");
        }
        if (result instanceof Result.Failed f) {
            return new MetricOutcome(metric.name, Verdict.ERROR, null,
                    "Prometheus query failed: running query failed: " + f.error());
        }
        // Whole milliseconds, truncated, compared as durations: the way Flagger reads and prints the value.
        Duration value = millis(((Result.Value) result).value());
        double seconds = value.toNanos() / 1e9;
        String halt = "Halt " + canary.key() + " advancement request duration " + GoFormat.duration(value) + " ";
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && value.compareTo(millis(range.min)) < 0) {
                return fail(metric, seconds, halt + "< " + GoFormat.duration(millis(range.min)));
            }
            if (range.max != null && value.compareTo(millis(range.max)) > 0) {
                return fail(metric, seconds, halt + "> " + GoFormat.duration(millis(range.max)));
            }
        } else if (metric.threshold != null && value.compareTo(millis(metric.threshold)) > 0) {
            return fail(metric, seconds, halt + "> " + GoFormat.duration(millis(metric.threshold)));
        }
        return new MetricOutcome(metric.name, Verdict.PASS, seconds, null);
    }

    private Future<MetricOutcome> inline(Canary canary, CanaryAnalysis.Metric metric) {
        String address = hasText(canary.getSpec().metricsServer) ? canary.getSpec().metricsServer : config.metricsServer();
        return client.query(Endpoint.of(address), metric.query, config.queryTimeout()).map(result -> {
            if (result instanceof Result.NoValues) {
                return new MetricOutcome(metric.name, Verdict.NO_DATA, null,
                        "Halt advancement no values found for metric: " + metric.name);
            }
            if (result instanceof Result.Failed f) {
                return new MetricOutcome(metric.name, Verdict.ERROR, null,
                        "Prometheus query failed for " + metric.name + ": " + f.error());
            }
            return judgeCustom(canary, metric, ((Result.Value) result).value());
        });
    }

    private Future<MetricOutcome> template(Canary canary, CanaryAnalysis.Metric metric) {
        String ns = CanaryDefaults.namespace(metric.templateRef, canary.getMetadata().getNamespace());
        String ref = metric.templateRef.name + "." + ns;
        return lookup.template(ns, metric.templateRef.name)
                .transform(ar -> {
                    if (ar.failed()) {
                        return Future.succeededFuture(error(metric, "Metric template " + ref + " error: "
                                + message(ar.cause())));
                    }
                    MetricTemplate template = ar.result();
                    String type = providerType(template);
                    return timed(canary, type, () -> runTemplate(canary, metric, template, ns, ref, type));
                });
    }

    private Future<MetricOutcome> runTemplate(Canary canary, CanaryAnalysis.Metric metric, MetricTemplate template,
                                              String ns, String ref, String type) {
        MetricTemplate.Spec spec = template.getSpec();
        if (spec == null || spec.provider == null) {
            return Future.succeededFuture(error(metric, "Metric template " + ref + " error: spec.provider is not set"));
        }
        if (OTHER_PROVIDERS.contains(type)) {
            return Future.succeededFuture(error(metric, "Metric template " + ref + " provider " + type
                    + " error: Sluice queries only prometheus providers"));
        }
        String query;
        try {
            query = Queries.render(spec.query == null ? "" : spec.query, templateValues(canary, metric),
                    metric.templateVariables);
        } catch (Queries.RenderException e) {
            return Future.succeededFuture(error(metric, "Metric template " + ref + " query render error: "
                    + e.getMessage()));
        }
        MetricTemplate.Provider provider = spec.provider;
        String address = hasText(provider.address) ? provider.address
                : hasText(canary.getSpec().metricsServer) ? canary.getSpec().metricsServer : config.metricsServer();
        boolean insecure = Boolean.TRUE.equals(provider.insecureSkipVerify);
        Future<Credentials> credentials;
        if (provider.secretRef == null || !hasText(provider.secretRef.name)) {
            credentials = Future.succeededFuture(new Credentials.None());
        } else {
            String secret = provider.secretRef.name;
            credentials = lookup.secretData(ns, secret).transform(ar -> {
                if (ar.failed()) {
                    return Future.failedFuture(new IllegalStateException("Metric template " + ref + " secret "
                            + secret + " error: " + message(ar.cause())));
                }
                Map<String, String> data = ar.result();
                if (hasText(data.get("token"))) {
                    return Future.succeededFuture(new Credentials.Bearer(data.get("token").trim()));
                }
                if (hasText(data.get("username")) && data.get("password") != null) {
                    return Future.succeededFuture(new Credentials.Basic(data.get("username"), data.get("password")));
                }
                return Future.failedFuture(new IllegalStateException("Metric template " + ref + " provider " + type
                        + " error: secret " + secret + "." + ns + " holds neither token nor username and password"));
            });
        }
        return credentials.transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(error(metric, ar.cause().getMessage()));
            }
            Endpoint endpoint = new Endpoint(address, provider.headers, ar.result(), insecure);
            return client.query(endpoint, query, config.queryTimeout()).map(result -> {
                if (result instanceof Result.NoValues) {
                    return new MetricOutcome(metric.name, Verdict.NO_DATA, null,
                            "Halt advancement no values found for custom metric: " + metric.name + ": no values found");
                }
                if (result instanceof Result.Failed f) {
                    return error(metric, "Metric query failed for " + metric.name + ": " + f.error());
                }
                return judgeCustom(canary, metric, ((Result.Value) result).value());
            });
        });
    }

    private MetricOutcome judgeCustom(Canary canary, CanaryAnalysis.Metric metric, double v) {
        String halt = "Halt " + canary.key() + " advancement " + metric.name + " " + GoFormat.fixed2(v) + " ";
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && v < range.min) {
                return fail(metric, v, halt + "< " + GoFormat.shortest(range.min));
            }
            if (range.max != null && v > range.max) {
                return fail(metric, v, halt + "> " + GoFormat.shortest(range.max));
            }
        } else if (metric.threshold != null && v > metric.threshold) {
            return fail(metric, v, halt + "> " + GoFormat.shortest(metric.threshold));
        }
        return new MetricOutcome(metric.name, Verdict.PASS, v, null);
    }

    /** The values of a template's actions, as Flagger defines them. */
    static Map<String, String> templateValues(Canary canary, CanaryAnalysis.Metric metric) {
        CanarySpec spec = canary.getSpec();
        String target = spec.targetRef.name;
        Map<String, String> values = new HashMap<>();
        values.put("name", canary.getMetadata().getName());
        values.put("namespace", canary.getMetadata().getNamespace());
        values.put("target", target);
        values.put("service", CanaryDefaults.serviceName(spec));
        values.put("ingress", spec.ingressRef != null && hasText(spec.ingressRef.name) ? spec.ingressRef.name : target);
        values.put("route", spec.routeRef != null && hasText(spec.routeRef.name) ? spec.routeRef.name : target);
        values.put("interval", CanaryDefaults.metricInterval(metric));
        return values;
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
                        LOG.warn("canary={} annotation {} has a non-numeric entry \"{}\"; using the analyzer's setting",
                                canary.key(), MIN_REQUESTS_ANNOTATION, entry.trim());
                    }
                }
            }
        }
        return config.minRequests().getOrDefault(metric, 0L);
    }

    private static String providerType(MetricTemplate template) {
        String type = template.getSpec() == null || template.getSpec().provider == null
                ? null : template.getSpec().provider.type;
        return hasText(type) ? type.trim().toLowerCase(Locale.ROOT) : PROMETHEUS;
    }

    private static MetricOutcome fail(CanaryAnalysis.Metric metric, double value, String message) {
        return new MetricOutcome(metric.name, Verdict.FAIL, value, message);
    }

    private static MetricOutcome error(CanaryAnalysis.Metric metric, String message) {
        return new MetricOutcome(metric.name, Verdict.ERROR, null, message);
    }

    /** Go converts the float to an integer count of milliseconds by truncation; so does Sluice. */
    private static Duration millis(double ms) {
        return Duration.ofMillis((long) ms);
    }

    private static String targetKey(Canary canary) {
        return canary.getSpec().targetRef.name + "." + canary.getMetadata().getNamespace();
    }

    private static String annotation(Canary canary, String key) {
        Map<String, String> annotations = canary.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
