package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.GoFormat;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one instant query against Prometheus's HTTP API ({@code GET <address>/api/v1/query}). Every request has its own
 * deadline and shares nothing with other requests, so one slow Prometheus delays only the checks that ask it.
 */
final class PrometheusClient {
    private static final int MAX_BODY_IN_MESSAGE = 512;
    /** Far above any aggregated answer; a larger one is refused rather than held in memory. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private final WebClient verified;
    private final WebClient insecure;
    private final OutboundHosts outbound;

    PrometheusClient(WebClient verified, WebClient insecure) {
        this(verified, insecure, OutboundHosts.ANY);
    }

    PrometheusClient(WebClient verified, WebClient insecure, OutboundHosts outbound) {
        this.verified = verified;
        this.insecure = insecure;
        this.outbound = outbound;
    }

    /** Where and how to ask. */
    record Endpoint(
            String address, Map<String, List<String>> headers, Credentials credentials, boolean insecureSkipVerify) {
        Endpoint {
            headers = headers == null ? Map.of() : headers;
            credentials = credentials == null ? new Credentials.None() : credentials;
        }

        static Endpoint of(String address) {
            return new Endpoint(address, Map.of(), new Credentials.None(), false);
        }
    }

    /** How a request authenticates. */
    sealed interface Credentials {
        record None() implements Credentials {}

        record Bearer(String token) implements Credentials {}

        record Basic(String username, String password) implements Credentials {}
    }

    /** Sends {@code query} (whitespace collapsed); the future always succeeds. */
    Future<QueryResult> query(Endpoint endpoint, String query, Duration timeout) {
        Target target;
        try {
            target = target(endpoint.address());
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(new QueryResult.Failed(e.getMessage()));
        }
        String denied = outbound.problem(target.url());
        if (denied != null) {
            return Future.succeededFuture(new QueryResult.Failed(denied));
        }
        long ms = Math.max(1, timeout.toMillis());
        HttpRequest<Buffer> request = (endpoint.insecureSkipVerify() ? insecure : verified)
                .getAbs(target.url())
                .addQueryParam("query", Queries.collapse(query))
                .idleTimeout(ms)
                .connectTimeout(ms);
        endpoint.headers().forEach(request::putHeader);
        Credentials credentials = endpoint.credentials() instanceof Credentials.None && target.userInfo() != null
                ? target.userInfo()
                : endpoint.credentials();
        if (credentials instanceof Credentials.Bearer b) {
            request.bearerTokenAuthentication(b.token());
        } else if (credentials instanceof Credentials.Basic b) {
            request.basicAuthentication(b.username(), b.password());
        }
        CappedBody body = new CappedBody(MAX_BODY);
        return request.as(body.codec())
                .send()
                .timeout(ms, TimeUnit.MILLISECONDS)
                .map(response -> parse(response.statusCode(), response.statusMessage(), body))
                .otherwise(e ->
                        new QueryResult.Failed("request failed: GET " + target.url() + ": " + describe(e, timeout)));
    }

    /**
     * The query URL and the credentials of an address: {@code <address>/api/v1/query}, keeping any path (Prometheus
     * behind a path prefix). User info in the address ({@code http://user:password@host}) becomes Basic credentials and
     * is left out of the URL, so a password never reaches an Event or a log.
     */
    record Target(String url, Credentials.Basic userInfo) {}

    static Target target(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("no Prometheus address: set the Canary's metricsServer, the template's "
                    + "provider.address or the analyzer's --metrics-server");
        }
        URI uri;
        try {
            uri = new URI(address.trim());
        } catch (URISyntaxException e) {
            // The parser's message repeats the input, which may hold a password.
            throw new IllegalArgumentException("invalid Prometheus address " + HttpWebhookGate.redact(address)
                    + ": expected an absolute http or https URL");
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("invalid Prometheus address \"" + HttpWebhookGate.redact(address)
                    + "\": expected an absolute http or https URL");
        }
        Credentials.Basic userInfo = null;
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            userInfo = new Credentials.Basic(parts[0], parts.length > 1 ? parts[1] : "");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]"
                : uri.getHost();
        String url = uri.getScheme() + "://" + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + "/api/v1/query";
        return new Target(url, userInfo);
    }

    static QueryResult parse(int status, String statusMessage, CappedBody capped) {
        String body = capped.text();
        if (status >= 400) {
            return new QueryResult.Failed(
                    "error response: Status " + status + " " + statusMessage + ": " + abbreviate(body.trim()));
        }
        if (capped.truncated()) {
            return new QueryResult.Failed(
                    "error unmarshaling result: the answer is larger than " + (MAX_BODY / 1024 / 1024) + " MiB");
        }
        try {
            JsonObject json = new JsonObject(body);
            JsonObject data = json.getJsonObject("data");
            if (data == null) {
                return unusable("no data field", body);
            }
            if ("scalar".equals(data.getString("resultType"))) {
                return sample(data.getJsonArray("result"));
            }
            JsonArray items = data.getJsonArray("result");
            if (items == null) {
                return unusable("no data.result field", body);
            }
            QueryResult last = new QueryResult.NoValues();
            for (int i = 0; i < items.size(); i++) {
                JsonObject item = items.getJsonObject(i);
                if (item == null) {
                    return unusable("data.result[" + i + "] is null", body);
                }
                if (item.containsKey("values")) {
                    return new QueryResult.Failed("query returned multiple values");
                }
                last = sample(item.getJsonArray("value"));
                if (last instanceof QueryResult.Failed) {
                    return last;
                }
            }
            return last;
        } catch (DecodeException | ClassCastException e) {
            return unusable(abbreviate(String.valueOf(e.getMessage())), body);
        }
    }

    private static QueryResult sample(JsonArray pair) {
        if (pair == null || pair.size() < 2 || !(pair.getValue(1) instanceof String text)) {
            return new QueryResult.Failed("error unmarshaling result: a sample is not a [time, \"value\"] pair: "
                    + abbreviate(String.valueOf(pair)));
        }
        double value;
        try {
            value = parseGoFloat(text);
        } catch (NumberFormatException e) {
            return new QueryResult.Failed(
                    "error unmarshaling result: sample value \"" + abbreviate(text) + "\" is not a number");
        }
        return Double.isNaN(value) ? new QueryResult.NoValues() : new QueryResult.Value(value);
    }

    /** Prometheus writes samples the way Go's strconv reads them: {@code NaN}, {@code +Inf}, {@code -Inf}. */
    static double parseGoFloat(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static QueryResult unusable(String why, String body) {
        return new QueryResult.Failed("error unmarshaling result: " + why + ", '" + abbreviate(body) + "'");
    }

    static String abbreviate(String s) {
        return s.length() <= MAX_BODY_IN_MESSAGE ? s : s.substring(0, MAX_BODY_IN_MESSAGE) + "…";
    }

    static String describe(Throwable e, Duration timeout) {
        // Vert.x reports its own deadline and Netty's idle timeout with different TimeoutException classes.
        if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + GoFormat.duration(timeout);
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
