package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
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

    private final WebClient verified;
    private final WebClient insecure;

    PrometheusClient(WebClient verified, WebClient insecure) {
        this.verified = verified;
        this.insecure = insecure;
    }

    /** Where and how to ask. */
    record Endpoint(String address, Map<String, List<String>> headers, Credentials credentials, boolean insecureSkipVerify) {
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
        record None() implements Credentials {
        }

        record Bearer(String token) implements Credentials {
        }

        record Basic(String username, String password) implements Credentials {
        }
    }

    /** What a query returned. */
    sealed interface Result {
        /** The sample value (the last one when several series matched). */
        record Value(double value) implements Result {
        }

        /** No sample, or NaN (e.g. 0/0 without traffic). */
        record NoValues() implements Result {
        }

        /** Prometheus could not be asked, or answered with an error or something that is not a query result. */
        record Failed(String error) implements Result {
        }
    }

    /** Sends {@code query} (whitespace collapsed); the future always succeeds. */
    Future<Result> query(Endpoint endpoint, String query, Duration timeout) {
        String url;
        try {
            url = queryUrl(endpoint.address());
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(new Result.Failed(e.getMessage()));
        }
        long ms = Math.max(1, timeout.toMillis());
        HttpRequest<Buffer> request = (endpoint.insecureSkipVerify() ? insecure : verified)
                .getAbs(url)
                .addQueryParam("query", Queries.collapse(query))
                .idleTimeout(ms)
                .connectTimeout(ms);
        endpoint.headers().forEach(request::putHeader);
        if (endpoint.credentials() instanceof Credentials.Bearer b) {
            request.bearerTokenAuthentication(b.token());
        } else if (endpoint.credentials() instanceof Credentials.Basic b) {
            request.basicAuthentication(b.username(), b.password());
        }
        return request.send()
                .timeout(ms, TimeUnit.MILLISECONDS)
                .map(PrometheusClient::parse)
                .otherwise(e -> new Result.Failed("request failed: GET " + url + ": " + describe(e, timeout)));
    }

    /** {@code <address>/api/v1/query}, keeping any path of the address (Prometheus behind a path prefix). */
    static String queryUrl(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("no Prometheus address: set the Canary's metricsServer, the template's "
                    + "provider.address or the analyzer's --metrics-server");
        }
        URI uri;
        try {
            uri = new URI(address.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid Prometheus address \"" + address + "\": " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("invalid Prometheus address \"" + address
                    + "\": expected an absolute http or https URL");
        }
        String base = address.trim();
        int q = base.indexOf('?');
        if (q >= 0) {
            base = base.substring(0, q);
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + "/api/v1/query";
    }

    static Result parse(HttpResponse<Buffer> response) {
        String body = response.bodyAsString();
        body = body == null ? "" : body;
        if (response.statusCode() >= 400) {
            return new Result.Failed("error response: Status " + response.statusCode() + " " + response.statusMessage()
                    + ": " + abbreviate(body.trim()));
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
            Result last = new Result.NoValues();
            for (int i = 0; i < items.size(); i++) {
                JsonObject item = items.getJsonObject(i);
                if (item.containsKey("values")) {
                    return new Result.Failed("query returned multiple values");
                }
                last = sample(item.getJsonArray("value"));
                if (last instanceof Result.Failed) {
                    return last;
                }
            }
            return last;
        } catch (DecodeException | ClassCastException e) {
            return unusable(e.getMessage(), body);
        }
    }

    private static Result sample(JsonArray pair) {
        if (pair == null || pair.size() < 2 || !(pair.getValue(1) instanceof String text)) {
            return new Result.Failed("error unmarshaling result: a sample is not a [time, \"value\"] pair: " + pair);
        }
        double value;
        try {
            value = parseGoFloat(text);
        } catch (NumberFormatException e) {
            return new Result.Failed("error unmarshaling result: sample value \"" + text + "\" is not a number");
        }
        return Double.isNaN(value) ? new Result.NoValues() : new Result.Value(value);
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

    private static Result unusable(String why, String body) {
        return new Result.Failed("error unmarshaling result: " + why + ", '" + abbreviate(body) + "'");
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
