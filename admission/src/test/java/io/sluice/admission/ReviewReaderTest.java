package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.model.Revisions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mutating webhook's reader leaves parts of the objects out. It must leave out exactly those parts, build the
 * same nodes as a full parse everywhere else, refuse what a full parse refuses, and change no answer.
 */
class ReviewReaderTest {
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static JsonNode pruned(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ReviewReader.DEPLOYMENTS.read(bytes, 0, bytes.length);
    }

    /** The full tree with the documented parts removed by hand: what the reader must build. */
    private static JsonNode expected(JsonNode full) {
        JsonNode copy = full.deepCopy();
        for (String which : new String[] {"object", "oldObject"}) {
            if (!(copy.path("request").path(which) instanceof ObjectNode object)) {
                continue;
            }
            object.remove("status");
            if (object.path("metadata") instanceof ObjectNode metadata) {
                if (metadata.path("annotations") instanceof ObjectNode annotations) {
                    annotations.remove(LAST_APPLIED);
                }
                for (JsonNode entry : metadata.path("managedFields")) {
                    if (entry instanceof ObjectNode e) {
                        e.remove("fieldsV1");
                    }
                }
            }
        }
        return copy;
    }

    /** The fixtures, plus the Flux one carrying the last-applied annotation a kubectl-managed object has. */
    static Stream<Arguments> reviews() {
        ObjectNode withLastApplied = Fixtures.review("flux-apply-podinfo.json");
        for (String which : new String[] {"object", "oldObject"}) {
            ((ObjectNode) withLastApplied
                            .path("request")
                            .path(which)
                            .path("metadata")
                            .path("annotations"))
                    .put(
                            LAST_APPLIED,
                            withLastApplied.path("request").path("oldObject").toString());
        }
        return Stream.of(
                Arguments.of("kubectl set image", Fixtures.text("kubectl-set-image-podinfo.json"), true),
                Arguments.of("Flux server-side apply", Fixtures.text("flux-apply-podinfo.json"), true),
                Arguments.of("Flux apply of a kubectl-managed object", withLastApplied.toString(), true),
                Arguments.of(
                        "a new Canary, which has none of those parts",
                        Fixtures.text("canary-create-podinfo.json"),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reviews")
    void exactlyTheDocumentedPartsAreLeftOut(String name, String text, boolean hasLeanParts) {
        JsonNode full = ReviewReader.FULL.read(text.getBytes(StandardCharsets.UTF_8), 0, text.length());
        JsonNode pruned = pruned(text);

        assertThat(pruned).isEqualTo(expected(full));
        assertThat(!pruned.equals(full)).as("something is left out").isEqualTo(hasLeanParts);
    }

    @Test
    void keptPartsAreTheNodesAFullParseBuilds() {
        // Equality of Jackson nodes includes their types: an int read as a long or a double would not be equal.
        Random random = new Random(20261126L);
        for (int i = 0; i < 2_000; i++) {
            ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
            ObjectNode object = (ObjectNode) review.path("request").path(random.nextBoolean() ? "object" : "oldObject");
            String[] places = {"spec", "metadata", "status", "labels", "annotations", "managedFields", "top"};
            String place = places[random.nextInt(places.length)];
            JsonNode value = randomValue(random, 0);
            switch (place) {
                case "spec" -> ((ObjectNode) object.path("spec")).set("x" + i, value);
                case "metadata" -> ((ObjectNode) object.path("metadata")).set("x" + i, value);
                case "status" -> ((ObjectNode) object.path("status")).set("x" + i, value);
                case "labels" -> ((ObjectNode) object.path("metadata").path("labels")).set("x" + i, value);
                case "annotations" ->
                    ((ObjectNode) object.path("metadata").path("annotations"))
                            .set(random.nextBoolean() ? LAST_APPLIED : "x" + i, value);
                case "managedFields" ->
                    ((ObjectNode) object.path("metadata").path("managedFields").path(0))
                            .set(random.nextBoolean() ? "fieldsV1" : "x" + i, value);
                default -> review.set("x" + i, value);
            }
            String text = review.toString();
            assertThat(pruned(text)).as("case %d: %s at %s", i, value, place).isEqualTo(expected(review));
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        switch (random.nextInt(depth > 2 ? 8 : 10)) {
            case 0:
                return NODES.numberNode(random.nextInt());
            case 1:
                return NODES.numberNode(random.nextLong());
            case 2:
                return NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 3:
                return NODES.numberNode(random.nextDouble() * 1e6);
            case 4:
                return NODES.stringNode("s\"\\\n\u00e9" + random.nextInt());
            case 5:
                return NODES.booleanNode(random.nextBoolean());
            case 6:
                return NODES.nullNode();
            case 7:
                return NODES.objectNode();
            case 8: {
                ObjectNode o = NODES.objectNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    o.set("k" + k, randomValue(random, depth + 1));
                }
                return o;
            }
            default: {
                ArrayNode a = NODES.arrayNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    a.add(randomValue(random, depth + 1));
                }
                return a;
            }
        }
    }

    static Stream<Arguments> malformed() {
        String valid = Fixtures.review("flux-apply-podinfo.json").toString();
        return Stream.of(
                Arguments.of(
                        "a broken value inside a left-out status",
                        valid.replaceFirst("\"status\":\\{", "\"status\":{\"broken\":tru,")),
                Arguments.of(
                        "an unterminated left-out annotation",
                        valid.replaceFirst(
                                "\"annotations\":\\{", "\"annotations\":{\"" + LAST_APPLIED + "\":\"{\\\"a\\\":1")),
                Arguments.of("a truncated review", valid.substring(0, valid.length() / 2)),
                Arguments.of("content after the review", valid + "{}"),
                Arguments.of("a missing colon", valid.replaceFirst("\"uid\":", "\"uid\" ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedJsonIsRefusedWhereverItIs(String name, String text) {
        assertThat(text).isNotEqualTo(Fixtures.review("flux-apply-podinfo.json").toString());
        assertThatThrownBy(() -> pruned(text)).isInstanceOf(JacksonException.class);
    }

    @Test
    void anEmptyBodyIsNoTree() {
        assertThat(ReviewReader.DEPLOYMENTS.read(new byte[0], 0, 0)).isNull();
        assertThat(pruned("  ")).isNull();
    }

    /** Variations of the Flux review's annotations: the one case where leaving a value out could reach a patch. */
    static Stream<Arguments> annotationShapes() {
        return Stream.<Arguments>of(
                Arguments.of("only the last-applied annotation", (Consumer<ObjectNode>) a -> {
                    a.removeAll();
                    a.put(LAST_APPLIED, "{}");
                }),
                Arguments.of("the last-applied annotation among others", (Consumer<ObjectNode>)
                        a -> a.put(LAST_APPLIED, "{\"spec\":{\"replicas\":3}}")),
                Arguments.of("no annotations", (Consumer<ObjectNode>) ObjectNode::removeAll));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotationShapes")
    void theHandlerAnswersTheSameOnTheLeanTree(String name, Consumer<ObjectNode> shape) {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        shape.accept((ObjectNode)
                review.path("request").path("object").path("metadata").path("annotations"));
        String text = review.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);

        AdmissionResponse onFull = answer(review, ReviewReader.FULL.read(bytes, 0, bytes.length));
        AdmissionResponse onLean = answer(review, pruned(text));

        assertThat(onLean).isEqualTo(onFull);
        assertThat(onLean.patch())
                .as("the Flux review changes replicas, so the guard patches")
                .isNotNull();
        // Applied to the whole object, the patch keeps every annotation it did not add.
        JsonNode patched = io.fabric8.zjsonpatch.JsonPatch.apply(
                onLean.patch(), review.path("request").path("object"));
        review.path("request")
                .path("object")
                .path("metadata")
                .path("annotations")
                .properties()
                .forEach(e -> assertThat(
                                patched.path("metadata").path("annotations").path(e.getKey()))
                        .isEqualTo(e.getValue()));
    }

    /** The mutating handler's answer to {@code tree}, with the revision recorded the same way for both trees. */
    private static AdmissionResponse answer(ObjectNode review, JsonNode tree) {
        InMemoryClusterView cluster = new InMemoryClusterView();
        cluster.canaries.add(Fixtures.seedCanary(
                "Succeeded",
                Revisions.ofTemplate(Revisions.templateOf(review.path("request").path("oldObject")))));
        RecordingStatusWriter writer = new RecordingStatusWriter();
        MutatingHandler handler = new MutatingHandler(
                cluster,
                writer,
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", "analyzer"),
                Duration.ofSeconds(1),
                Clock.fixed(java.time.Instant.parse("2026-11-26T10:00:00Z"), java.time.ZoneOffset.UTC),
                Fixtures.metrics());
        AdmissionResponse response = await(handler.handle(Fixtures.request(tree)));
        assertThat(writer.writes)
                .as("the revision and its source are recorded from either tree")
                .hasSize(1);
        assertThat(writer.writes.get(0).mergePatch()).contains("\"source\":\"flux\"");
        return response;
    }
}
