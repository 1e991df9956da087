package io.sluice.admission;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One AdmissionReview endpoint: reads and checks the review, hands the request to its handler and writes the
 * answer. Every answer is an {@code admission.k8s.io/v1} AdmissionReview carrying the request's uid whenever
 * one could be read; malformed input gets a 4xx with a message that says what is wrong, never a stack trace.
 *
 * <p>HTTP status codes: 200 for every review that has a uid (the decision is inside); 400 for a body that is
 * not a usable review; 405 for a method other than POST; 413 for a body over the cap; 415 for a body that is not
 * declared as JSON.
 *
 * <p>When the handler throws, fails or misses the deadline, the answer depends on the endpoint's
 * {@link OnFailure}: the validating webhook reports an internal error (a denial), the mutating webhook admits the
 * object unchanged, because an answer of {@code allowed: false} is a denial whatever the webhook's
 * {@code failurePolicy} says, and a fault in an add-on must not block every Deployment write.
 */
final class AdmissionEndpoint {
    static final String API_VERSION = "admission.k8s.io/v1";
    static final String KIND = "AdmissionReview";

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionEndpoint.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String webhook;
    private final ReviewReader reader;
    private final AdmissionHandler handler;
    private final long bodyLimit;
    private final Duration deadline;
    private final AdmissionMetrics metrics;
    private final OnFailure onFailure;

    /** What the endpoint answers when its handler throws, fails or misses the deadline. */
    enum OnFailure {
        /** {@code allowed: false} with code 500 (or 504 at the deadline): the object was not checked. */
        DENY,
        /**
         * {@code allowed: true}, no patch, a warning naming the uid; counted in
         * {@code sluice_admission_failed_open_total} and logged at ERROR.
         */
        ADMIT
    }

    /**
     * @param webhook   name used in logs and metrics ({@code validate}, {@code mutate})
     * @param reader    how the body becomes a tree: whole, or without what {@code handler} never looks at
     * @param bodyLimit largest accepted body in bytes
     * @param deadline  longest a handler may take; the API server gives up after the webhook's timeoutSeconds
     * @param onFailure what a handler's fault or a missed deadline answers
     */
    AdmissionEndpoint(
            String webhook,
            ReviewReader reader,
            AdmissionHandler handler,
            long bodyLimit,
            Duration deadline,
            AdmissionMetrics metrics,
            OnFailure onFailure) {
        this.webhook = webhook;
        this.reader = reader;
        this.handler = handler;
        this.bodyLimit = bodyLimit;
        this.deadline = deadline;
        this.metrics = metrics;
        this.onFailure = onFailure;
    }

    void mount(Router router, String path) {
        router.post(path)
                // Sized from Content-Length (never past the cap): the body is not regrown and copied as it arrives.
                .handler(BodyHandler.create(false).setBodyLimit(bodyLimit).setPreallocateBodyBuffer(true))
                .handler(this::requireJson)
                .handler(this::review)
                .failureHandler(this::failure);
        router.route(path).handler(ctx -> {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            reject(
                    ctx,
                    405,
                    "",
                    "method " + ctx.request().method() + " is not allowed: send the AdmissionReview with POST");
        });
    }

    private void requireJson(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.split(";", 2)[0].trim();
        if (!mediaType.equalsIgnoreCase("application/json")) {
            reject(
                    ctx,
                    415,
                    "",
                    "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
            return;
        }
        ctx.next();
    }

    private void failure(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            reject(ctx, 413, "", "request body exceeds the limit of " + bodyLimit + " bytes");
        } else {
            LOG.error("webhook={} request failed before review", webhook, ctx.failure());
            reject(ctx, 400, "", "request could not be read");
        }
    }

    /** A body read as far as the endpoint checks it: a request for the handler, or why it is refused. */
    sealed interface Reading {}

    record Accepted(AdmissionRequest request) implements Reading {}

    /** @param status the HTTP status, always 4xx; {@code uid} is empty when none could be read */
    record Rejected(int status, String uid, String message) implements Reading {}

    /**
     * Reads and checks one body; never throws. Whatever the bytes, the answer is a request with a uid or a 4xx with
     * a message saying what is wrong (the fuzz tests hold it to that).
     */
    static Reading read(ReviewReader reader, byte[] bytes, int offset, int length) {
        JsonNode review;
        try {
            review = reader.read(bytes, offset, length);
        } catch (JacksonException e) {
            return new Rejected(400, "", "request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (review == null || !review.isObject()) {
            return new Rejected(400, "", "request body is not an AdmissionReview: expected a JSON object");
        }
        JsonNode request = review.path("request");
        JsonNode uidNode = request.path("uid");
        String uid = uidNode.isString() ? uidNode.stringValue() : "";
        String kind = review.path("kind").asString("");
        String apiVersion = review.path("apiVersion").asString("");
        if (!KIND.equals(kind)) {
            return new Rejected(400, uid, "request body is not an AdmissionReview: kind is '" + kind + "'");
        }
        if (!API_VERSION.equals(apiVersion)) {
            return new Rejected(
                    400,
                    uid,
                    "AdmissionReview apiVersion '" + apiVersion + "' is not served: Sluice serves " + API_VERSION
                            + " only (set admissionReviewVersions: [v1])");
        }
        if (!request.isObject()) {
            return new Rejected(400, uid, "AdmissionReview has no request");
        }
        if (uid.isEmpty()) {
            return new Rejected(400, "", "AdmissionReview request has no uid");
        }
        return new Accepted(AdmissionRequest.of(request));
    }

    private void review(RoutingContext ctx) {
        long start = System.nanoTime();
        Buffer body = ctx.body().buffer();
        Reading reading = body == null
                ? new Rejected(400, "", "request body is not an AdmissionReview: expected a JSON object")
                : read(body);
        if (reading instanceof Rejected r) {
            reject(ctx, r.status(), r.uid(), r.message());
            return;
        }
        AdmissionRequest req = ((Accepted) reading).request();
        Future<AdmissionResponse> decided;
        try {
            decided = handler.handle(req);
        } catch (RuntimeException | StackOverflowError e) {
            // A bug, or input nested deeper than a handler's recursion can follow: the same answer as a failed future.
            decided = Future.failedFuture(e);
        }
        if (decided == null) {
            decided = Future.failedFuture(new IllegalStateException("the handler returned no future"));
        }
        if (decided.succeeded() && decided.result() != null) {
            // Decided on the spot (every review that needs no status write): no deadline to keep and no thread to
            // come back from, so no timer and no hop through the event loop's task queue.
            answer(ctx, req, decided.result(), start);
            return;
        }
        // The answer is written on this request's event loop, whatever thread completes the handler's future,
        // and the deadline is a timer on the same loop.
        Context context = ctx.vertx().getOrCreateContext();
        Promise<AdmissionResponse> bounded = Promise.promise();
        long timer = ctx.vertx().setTimer(deadline.toMillis(), id -> bounded.tryFail(new TimeoutException()));
        decided.onComplete(ar -> context.runOnContext(v -> {
            ctx.vertx().cancelTimer(timer);
            if (ar.succeeded() && ar.result() != null) {
                bounded.tryComplete(ar.result());
            } else {
                bounded.tryFail(
                        ar.succeeded() ? new IllegalStateException("the handler answered nothing") : ar.cause());
            }
        }));
        bounded.future()
                .recover(e -> Future.succeededFuture(failed(req, e)))
                .onSuccess(response -> answer(ctx, req, response, start));
    }

    /** The answer when the handler threw, failed or missed the deadline: see {@link OnFailure}. */
    private AdmissionResponse failed(AdmissionRequest req, Throwable e) {
        boolean late = e instanceof TimeoutException;
        LOG.error(
                "webhook={} uid={} kind={} object={} handler {}; answering {}",
                webhook,
                req.uid(),
                req.kindLabel(),
                req.objectKey(),
                late ? "missed the deadline of " + deadline.toMillis() + " ms" : "failed",
                onFailure == OnFailure.ADMIT ? "allowed with no change" : "an internal error",
                late ? null : e);
        String why = late
                ? "Sluice did not decide within " + deadline.toMillis() + " ms"
                : "Sluice failed to decide (see the admission service log for uid " + req.uid() + ")";
        if (onFailure == OnFailure.DENY) {
            return AdmissionResponse.errored(late ? 504 : 500, why);
        }
        metrics.failedOpen(webhook, late ? "deadline" : "error");
        return AdmissionResponse.allowed()
                .withWarnings(List.of(why + "; admitted without Sluice's changes (uid " + req.uid() + ")"));
    }

    /** Parses the body where it lies when it is on the heap (it is, as the body handler collects it). */
    private Reading read(Buffer body) {
        ByteBuf bytes = ((BufferInternal) body).getByteBuf();
        if (bytes.hasArray()) {
            return read(reader, bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        }
        byte[] copy = body.getBytes();
        return read(reader, copy, 0, copy.length);
    }

    private void answer(RoutingContext ctx, AdmissionRequest req, AdmissionResponse response, long start) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        send(ctx, 200, reviewNode(req.uid(), response));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        metrics.request(webhook, req.kind(), req.operation(), response.decision(), took);
        LOG.info(
                "webhook={} uid={} user={} kind={} object={} operation={} dryRun={} decision={} code={} "
                        + "patchOps={} warnings={} message=\"{}\" micros={}",
                webhook,
                req.uid(),
                req.username(),
                req.kindLabel(),
                req.objectKey(),
                req.operation(),
                req.dryRun(),
                response.decision(),
                response.code(),
                response.patch() == null ? 0 : response.patch().size(),
                response.warnings().size(),
                response.message(),
                took.toNanos() / 1000);
    }

    private void reject(RoutingContext ctx, int httpStatus, String uid, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        AdmissionResponse response = AdmissionResponse.errored(httpStatus, message);
        send(ctx, httpStatus, reviewNode(uid, response));
        metrics.request(webhook, "", "", "rejected", Duration.ZERO);
        LOG.warn(
                "webhook={} uid={} decision=rejected code={} remote={} message=\"{}\"",
                webhook,
                uid,
                httpStatus,
                ctx.request().remoteAddress(),
                message);
    }

    private static void send(RoutingContext ctx, int httpStatus, ObjectNode review) {
        ctx.response()
                .setStatusCode(httpStatus)
                .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
                .end(Buffer.buffer(JSON.writeValueAsBytes(review)));
    }

    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    /** The AdmissionReview v1 that carries {@code response}; public shape documented by Kubernetes. */
    static ObjectNode reviewNode(String uid, AdmissionResponse response) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", API_VERSION);
        review.put("kind", KIND);
        ObjectNode out = review.putObject("response");
        out.put("uid", uid);
        out.put("allowed", response.allow());
        if (!response.allow() || response.code() != 0) {
            ObjectNode status = out.putObject("status");
            status.putObject("metadata");
            status.put("status", response.allow() ? "Success" : "Failure");
            if (!response.message().isEmpty()) {
                status.put("message", response.message());
            }
            if (!response.reason().isEmpty()) {
                status.put("reason", response.reason());
            }
            if (!response.causes().isEmpty()) {
                ArrayNode causes = status.putObject("details").putArray("causes");
                for (AdmissionResponse.Cause c : response.causes()) {
                    ObjectNode cause = causes.addObject();
                    cause.put("reason", c.reason());
                    cause.put("message", c.message());
                    cause.put("field", c.field());
                }
            }
            status.put("code", response.code());
        }
        if (response.patch() != null) {
            out.put("patchType", "JSONPatch");
            out.put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(response.patch())));
        }
        if (!response.warnings().isEmpty()) {
            ArrayNode warnings = out.putArray("warnings");
            response.warnings().forEach(warnings::add);
        }
        return review;
    }
}
