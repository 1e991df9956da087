package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls webhooks over HTTP: a JSON {@code POST} per attempt, each with the hook's timeout.
 *
 * <ul>
 *   <li>Any 2xx passes. Flagger passes only 200–202 and fails 203–299; Sluice treats every success status alike on
 *       purpose (a hook answering 204 No Content means yes).
 *   <li>Connection errors, timeouts, 429 and 5xx other than 501 are retried up to the hook's {@code retries}, after
 *       1 s, 2 s, 4 s … capped at 30 s (or the server's {@code Retry-After} on 429 and 503, under the same cap).
 *   <li>Other answers are final and their body is the error, as Flagger's load tester's {@code Forbidden}.
 *   <li>After the last retryable failure the error is {@code POST <url> giving up after <n> attempt(s): <cause>};
 *       unlike Flagger, the cause includes the last status and body, so a failing load-tester command is visible.
 * </ul>
 */
public final class HttpWebhookGate implements WebhookGate {
    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookGate.class);
    private static final int MAX_BODY_IN_ERROR = 1024;
    /** Only the start of an answer is ever shown; the rest is not kept. */
    private static final int MAX_BODY_KEPT = 4 * MAX_BODY_IN_ERROR;

    private static final Set<String> HOOK_TYPES = Set.of(
            "confirm-rollout",
            "pre-rollout",
            "rollout",
            "confirm-traffic-increase",
            "confirm-promotion",
            "post-rollout",
            "rollback",
            "event");

    private final WebClient verified;
    private final WebClient insecure;
    private final Delay delay;
    private final Duration backoffMin;
    private final Duration backoffMax;
    private final AnalyzerMetrics metrics;

    private final OutboundHosts outbound;

    HttpWebhookGate(WebClient verified, WebClient insecure, Delay delay, GatesConfig config, AnalyzerMetrics metrics) {
        this.verified = verified;
        this.insecure = insecure;
        this.delay = delay;
        this.backoffMin = config.backoffMin();
        this.backoffMax = config.backoffMax();
        this.outbound = config.outbound();
        this.metrics = metrics;
    }

    @Override
    public Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase) {
        JsonObject payload = WebhookPayloads.hook(canary, phase, hook.metadata);
        return post(
                        new Target(
                                hook.name,
                                CanaryDefaults.webhookType(hook),
                                hook.url,
                                CanaryDefaults.webhookTimeout(hook),
                                CanaryDefaults.webhookRetries(hook),
                                Boolean.TRUE.equals(hook.disableTLS)),
                        payload)
                .onSuccess(outcome -> {
                    if (!outcome.passed()) {
                        LOG.info(
                                "canary={} hook={} type={} failed: {}",
                                canary.key(),
                                hook.name,
                                CanaryDefaults.webhookType(hook),
                                outcome.error());
                    }
                });
    }

    /**
     * The most retries a hook gets, whatever its {@code retries} says: with the backoff capped at 30 s and a timeout
     * per attempt, one hook could otherwise hold its Canary's reconcile for hours (GATES.md).
     */
    static final int MAX_RETRIES = 10;

    /** Where a payload goes and how hard to try ({@code retries} capped at {@link #MAX_RETRIES}). */
    record Target(String name, String type, String url, Duration timeout, int retries, boolean skipTlsVerify) {
        Target {
            retries = Math.max(0, Math.min(retries, MAX_RETRIES));
        }
    }

    /** POSTs {@code payload} to {@code target} with retries; the future always succeeds. */
    Future<HookOutcome> post(Target target, JsonObject payload) {
        long start = System.nanoTime();
        String problem = urlProblem(target.url());
        if (problem == null) {
            problem = outbound.problem(target.url());
        }
        Future<HookOutcome> outcome = problem != null
                ? Future.succeededFuture(new HookOutcome(target.name(), false, 0, problem))
                : attempt(target, payload.toBuffer(), 1);
        return outcome.onSuccess(o -> metrics.observeWebhook(
                HOOK_TYPES.contains(target.type()) ? target.type() : "other",
                o.passed() ? "passed" : o.statusCode() > 0 ? "refused" : "error",
                Duration.ofNanos(System.nanoTime() - start)));
    }

    private Future<HookOutcome> attempt(Target target, Buffer body, int attempt) {
        long ms = Math.max(1, target.timeout().toMillis());
        CappedBody answer = new CappedBody(MAX_BODY_KEPT);
        return (target.skipTlsVerify() ? insecure : verified)
                .postAbs(target.url())
                .putHeader("Content-Type", "application/json")
                .connectTimeout(ms)
                .idleTimeout(ms)
                .as(answer.codec())
                .sendBuffer(body)
                .timeout(ms, TimeUnit.MILLISECONDS)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        return answered(target, body, attempt, ar.result(), answer);
                    }
                    Throwable cause = ar.cause();
                    if (isTls(cause)) {
                        return Future.succeededFuture(new HookOutcome(
                                target.name(),
                                false,
                                0,
                                "POST " + redact(target.url()) + ": " + describe(cause, target.timeout())));
                    }
                    String why = describe(cause, target.timeout());
                    return retryOrGiveUp(target, body, attempt, 0, why, null);
                });
    }

    private Future<HookOutcome> answered(
            Target target, Buffer body, int attempt, HttpResponse<Void> response, CappedBody answer) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Future.succeededFuture(new HookOutcome(target.name(), true, status, null));
        }
        String text = bodyText(answer);
        if (status == 429 || (status >= 500 && status != 501)) {
            String why = status + " " + response.statusMessage() + (text.isEmpty() ? "" : ": " + text);
            return retryOrGiveUp(target, body, attempt, status, why, response.getHeader("Retry-After"));
        }
        String error = text.isEmpty() ? status + " " + response.statusMessage() : text;
        return Future.succeededFuture(new HookOutcome(target.name(), false, status, error));
    }

    private Future<HookOutcome> retryOrGiveUp(
            Target target, Buffer body, int attempt, int status, String why, String retryAfter) {
        if (attempt > target.retries()) {
            return Future.succeededFuture(new HookOutcome(
                    target.name(),
                    false,
                    status,
                    "POST " + redact(target.url()) + " giving up after " + attempt + " attempt(s): " + why));
        }
        Duration wait = backoff(attempt, status, retryAfter);
        LOG.debug("hook={} attempt {} failed ({}); retrying in {}", target.name(), attempt, why, wait);
        return delay.after(wait).compose(v -> attempt(target, body, attempt + 1));
    }

    /** 1 s, 2 s, 4 s … after the first, second, third failure, capped; a server's Retry-After wins on 429 and 503. */
    Duration backoff(int failedAttempts, int status, String retryAfter) {
        if ((status == 429 || status == 503) && retryAfter != null) {
            try {
                Duration asked = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
                return asked.compareTo(backoffMax) > 0 ? backoffMax : asked;
            } catch (NumberFormatException e) {
                // An HTTP date or garbage: fall back to the exponential delay.
            }
        }
        int shift = Math.min(failedAttempts - 1, 30);
        Duration d = backoffMin.multipliedBy(1L << shift);
        return d.compareTo(backoffMax) > 0 || d.isNegative() ? backoffMax : d;
    }

    private static String bodyText(CappedBody answer) {
        String text = answer.text().trim();
        return text.length() <= MAX_BODY_IN_ERROR && !answer.truncated()
                ? text
                : text.substring(0, Math.min(text.length(), MAX_BODY_IN_ERROR)) + "…";
    }

    private static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e, Duration timeout) {
        return PrometheusClient.describe(e, timeout);
    }

    /** Null for an absolute http(s) URL, else why it is not one. */
    static String urlProblem(String url) {
        if (url == null || url.isBlank()) {
            return "the webhook has no url";
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                return "invalid webhook url \"" + redact(url) + "\": expected an absolute http or https URL";
            }
            return null;
        } catch (URISyntaxException e) {
            // The parser's message repeats the input, which may hold a password.
            return "invalid webhook url: not a URL (expected an absolute http or https URL)";
        }
    }

    /**
     * A URL fit for Events and logs: any user info masked (a lone user name may be a token), and never the input of a
     * URL that does not parse.
     */
    static String redact(String url) {
        try {
            URI uri = new URI(url);
            String info = uri.getRawUserInfo();
            if (info == null) {
                return url;
            }
            String shown = info.contains(":") ? info.substring(0, info.indexOf(':')) + ":xxxxx" : "xxxxx";
            return url.replace(info + "@", shown + "@");
        } catch (URISyntaxException | RuntimeException e) {
            return "(unparseable URL)";
        }
    }

    /**
     * Only the scheme and host of an address that is itself a credential (a Slack or Teams webhook URL held in a
     * Secret), or a placeholder when it does not parse.
     */
    static String origin(String url) {
        try {
            URI uri = new URI(url == null ? "" : url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(invalid URL)";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        } catch (URISyntaxException e) {
            return "(invalid URL)";
        }
    }
}
