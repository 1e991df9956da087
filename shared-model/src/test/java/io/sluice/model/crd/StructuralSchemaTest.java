package io.sluice.model.crd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The oracle the CRD tests rely on, checked on a schema written by hand. */
class StructuralSchemaTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNode SCHEMA = YAML.readTree("""
            type: object
            required: [name]
            properties:
              name: {type: string, pattern: '^[a-z]+$'}
              port: {type: integer, minimum: 1, maximum: 65535}
              ratio: {type: number, minimum: 0, exclusiveMinimum: true}
              kind: {type: string, enum: [a, b]}
              target: {x-kubernetes-int-or-string: true}
              tags: {type: array, maxItems: 2, items: {type: integer, maximum: 100}}
              labels: {type: object, additionalProperties: {type: string}}
              raw: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """);

    private static JsonNode value(String yaml) {
        return YAML.readTree(yaml);
    }

    @Test
    void acceptsAValidValue() {
        assertThat(StructuralSchema.violations(SCHEMA, value("""
                {name: web, port: 80, ratio: 0.5, kind: a, target: http, tags: [1, 100], labels: {x: y},
                 raw: {any: [thing]}}"""))).isEmpty();
    }

    @Test
    void reportsEachKindOfViolation() {
        assertThat(StructuralSchema.violations(SCHEMA, value("""
                {port: 0, ratio: 0, kind: c, target: 1.5, tags: [1, 2, 300], labels: {x: 1}, extra: true}""")))
                .containsExactlyInAnyOrder(
                        ".port: 0 is less than the minimum 1",
                        ".ratio: 0 is less than the minimum 0",
                        ".kind: \"c\" is not one of [\"a\",\"b\"]",
                        ".target: must be an integer or a string",
                        ".tags[2]: 300 is more than the maximum 100",
                        ".tags: more than 2 items",
                        ".labels.x: must be a string",
                        ".extra: unknown field (pruned by the API server)",
                        ".name: required");
        assertThat(StructuralSchema.violations(SCHEMA, value("{name: Web, port: 65536}")))
                .containsExactlyInAnyOrder(
                        ".name: does not match ^[a-z]+$", ".port: 65536 is more than the maximum 65535");
    }

    @Test
    void findsUntypedNodes() {
        assertThat(StructuralSchema.untypedNodes(SCHEMA)).isEmpty();
        assertThat(StructuralSchema.untypedNodes(value("{type: object, properties: {a: {description: x}}}")))
                .containsExactly(".a");
    }
}
