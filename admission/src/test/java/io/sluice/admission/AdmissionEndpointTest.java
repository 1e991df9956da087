package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class AdmissionEndpointTest {
    static final int LIMIT = 64 * 1024;
    static Vertx vertx;
    static WebClient client;
    static int port;

    /** Mirrors what it was asked, so the tests see what the endpoint handed over. */
    static Future<AdmissionResponse> echo(AdmissionRequest request) {
        return switch (request.name()) {
            case "explodes" -> throw new IllegalStateException("a bug in a handler");
            case "fails" -> Future.failedFuture(new IllegalStateException("a failed future"));
            case "hangs" -> io.vertx.core.Promise.<AdmissionResponse>promise().future();
            default ->
                Future.succeededFuture(AdmissionResponse.allowed()
                        .withWarnings(
                                List.of(request.operation() + " " + request.kindLabel() + " " + request.objectKey())));
        };
    }

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new AdmissionEndpoint(
                        "test",
                        ReviewReader.FULL,
                        AdmissionEndpointTest::echo,
                        LIMIT,
                        Duration.ofMillis(300),
                        Fixtures.metrics(),
                        AdmissionEndpoint.OnFailure.DENY)
                .mount(router, "/review");
        // The real handlers, for the randomised test: a Canary targets the fixtures' Deployment.
        InMemoryClusterView cluster = new InMemoryClusterView();
        cluster.canaries.add(Fixtures.seedCanary("Progressing", "0000000000000000"));
        AdmissionMetrics metrics = Fixtures.metrics();
        new AdmissionEndpoint(
                        "mutate",
                        ReviewReader.DEPLOYMENTS,
                        new MutatingHandler(
                                cluster,
                                new RecordingStatusWriter(),
                                SourceClassifier.withDefaults(java.util.Map.of(), java.util.Map.of()),
                                new Installation("sluice-system", "analyzer"),
                                Duration.ofMillis(200),
                                java.time.Clock.systemUTC(),
                                metrics),
                        LIMIT,
                        Duration.ofSeconds(2),
                        metrics,
                        AdmissionEndpoint.OnFailure.ADMIT)
                .mount(router, "/mutate");
        new AdmissionEndpoint(
                        "validate",
                        ReviewReader.FULL,
                        new ValidatingHandler(
                                new ObjectDecoder(),
                                io.sluice.model.validation.CanaryValidator::judge,
                                io.sluice.model.validation.MetricTemplateValidator::validate,
                                io.sluice.model.validation.AlertProviderValidator::validate,
                                cluster,
                                Fixtures.runtimeRequests(),
                                false),
                        LIMIT,
                        Duration.ofSeconds(2),
                        metrics,
                        AdmissionEndpoint.OnFailure.DENY)
                .mount(router, "/validate");
        HttpServer server =
                await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        port = server.actualPort();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        await(vertx.close());
    }

    record Answer(int status, String body) {
        JsonNode json() {
            return Fixtures.json(body);
        }

        JsonNode response() {
            return json().path("response");
        }
    }

    static Answer send(HttpMethod method, String contentType, Buffer body) {
        return send(method, "/review", contentType, body);
    }

    static Answer send(HttpMethod method, String path, String contentType, Buffer body) {
        HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", path);
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        return await((body == null ? request.send() : request.sendBuffer(body))
                .map(res -> new Answer(res.statusCode(), res.bodyAsString())));
    }

    static Answer post(String body) {
        return send(HttpMethod.POST, "application/json", Buffer.buffer(body));
    }

    static String validReview() {
        return Fixtures.text("kubectl-set-image-podinfo.json");
    }

    static String withRequest(java.util.function.Consumer<ObjectNode> change) {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        change.accept(review);
        return review.toString();
    }

    static Stream<Arguments> badInput() {
        String uid = "0d2b5c1e-7f43-4e8a-b1a6-3c9e5d7f2a10";
        return Stream.of(
                Arguments.of(
                        "a body that is not JSON is a bad request",
                        "{\"apiVersion\": admission",
                        400,
                        "",
                        "not valid JSON"),
                Arguments.of(
                        "JSON that is not an object is not a review", "[1,2,3]", 400, "", "expected a JSON object"),
                Arguments.of(
                        "an object of another kind is not a review",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}",
                        400,
                        "",
                        "kind is 'Pod'"),
                Arguments.of(
                        "a review without a request is refused",
                        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
                        400,
                        "",
                        "has no request"),
                Arguments.of(
                        "a request without a uid is refused",
                        withRequest(r -> ((ObjectNode) r.path("request")).remove("uid")),
                        400,
                        "",
                        "has no uid"),
                Arguments.of(
                        "a uid that is not a string counts as missing",
                        withRequest(r -> ((ObjectNode) r.path("request")).put("uid", 42)),
                        400,
                        "",
                        "has no uid"),
                Arguments.of(
                        "a review of version v1beta1 is refused and its uid echoed",
                        withRequest(r -> r.put("apiVersion", "admission.k8s.io/v1beta1")),
                        400,
                        uid,
                        "serves admission.k8s.io/v1 only"),
                Arguments.of(
                        "a handler that throws is an internal error, not a crash",
                        withRequest(r -> ((ObjectNode) r.path("request")).put("name", "explodes")),
                        200,
                        uid,
                        "see the admission service log for uid " + uid),
                Arguments.of(
                        "a handler whose future fails is an internal error",
                        withRequest(r -> ((ObjectNode) r.path("request")).put("name", "fails")),
                        200,
                        uid,
                        "Sluice failed to decide"),
                Arguments.of(
                        "a handler that never answers is cut off at the deadline",
                        withRequest(r -> ((ObjectNode) r.path("request")).put("name", "hangs")),
                        200,
                        uid,
                        "did not decide within 300 ms"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputGetsAClearAnswer(String name, String body, int status, String uid, String message) {
        Answer answer = post(body);

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.json().path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.json().path("kind").asString()).isEqualTo("AdmissionReview");
        assertThat(answer.response().path("uid").asString()).isEqualTo(uid);
        assertThat(answer.response().path("allowed").asBoolean()).isFalse();
        assertThat(answer.response().path("status").path("message").asString()).contains(message);
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aValidReviewIsAnsweredWithItsUidInV1() {
        Answer answer = post(validReview());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.response().path("uid").asString()).isEqualTo("0d2b5c1e-7f43-4e8a-b1a6-3c9e5d7f2a10");
        assertThat(answer.response().path("allowed").asBoolean()).isTrue();
        assertThat(answer.response().path("warnings").get(0).asString())
                .isEqualTo("UPDATE apps/v1 Deployment test/podinfo");
    }

    @Test
    void aCanaryWithTwoMetricsOfOneNameIsAdmittedWithAWarningInTheReview() {
        ObjectNode review = ValidatingHandlerTest.seedCanary(r -> ((ObjectNode) ValidatingHandlerTest.spec(r)
                        .path("analysis")
                        .path("metrics")
                        .get(1))
                .put("name", "request-success-rate"));

        Answer answer = send(HttpMethod.POST, "/validate", "application/json", Buffer.buffer(review.toString()));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.response().path("allowed").asBoolean()).isTrue();
        assertThat(answer.response().path("warnings"))
                .extracting(JsonNode::asString)
                .anySatisfy(w -> assertThat(w)
                        .startsWith("spec.analysis.metrics[1].name: \"request-success-rate\" is also the name of an "
                                + "earlier metric"));
    }

    @Test
    void aGetIsNotAllowed() {
        Answer answer = send(HttpMethod.GET, null, null);

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.response().path("status").path("message").asString()).contains("POST");
    }

    @Test
    void aBodyThatIsNotDeclaredAsJsonIsRefused() {
        Answer answer = send(HttpMethod.POST, "text/plain", Buffer.buffer(validReview()));

        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.response().path("status").path("message").asString())
                .isEqualTo("Content-Type must be application/json, got 'text/plain'");
    }

    @Test
    void aBodyWithoutContentTypeIsRefused() {
        Answer answer = send(HttpMethod.POST, null, Buffer.buffer(validReview()));

        assertThat(answer.status()).isEqualTo(415);
    }

    @Test
    void aJsonContentTypeWithParametersIsAccepted() {
        Answer answer = send(HttpMethod.POST, "application/json; charset=utf-8", Buffer.buffer(validReview()));

        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheCapIsRefused() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        ((ObjectNode) review.path("request").path("object").path("metadata").path("annotations"))
                .put("padding", "x".repeat(LIMIT));

        Answer answer = post(review.toString());

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.response().path("status").path("message").asString())
                .isEqualTo("request body exceeds the limit of " + LIMIT + " bytes");
    }

    /**
     * Thousands of damaged reviews: fields removed, replaced by values of other types, strings cut short. None may
     * crash the endpoint, get a 5xx, or lose the uid when the uid itself was left intact.
     */
    static Stream<Arguments> damageTargets() {
        return Stream.of(
                Arguments.of(
                        "kubectl set image reviews sent to the mutating handler",
                        "/mutate",
                        "kubectl-set-image-podinfo.json"),
                Arguments.of("Flux apply reviews sent to the mutating handler", "/mutate", "flux-apply-podinfo.json"),
                Arguments.of(
                        "Canary reviews sent to the validating handler", "/validate", "canary-create-podinfo.json"),
                Arguments.of("reviews sent to an endpoint that echoes", "/review", "kubectl-set-image-podinfo.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damageTargets")
    void randomlyDamagedReviewsNeverCrashTheEndpoint(String name, String path, String fixture) {
        Random random = new Random(20261126L + fixture.hashCode() + path.hashCode());
        ObjectNode valid = Fixtures.review(fixture);
        List<Future<Void>> batch = new ArrayList<>();
        int rounds = 3000;
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < rounds; i++) {
            ObjectNode review = valid.deepCopy();
            int damage = 1 + random.nextInt(4);
            for (int d = 0; d < damage; d++) {
                damage(review, random);
            }
            String text = review.toString();
            if (random.nextInt(10) == 0) {
                text = text.substring(0, random.nextInt(text.length()));
            }
            JsonNode uidNode = review.path("request").path("uid");
            String expectUid = uidNode.isString()
                            && text.length() == review.toString().length()
                            && review.path("request").isObject()
                    ? uidNode.stringValue()
                    : null;
            String body = text;
            batch.add(client.post(port, "127.0.0.1", path)
                    .putHeader("Content-Type", "application/json")
                    .sendBuffer(Buffer.buffer(body))
                    .map(res -> {
                        check(res, expectUid, body, problems);
                        return null;
                    }));
            if (batch.size() == 64) {
                await(Future.all(batch));
                batch.clear();
            }
        }
        await(Future.all(batch));
        assertThat(problems).isEmpty();
    }

    private static void check(HttpResponse<Buffer> res, String expectUid, String body, List<String> problems) {
        if (res.statusCode() >= 500) {
            problems.add(res.statusCode() + " for " + body);
            return;
        }
        JsonNode answer = Fixtures.json(res.bodyAsString());
        if (answer.path("response").path("status").path("code").asInt(0) >= 500) {
            // A handler crashed or hung: damaged input must be judged, not fail Sluice.
            problems.add(answer.path("response").path("status").path("message").asString() + " for " + body);
            return;
        }
        if (expectUid != null
                && !expectUid.isEmpty()
                && "admission.k8s.io/v1"
                        .equals(Fixtures.json(body).path("apiVersion").asString(""))
                && "AdmissionReview".equals(Fixtures.json(body).path("kind").asString(""))
                && !expectUid.equals(answer.path("response").path("uid").asString())) {
            problems.add("uid lost for " + body);
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static void damage(ObjectNode review, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(review, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>(object.propertyNames());
            String name = names.get(random.nextInt(names.size()));
            if (random.nextBoolean()) {
                object.remove(name);
            } else {
                object.set(name, randomValue(random));
            }
        } else if (target instanceof ArrayNode array && !array.isEmpty()) {
            int index = random.nextInt(array.size());
            if (random.nextBoolean()) {
                array.remove(index);
            } else {
                array.set(index, randomValue(random));
            }
        }
    }

    private static JsonNode randomValue(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.numberNode(random.nextInt());
            case 2 -> NODES.stringNode("x".repeat(random.nextInt(5)));
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.objectNode();
            case 5 -> NODES.arrayNode().add(1).add("a");
            case 6 -> NODES.numberNode(random.nextDouble() * 1e12);
            default -> NODES.stringNode("ghcr.io/stefanprodan/podinfo:" + random.nextInt(100));
        };
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainer()) {
            out.add(node);
            for (JsonNode child : node) {
                collect(child, out);
            }
        }
    }

    static Stream<Arguments> answers() {
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        patch.addObject().put("op", "replace").put("path", "/spec/replicas").put("value", 0);
        patch.addObject()
                .put("op", "add")
                .put("path", "/metadata/annotations/sluice.io~1desired-replicas")
                .put("value", "3");
        String head = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":";
        return Stream.of(
                Arguments.of(
                        "a plain allow",
                        "705ab4f5-6393-11e8-b7cc-42010a800002",
                        AdmissionResponse.allowed(),
                        head + "{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\",\"allowed\":true}}"),
                // The patch is the Base64 of the JSON text, computed outside Java.
                Arguments.of(
                        "an allow with a patch",
                        "705ab4f5",
                        AdmissionResponse.patched(patch),
                        head + "{\"uid\":\"705ab4f5\",\"allowed\":true,\"patchType\":\"JSONPatch\",\"patch\":"
                                + "\"W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9zcGVjL3JlcGxpY2FzIiwidmFsdWUiOjB9LHsib3AiOiJhZGQi"
                                + "LCJwYXRoIjoiL21ldGFkYXRhL2Fubm90YXRpb25zL3NsdWljZS5pb34xZGVzaXJlZC1yZXBsaWNhcyIsInZh"
                                + "bHVlIjoiMyJ9XQ==\"}}"),
                Arguments.of(
                        "a uid that needs escaping",
                        "a\"b\\c\n",
                        AdmissionResponse.allowed(),
                        head + "{\"uid\":\"a\\\"b\\\\c\\n\",\"allowed\":true}}"),
                Arguments.of(
                        "a denial",
                        "u",
                        AdmissionResponse.denied("no", 403),
                        head + "{\"uid\":\"u\",\"allowed\":false,\"status\":{\"metadata\":{},\"status\":\"Failure\","
                                + "\"message\":\"no\",\"reason\":\"Forbidden\",\"code\":403}}}"),
                Arguments.of(
                        "an invalid object",
                        "u",
                        AdmissionResponse.invalid(
                                "bad",
                                List.of(new AdmissionResponse.Cause("spec.x", "must be set", "FieldValueRequired"))),
                        head + "{\"uid\":\"u\",\"allowed\":false,\"status\":{\"metadata\":{},\"status\":\"Failure\","
                                + "\"message\":\"bad\",\"reason\":\"Invalid\",\"details\":{\"causes\":[{\"reason\":"
                                + "\"FieldValueRequired\",\"message\":\"must be set\",\"field\":\"spec.x\"}]},\"code\":422}}}"),
                Arguments.of(
                        "an allow with warnings",
                        "u",
                        AdmissionResponse.allowed().withWarnings(List.of("w")),
                        head + "{\"uid\":\"u\",\"allowed\":true,\"warnings\":[\"w\"]}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void theAnswerIsTheDocumentedAdmissionReview(String name, String uid, AdmissionResponse response, String expected) {
        assertThat(Fixtures.JSON.writeValueAsString(AdmissionEndpoint.reviewNode(uid, response)))
                .isEqualTo(expected);
    }
}
