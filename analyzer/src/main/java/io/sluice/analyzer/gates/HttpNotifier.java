package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.gates.AlertPayloads.Field;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanarySpec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts to chat providers and (through {@link EventForwarder}) Events to event webhooks, both fire and forget: a
 * failure is logged and counted ({@code sluice_alerts_total}, {@code sluice_events_forwarded_total}) and never stalls a
 * canary.
 *
 * <p>Alert routing: a canary without {@code analysis.alerts} alerts the global Slack and MS Teams webhooks (each that
 * is set; every severity). Otherwise each entry's provider gets the alerts at or above the entry's severity: {@code
 * info} all, {@code warn} warn and error, {@code error} only errors. An empty severity means {@code info}, as Flagger's
 * documentation says (Flagger itself sends nothing then).
 */
public final class HttpNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(HttpNotifier.class);
    /** Chat services answer with a word or two; only the start of an error page is logged. */
    private static final int MAX_BODY_KEPT = 4096;

    private final WebClient client;
    private final EventForwarder events;
    private final ObjectLookup lookup;
    private final GatesConfig config;
    private final AnalyzerMetrics metrics;

    HttpNotifier(
            WebClient client, HttpWebhookGate hooks, ObjectLookup lookup, GatesConfig config, AnalyzerMetrics metrics) {
        this.client = client;
        this.events = new EventForwarder(hooks, config, metrics);
        this.lookup = lookup;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
        send(canary, message, severity, withMetadata);
    }

    @Override
    public void event(Canary canary, String eventType, String message) {
        forward(
                canary,
                eventType,
                message,
                canary.getStatus() == null ? null : canary.getStatus().phase());
    }

    @Override
    public void event(Canary canary, String eventType, String message, CanaryPhase phase) {
        forward(canary, eventType, message, phase);
    }

    /** Sends an alert; the future completes (always successfully) once every provider answered or failed. */
    Future<Void> send(Canary canary, String message, Severity severity, boolean withMetadata) {
        List<Field> fields = fields(canary, withMetadata);
        CanaryAnalysis analysis = canary.getSpec().effectiveAnalysis();
        List<Future<Void>> sends = new ArrayList<>();
        if (analysis == null || analysis.alerts == null || analysis.alerts.isEmpty()) {
            if (config.slack().enabled()) {
                GatesConfig.ChatSettings s = config.slack();
                String bearer = s.token().isEmpty() ? null : s.token();
                sends.add(post(
                        canary,
                        "slack",
                        s.url(),
                        s.proxy(),
                        bearer,
                        AlertPayloads.slack(
                                orDefault(s.channel(), CanaryDefaults.ALERT_CHANNEL),
                                orDefault(s.username(), CanaryDefaults.ALERT_USERNAME),
                                canary.key(),
                                message,
                                severity,
                                fields)));
            } else if (config.msTeams().enabled()) {
                // One global channel, as Flagger has: MS Teams only when no Slack URL is set.
                GatesConfig.ChatSettings s = config.msTeams();
                sends.add(post(
                        canary,
                        "msteams",
                        s.url(),
                        s.proxy(),
                        null,
                        AlertPayloads.msTeams(canary.key(), message, severity, fields)));
            }
        } else {
            for (CanaryAnalysis.Alert alert : analysis.alerts) {
                if (admits(alert, severity, canary)) {
                    sends.add(toProvider(canary, alert, message, severity, fields));
                }
            }
        }
        return Future.join(sends).<Void>mapEmpty().otherwiseEmpty();
    }

    /** True when the entry's severity lets an alert of {@code severity} through. */
    static boolean admits(CanaryAnalysis.Alert alert, Severity severity, Canary canary) {
        String level = CanaryDefaults.alertSeverity(alert).toLowerCase(Locale.ROOT);
        Severity least = switch (level) {
            case "info" -> Severity.INFO;
            case "warn" -> Severity.WARN;
            case "error" -> Severity.ERROR;
            default -> {
                LOG.warn(
                        "canary={} alert {} has severity \"{}\"; expected info, warn or error, sending everything",
                        canary.key(),
                        alert.name,
                        alert.severity);
                yield Severity.INFO;
            }
        };
        return severity.compareTo(least) >= 0;
    }

    private Future<Void> toProvider(
            Canary canary, CanaryAnalysis.Alert alert, String message, Severity severity, List<Field> fields) {
        if (alert.providerRef == null || alert.providerRef.name == null) {
            return failed(canary, "unknown", "alert " + alert.name + " has no providerRef");
        }
        String ns =
                CanaryDefaults.namespace(alert.providerRef, canary.getMetadata().getNamespace());
        String ref = alert.providerRef.name + "." + ns;
        return lookup.alertProvider(ns, alert.providerRef.name).transform(ar -> {
            if (ar.failed()) {
                return failed(
                        canary,
                        "unknown",
                        "alert provider " + ref + ": " + ar.cause().getMessage());
            }
            AlertProvider provider = ar.result();
            AlertProvider.Spec spec = provider.getSpec();
            String type =
                    spec == null || spec.type == null ? "" : spec.type.trim().toLowerCase(Locale.ROOT);
            if (spec == null || type.isEmpty()) {
                return failed(canary, "unknown", "alert provider " + ref + " has no type");
            }
            Future<Map<String, String>> secret = spec.secretRef == null || spec.secretRef.name == null
                    ? Future.succeededFuture(Map.of())
                    : lookup.secretData(ns, spec.secretRef.name);
            return secret.transform(sr -> {
                if (sr.failed()) {
                    return failed(
                            canary,
                            type,
                            "alert provider " + ref + " secret " + spec.secretRef.name + ": "
                                    + sr.cause().getMessage());
                }
                Map<String, String> data = sr.result();
                if (spec.secretRef != null && isBlank(data.get("address"))) {
                    return failed(
                            canary,
                            type,
                            "alert provider " + ref + " secret " + spec.secretRef.name + " has no address key");
                }
                String address =
                        !isBlank(data.get("address")) ? data.get("address").trim() : spec.address;
                String proxy = !isBlank(data.get("proxy")) ? data.get("proxy").trim() : spec.proxy;
                String token =
                        isBlank(data.get("token")) ? null : data.get("token").trim();
                if (isBlank(address)) {
                    return failed(canary, type, "alert provider " + ref + " has no address");
                }
                String channel = orDefault(spec.channel, CanaryDefaults.ALERT_CHANNEL);
                String username = orDefault(spec.username, CanaryDefaults.ALERT_USERNAME);
                String key = canary.key();
                return switch (type) {
                    case "slack" ->
                        post(
                                canary,
                                type,
                                address,
                                proxy,
                                token,
                                AlertPayloads.slack(channel, username, key, message, severity, fields));
                    case "discord" ->
                        post(
                                canary,
                                type,
                                address.endsWith("/slack") ? address : address + "/slack",
                                proxy,
                                token,
                                AlertPayloads.discord(channel, username, key, message, severity, fields));
                    case "rocket" ->
                        post(
                                canary,
                                type,
                                address,
                                proxy,
                                token,
                                AlertPayloads.rocket(channel, username, key, message, severity, fields));
                    case "msteams" ->
                        post(
                                canary,
                                type,
                                address,
                                proxy,
                                token,
                                AlertPayloads.msTeams(key, message, severity, fields));
                    case "gchat" ->
                        post(canary, type, address, proxy, token, AlertPayloads.googleChat(key, message, fields));
                    default ->
                        failed(
                                canary,
                                "unknown",
                                "alert provider " + ref + " has type \"" + spec.type
                                        + "\"; Sluice sends to slack, msteams, discord, rocket and gchat");
                };
            });
        });
    }

    private Future<Void> post(Canary canary, String type, String url, String proxy, String token, JsonObject payload) {
        // The address is often the credential itself (a Slack webhook URL) and the proxy may carry a password:
        // neither is ever echoed, only the address's scheme and host.
        String denied = config.outbound().problem(url);
        if (denied != null) {
            return failed(canary, type, "alert to " + type + ": " + denied);
        }
        ProxyOptions through = null;
        if (!isBlank(proxy)) {
            try {
                through = proxyOptions(proxy);
            } catch (IllegalArgumentException e) {
                return failed(
                        canary,
                        type,
                        "alert to " + type + " at " + HttpWebhookGate.origin(url) + ": " + e.getMessage());
            }
        }
        HttpRequest<io.vertx.core.buffer.Buffer> request;
        try {
            request = client.postAbs(url);
        } catch (RuntimeException e) {
            return failed(
                    canary,
                    type,
                    "alert to " + type + " at " + HttpWebhookGate.origin(url)
                            + ": invalid address (expected an absolute http or https URL)");
        }
        if (through != null) {
            request.proxy(through);
        }
        long ms = config.alertTimeout().toMillis();
        request.putHeader("Content-Type", "application/json").connectTimeout(ms).idleTimeout(ms);
        if (token != null) {
            request.bearerTokenAuthentication(token);
        }
        CappedBody answer = new CappedBody(MAX_BODY_KEPT);
        return request.as(answer.codec())
                .sendJsonObject(payload)
                .timeout(ms, TimeUnit.MILLISECONDS)
                .transform(ar -> {
                    if (ar.failed()) {
                        return failed(
                                canary,
                                type,
                                "alert to " + type + " failed: "
                                        + PrometheusClient.describe(ar.cause(), config.alertTimeout()));
                    }
                    int status = ar.result().statusCode();
                    if (status < 200 || status >= 300) {
                        String body = answer.text().trim();
                        return failed(
                                canary,
                                type,
                                "alert to " + type + " failed: status " + status
                                        + (body.isEmpty() ? "" : ": " + PrometheusClient.abbreviate(body)));
                    }
                    metrics.countAlert(type, "sent");
                    return Future.succeededFuture();
                });
    }

    private Future<Void> failed(Canary canary, String type, String why) {
        LOG.warn("canary={} alert not sent: {}", canary.key(), why);
        metrics.countAlert(type, "failed");
        return Future.succeededFuture();
    }

    /** The proxy string may hold a password: the error never repeats it. */
    static final String INVALID_PROXY = "invalid proxy (expected scheme://host:port)";

    /** {@code http://[user:password@]host:port}, or {@code socks5://…}. */
    static ProxyOptions proxyOptions(String proxy) {
        URI uri;
        try {
            uri = new URI(proxy.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(INVALID_PROXY);
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new IllegalArgumentException(INVALID_PROXY);
        }
        ProxyOptions options = new ProxyOptions().setHost(uri.getHost());
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        options.setType(
                scheme.startsWith("socks5")
                        ? ProxyType.SOCKS5
                        : scheme.startsWith("socks4") ? ProxyType.SOCKS4 : ProxyType.HTTP);
        options.setPort(
                uri.getPort() > 0
                        ? uri.getPort()
                        : scheme.equals("https") ? 443 : scheme.startsWith("socks") ? 1080 : 80);
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            options.setUsername(parts[0]);
            if (parts.length > 1) {
                options.setPassword(parts[1]);
            }
        }
        return options;
    }

    /** Cluster first when configured, then (when asked for) target, threshold, deadline and traffic routing. */
    List<Field> fields(Canary canary, boolean withMetadata) {
        List<Field> fields = new ArrayList<>();
        if (!config.clusterName().isEmpty()) {
            fields.add(new Field("Cluster", config.clusterName()));
        }
        if (!withMetadata) {
            return fields;
        }
        CanarySpec spec = canary.getSpec();
        CanaryAnalysis analysis = spec.effectiveAnalysis();
        fields.add(new Field(
                "Target",
                spec.targetRef.kind + "/" + spec.targetRef.name + "."
                        + canary.getMetadata().getNamespace()));
        fields.add(new Field("Failed checks threshold", Integer.toString(CanaryDefaults.threshold(analysis))));
        fields.add(new Field("Progress deadline", CanaryDefaults.progressDeadlineSeconds(spec) + "s"));
        if (CanaryDefaults.stepWeight(analysis) > 0) {
            fields.add(new Field(
                    "Traffic routing",
                    "Weight step: " + CanaryDefaults.stepWeight(analysis) + " max: " + rawMaxWeight(analysis)));
        } else if (!CanaryDefaults.stepWeights(analysis).isEmpty()) {
            fields.add(new Field(
                    "Traffic routing",
                    "Weight steps: "
                            + CanaryDefaults.stepWeights(analysis).stream()
                                    .map(String::valueOf)
                                    .collect(Collectors.joining(","))
                            + " max: " + rawMaxWeight(analysis)));
        } else if (analysis != null && analysis.match != null && !analysis.match.isEmpty()) {
            fields.add(new Field("Traffic routing", "A/B Testing"));
        } else if (CanaryDefaults.iterations(analysis) > 0) {
            fields.add(new Field("Traffic routing", "Blue/Green"));
        }
        return fields;
    }

    /** Forwards an Event; the future completes (always successfully) once every hook answered or failed. */
    Future<Void> forward(Canary canary, String eventType, String message, CanaryPhase phase) {
        return events.forward(canary, eventType, message, phase);
    }

    private static String orDefault(String value, String fallback) {
        return isBlank(value) ? fallback : value;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** {@code analysis.maxWeight} as the spec has it, 0 when unset: what Flagger's alerts show, not the default. */
    private static int rawMaxWeight(CanaryAnalysis analysis) {
        return analysis == null || analysis.maxWeight == null ? 0 : analysis.maxWeight;
    }
}
