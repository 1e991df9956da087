package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionsTest {
    /** A pod template with the fields a real API server returns, unknown ones included. */
    static final String TEMPLATE = """
            {"metadata":{"creationTimestamp":null,"labels":{"app":"podinfo"},
              "annotations":{"prometheus.io/scrape":"true"}},
             "spec":{"containers":[{"name":"podinfod","image":"ghcr.io/stefanprodan/podinfo:6.0.0",
                "ports":[{"name":"http","containerPort":9898,"protocol":"TCP"}],
                "env":[{"name":"PODINFO_UI_COLOR","value":"#34577c"}],
                "resources":{"limits":{"cpu":"2000m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},
                "terminationMessagePath":"/dev/termination-log","imagePullPolicy":"IfNotPresent",
                "futureField":{"enabled":true}}],
              "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
              "securityContext":{},"schedulerName":"default-scheduler"}}""";

    @Test
    void goldenValuesMatchSha256OfTheCanonicalJson() {
        // Expected values computed outside Java: printf '%s' '<canonical json>' | sha256sum | cut -c1-16
        assertThat(Revisions.ofTemplate("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"}]}}"))
                .isEqualTo("c4c711d9b9ddb473");
        assertThat(Revisions.ofTemplate("""
                {"metadata":{"labels":{"app":"podinfo"},"annotations":{}},
                 "spec":{"containers":[{"name":"podinfod","image":"ghcr.io/stefanprodan/podinfo:6.0.0",
                   "ports":[{"containerPort":9898,"name":"http","protocol":"TCP"}],"env":[]}]}}""")).isEqualTo("06ca79376c63846a");
        assertThat(Revisions.ofTemplate("{}")).isEqualTo("44136fa355b3678a");
    }

    @Test
    void canonicalJsonSortsKeysAndDropsEmptyValues() {
        assertThat(Revisions.canonicalJson(Fixtures.SERIALIZATION.unmarshal(
                        "{\"b\":1,\"a\":{\"z\":null,\"y\":\"\",\"x\":[],\"w\":{}},\"c\":[{\"k\":\"v\"}],\"d\":false}",
                        tools.jackson.databind.JsonNode.class)))
                .isEqualTo("{\"b\":1,\"c\":[{\"k\":\"v\"}],\"d\":false}");
    }

    @Test
    void canonicalJsonEscapesStringsAndKeepsArrayPositions() {
        assertThat(Revisions.canonicalJson(Fixtures.SERIALIZATION.unmarshal(
                        "{\"s\":\"q\\\"b\\\\c\\nd\u20ac\",\"l\":[null,{\"a\":\"\"},2,[]],\"e\":[null,\"\",{}],"
                                + "\"n\":[1.50,-0.0,1e3,12345678901234567890]}",
                        tools.jackson.databind.JsonNode.class)))
                .isEqualTo("{\"l\":[{},{},2,{}],\"n\":[1.5,0,1000,12345678901234567890],"
                        + "\"s\":\"q\\\"b\\\\c\\u000ad\u20ac\"}");
    }

    /**
     * The one-pass writer against a reference built another way: empty values pruned from a copy of the tree,
     * then Jackson's own writer with sorted properties. Random trees of strings, integers, booleans, nulls and
     * (possibly empty) containers; escapes are pinned by the golden cases above.
     */
    @Test
    void canonicalJsonEqualsPruningThenSortedWriting() {
        java.util.Random random = new java.util.Random(7);
        tools.jackson.databind.ObjectMapper sorted = tools.jackson.databind.json.JsonMapper.builder()
                .enable(tools.jackson.databind.cfg.JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                .build();
        for (int i = 0; i < 2_000; i++) {
            tools.jackson.databind.JsonNode tree = randomNode(random, 0);
            tools.jackson.databind.JsonNode pruned = prune(tree);
            String expected = pruned == null ? "{}" : sorted.writeValueAsString(pruned);
            assertThat(Revisions.canonicalJson(tree))
                    .as("canonical form of %s", tree)
                    .isEqualTo(expected);
        }
    }

    private static tools.jackson.databind.JsonNode randomNode(java.util.Random random, int depth) {
        var nodes = tools.jackson.databind.node.JsonNodeFactory.instance;
        int kind = random.nextInt(depth >= 4 ? 5 : 7);
        switch (kind) {
            case 0:
                return nodes.nullNode();
            case 1:
                return nodes.stringNode(random.nextBoolean() ? "" : "v" + random.nextInt(100) + "\u00e9");
            case 2:
                return nodes.numberNode(random.nextInt(2_000) - 1_000);
            case 3:
                return nodes.booleanNode(random.nextBoolean());
            case 4:
                return random.nextBoolean() ? nodes.objectNode() : nodes.arrayNode();
            case 5: {
                tools.jackson.databind.node.ObjectNode object = nodes.objectNode();
                for (int k = random.nextInt(5); k > 0; k--) {
                    object.set(
                            "k" + (char) ('a' + random.nextInt(26)) + random.nextInt(3), randomNode(random, depth + 1));
                }
                return object;
            }
            default: {
                tools.jackson.databind.node.ArrayNode array = nodes.arrayNode();
                for (int k = random.nextInt(4); k > 0; k--) {
                    array.add(randomNode(random, depth + 1));
                }
                return array;
            }
        }
    }

    /** A copy without empty values, or null when nothing is left. */
    private static tools.jackson.databind.JsonNode prune(tools.jackson.databind.JsonNode node) {
        if (node.isObject()) {
            tools.jackson.databind.node.ObjectNode copy =
                    tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> {
                tools.jackson.databind.JsonNode value = prune(e.getValue());
                if (value != null) {
                    copy.set(e.getKey(), value);
                }
            });
            return copy.isEmpty() ? null : copy;
        }
        if (node.isArray()) {
            tools.jackson.databind.node.ArrayNode copy =
                    tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            boolean any = false;
            for (tools.jackson.databind.JsonNode item : node) {
                tools.jackson.databind.JsonNode value = prune(item);
                any |= value != null;
                copy.add(value == null ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode() : value);
            }
            return any ? copy : null;
        }
        if (node.isNull() || (node.isString() && node.stringValue().isEmpty())) {
            return null;
        }
        return node;
    }

    @Test
    void keyOrderDoesNotMatter() {
        String reordered = """
                {"spec":{"schedulerName":"default-scheduler","securityContext":{},"dnsPolicy":"ClusterFirst",
                  "terminationGracePeriodSeconds":30,"restartPolicy":"Always",
                  "containers":[{"futureField":{"enabled":true},"imagePullPolicy":"IfNotPresent",
                    "terminationMessagePath":"/dev/termination-log",
                    "resources":{"requests":{"memory":"64Mi","cpu":"100m"},"limits":{"memory":"512Mi","cpu":"2000m"}},
                    "env":[{"value":"#34577c","name":"PODINFO_UI_COLOR"}],
                    "ports":[{"protocol":"TCP","containerPort":9898,"name":"http"}],
                    "image":"ghcr.io/stefanprodan/podinfo:6.0.0","name":"podinfod"}]},
                 "metadata":{"annotations":{"prometheus.io/scrape":"true"},"labels":{"app":"podinfo"}}}""";
        assertThat(Revisions.ofTemplate(reordered)).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void absentNullAndEmptyFieldsAreTheSame() {
        String withNulls = TEMPLATE.replace(
                "\"restartPolicy\":\"Always\"",
                "\"restartPolicy\":\"Always\",\"nodeSelector\":null,\"volumes\":[],\"hostname\":\"\",\"affinity\":{}");
        assertThat(Revisions.ofTemplate(withNulls)).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void numbersAreComparedByValue() {
        assertThat(Revisions.ofTemplate(TEMPLATE.replace(
                        "\"terminationGracePeriodSeconds\":30", "\"terminationGracePeriodSeconds\":30.0")))
                .isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void aRoundTripThroughTheFabric8ModelKeepsTheRevision() {
        String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"podinfo\"},"
                + "\"spec\":{\"template\":"
                + TEMPLATE.replace(",\n                \"futureField\":{\"enabled\":true}", "")
                + "}}";
        Deployment typed = Fixtures.SERIALIZATION.unmarshal(deployment, Deployment.class);
        String roundTripped = Fixtures.SERIALIZATION.asJson(typed);

        assertThat(roundTripped).isNotEqualTo(deployment);
        assertThat(Revisions.ofDeployment(roundTripped)).isEqualTo(Revisions.ofDeployment(deployment));
    }

    @Test
    void decodedValuesGiveTheRevisionOfTheirText() {
        String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"podinfo\"},"
                + "\"spec\":{\"replicas\":2,\"template\":"
                + TEMPLATE.replace("\"terminationGracePeriodSeconds\":30", "\"terminationGracePeriodSeconds\":30.0")
                + "}}";
        io.fabric8.kubernetes.api.model.GenericKubernetesResource decoded = Fixtures.SERIALIZATION.unmarshal(
                deployment, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);

        assertThat(Revisions.ofDeploymentValues(decoded.getAdditionalProperties()))
                .isEqualTo(Revisions.ofDeployment(deployment))
                .isEqualTo(Revisions.ofTemplate(TEMPLATE));
        assertThat(Revisions.ofDeploymentValues(java.util.Map.of("spec", java.util.Map.of())))
                .as("a missing template counts as empty")
                .isEqualTo(Revisions.ofTemplate("{}"));
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("a new image", TEMPLATE.replace("podinfo:6.0.0", "podinfo:6.0.1")),
                Arguments.of("a changed env value", TEMPLATE.replace("#34577c", "#ff0000")),
                Arguments.of(
                        "a new pod annotation",
                        TEMPLATE.replace(
                                "\"prometheus.io/scrape\":\"true\"",
                                "\"prometheus.io/scrape\":\"true\",\"restartedAt\":\"2026-11-26T10:00:00Z\"")),
                Arguments.of(
                        "a changed resource limit", TEMPLATE.replace("\"memory\":\"512Mi\"", "\"memory\":\"1Gi\"")),
                Arguments.of("a changed label", TEMPLATE.replace("\"app\":\"podinfo\"", "\"app\":\"podinfo-v2\"")),
                Arguments.of("a boolean turned off", TEMPLATE.replace("\"enabled\":true", "\"enabled\":false")));
    }

    @ParameterizedTest(name = "the revision changes with {0}")
    @MethodSource("changes")
    void theRevisionChanges(String change, String changed) {
        assertThat(Revisions.ofTemplate(changed)).isNotEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void theTemplateOfADeploymentIsWhatCounts() {
        String a = "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1,\"template\":"
                + TEMPLATE + "}}";
        String b = "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":0,\"template\":"
                + TEMPLATE + "},\"status\":{\"replicas\":0}}";
        assertThat(Revisions.ofDeployment(a))
                .isEqualTo(Revisions.ofDeployment(b))
                .isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void imagesAreListedByContainer() {
        assertThat(Revisions.images(Fixtures.SERIALIZATION.unmarshal(TEMPLATE, tools.jackson.databind.JsonNode.class)))
                .containsExactly(java.util.Map.entry("podinfod", "ghcr.io/stefanprodan/podinfo:6.0.0"));
    }

    @Test
    void malformedJsonIsAClearError() {
        assertThatThrownBy(() -> Revisions.ofTemplate("{\"spec\":"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pod template is not valid JSON");
    }
}
