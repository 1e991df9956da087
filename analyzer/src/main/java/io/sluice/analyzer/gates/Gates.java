package io.sluice.analyzer.gates;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.List;

/**
 * The analyzer's gates, wired: metric checks, webhooks, alerts and Event forwarding over one pair of HTTP clients.
 *
 * <pre>{@code
 * AnalyzerMetrics metrics = new AnalyzerMetrics(registry, version, config.meshProvider());
 * Gates gates = Gates.create(vertx, config, lookup, metrics);
 * gates.metricGate().check(canary, metric) ...
 * }</pre>
 */
public final class Gates implements AutoCloseable {
    /**
     * Connections per host. Many canaries share one Prometheus and one load tester; a small pool would queue healthy
     * checks behind slow ones (each request still has its own deadline).
     */
    static final int CONNECTIONS_PER_HOST = 64;

    private final GatesConfig config;
    private final WebClient verified;
    private final WebClient insecure;
    private final PrometheusMetricGate metricGate;
    private final HttpWebhookGate webhookGate;
    private final HttpNotifier notifier;
    private final AnalyzerMetrics metrics;

    private Gates(
            GatesConfig config,
            WebClient verified,
            WebClient insecure,
            PrometheusMetricGate metricGate,
            HttpWebhookGate webhookGate,
            HttpNotifier notifier,
            AnalyzerMetrics metrics) {
        this.config = config;
        this.verified = verified;
        this.insecure = insecure;
        this.metricGate = metricGate;
        this.webhookGate = webhookGate;
        this.notifier = notifier;
        this.metrics = metrics;
    }

    /**
     * @param vertx   the analyzer's Vert.x; timers and HTTP run on its event loops, nothing blocks
     * @param config  the settings ({@code analyzer/GATES.md})
     * @param lookup  MetricTemplates, Secrets and AlertProviders, from the Kubernetes side's caches
     * @param metrics the analyzer's {@code /metrics}, which the gates count into
     */
    public static Gates create(Vertx vertx, GatesConfig config, ObjectLookup lookup, AnalyzerMetrics metrics) {
        PoolOptions pool =
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_HOST).setHttp2MaxSize(CONNECTIONS_PER_HOST);
        WebClient verified = WebClient.create(vertx, options(), pool);
        WebClient insecure = WebClient.create(vertx, options().setTrustAll(true).setVerifyHost(false), pool);
        HttpWebhookGate hooks = new HttpWebhookGate(verified, insecure, Delay.timers(vertx), config, metrics);
        return new Gates(
                config,
                verified,
                insecure,
                new PrometheusMetricGate(
                        new PrometheusClient(verified, insecure, config.outbound()),
                        lookup,
                        config,
                        metrics,
                        providers(verified, insecure, config)),
                hooks,
                new HttpNotifier(verified, hooks, lookup, config, metrics),
                metrics);
    }

    /** The template providers besides Prometheus, which the metric gate always has. */
    static List<MetricsProvider> providers(WebClient verified, WebClient insecure, GatesConfig config) {
        ProviderHttp http = new ProviderHttp(verified, insecure, config.outbound());
        Clock clock = Clock.systemUTC();
        return List.of(
                new DatadogProvider(http, clock),
                new NewRelicProvider(http),
                new DynatraceProvider(http, clock),
                new GraphiteProvider(http),
                new InfluxDbProvider(http),
                new SplunkProvider(http, clock));
    }

    private static WebClientOptions options() {
        WebClientOptions options = new WebClientOptions().setUserAgent("sluice-analyzer");
        ProxySettings proxy = ProxySettings.fromEnvironment(System.getenv());
        proxy.proxy().ifPresent(p -> options.setProxyOptions(p).setNonProxyHosts(proxy.nonProxyHosts()));
        return options;
    }

    public PrometheusMetricGate metricGate() {
        return metricGate;
    }

    public HttpWebhookGate webhookGate() {
        return webhookGate;
    }

    public HttpNotifier notifier() {
        return notifier;
    }

    public AnalyzerMetrics metrics() {
        return metrics;
    }

    public GatesConfig config() {
        return config;
    }

    @Override
    public void close() {
        verified.close();
        insecure.close();
    }
}
