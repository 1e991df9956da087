package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP exchange with a metrics provider's API, shared by the providers that answer over plain HTTP: the outbound
 * host rule, the template's TLS choice and headers, a deadline and a capped body. It never fails: what went wrong is a
 * {@link Answer.Unreachable} whose text names the method and URL (never the query string, which may carry a key).
 */
final class ProviderHttp {
    private final WebClient verified;
    private final WebClient insecure;
    private final OutboundHosts outbound;

    ProviderHttp(WebClient verified, WebClient insecure, OutboundHosts outbound) {
        this.verified = verified;
        this.insecure = insecure;
        this.outbound = outbound;
    }

    /** What came back. */
    sealed interface Answer {
        /** A response, whatever its status; {@code truncated} when the body was longer than the cap. */
        record Response(int status, String statusMessage, String body, boolean truncated) implements Answer {
            boolean ok() {
                return status == 200;
            }

            /** {@code error response: Status 503 Service Unavailable: <body>} */
            String error() {
                return "error response: Status " + status + " " + statusMessage + ": "
                        + PrometheusClient.abbreviate(body.trim());
            }

            /** {@code error unmarshaling result: <why>, '<body>'} */
            String unusable(String why) {
                return "error unmarshaling result: " + why + ", '" + PrometheusClient.abbreviate(body) + "'";
            }
        }

        /** No response: the address is refused, the connection failed or the deadline passed. */
        record Unreachable(String error) implements Answer {}
    }

    /**
     * A request to send to {@code <address><path>}. {@code path} may end in an encoded query string (for parameters
     * that repeat), which texts leave out; {@code body} is null for none; the template's headers go first,
     * {@code headers} override them.
     */
    record Call(
            HttpMethod method,
            String path,
            Map<String, String> params,
            Map<String, String> headers,
            String contentType,
            String body) {
        static Call get(String path, Map<String, String> params, Map<String, String> headers) {
            return new Call(HttpMethod.GET, path, params, headers, null, null);
        }
    }

    /** The future always succeeds. {@code type} names the provider in the text about a bad address. */
    Future<Answer> send(String type, ProviderTarget target, Call call, Duration timeout) {
        try {
            return exchange(type, target, call, timeout);
        } catch (RuntimeException e) {
            // A header value the client refuses (a control character in a Secret's key) is thrown, not failed.
            return Future.succeededFuture(
                    new Answer.Unreachable("request not sent: " + PrometheusClient.describe(e, timeout)));
        }
    }

    private Future<Answer> exchange(String type, ProviderTarget target, Call call, Duration timeout) {
        String url;
        try {
            url = url(type, target.address(), call.path());
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(new Answer.Unreachable(e.getMessage()));
        }
        String denied = outbound.problem(url);
        if (denied != null) {
            return Future.succeededFuture(new Answer.Unreachable(denied));
        }
        long ms = Math.max(1, timeout.toMillis());
        HttpRequest<Buffer> request = (target.insecureSkipVerify() ? insecure : verified)
                .requestAbs(call.method(), url)
                .idleTimeout(ms)
                .connectTimeout(ms);
        call.params().forEach(request::addQueryParam);
        target.headers().forEach(request::putHeader);
        call.headers().forEach(request::putHeader);
        if (call.contentType() != null) {
            request.putHeader("Content-Type", call.contentType());
        }
        CappedBody capped = new CappedBody(PrometheusClient.MAX_BODY);
        HttpRequest<Void> streamed = request.as(capped.codec());
        Future<HttpResponse<Void>> sent =
                call.body() == null ? streamed.send() : streamed.sendBuffer(Buffer.buffer(call.body()));
        return sent.timeout(ms, TimeUnit.MILLISECONDS)
                .<Answer>map(
                        r -> new Answer.Response(r.statusCode(), r.statusMessage(), capped.text(), capped.truncated()))
                .otherwise(e -> new Answer.Unreachable("request failed: " + call.method() + " " + withoutQuery(url)
                        + ": " + PrometheusClient.describe(e, timeout)));
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /**
     * {@code address} with {@code path} appended (any path of the address kept, trailing slashes dropped).
     *
     * @throws IllegalArgumentException naming the provider when the address is not an absolute http(s) URL
     */
    static String url(String type, String address, String path) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException(type + " address is not set: set the template's provider.address");
        }
        URI uri;
        try {
            uri = new URI(address.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid " + type + " address " + HttpWebhookGate.redact(address)
                    + ": expected an absolute http or https URL");
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("invalid " + type + " address \"" + HttpWebhookGate.redact(address)
                    + "\": expected an absolute http or https URL without a query");
        }
        String base = address.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + path;
    }
}
