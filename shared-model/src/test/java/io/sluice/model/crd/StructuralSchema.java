package io.sluice.model.crd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Checks a value against a CRD's OpenAPI v3 schema the way the API server does for the parts a schema can say:
 * types, required fields, enums, ranges, lengths, patterns, int-or-string, and unknown fields (which the API
 * server prunes, and {@code kubectl apply} rejects under its default strict field validation). CEL rules
 * ({@code x-kubernetes-validations}) are not evaluated. Written from the Kubernetes documentation of structural
 * schemas, independently of fabric8's generator, so that tests can use it as an oracle for the generated CRDs.
 */
final class StructuralSchema {
    private StructuralSchema() {}

    /** What the API server would reject or prune in {@code value}, one line per finding; empty when it is valid. */
    static List<String> violations(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "", out);
        return out;
    }

    /** Paths of schema nodes without a type where a structural schema needs one. */
    static List<String> untypedNodes(JsonNode schema) {
        List<String> out = new ArrayList<>();
        untyped(schema, "", out);
        return out;
    }

    private static void check(JsonNode s, JsonNode v, String path, List<String> out) {
        String at = path.isEmpty() ? "." : path;
        if (v.isNull()) {
            if (!s.path("nullable").asBoolean(false)) {
                out.add(at + ": must not be null");
            }
            return;
        }
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!v.isIntegralNumber() && !v.isString()) {
                out.add(at + ": must be an integer or a string");
            }
            return;
        }
        String type = s.path("type").asString("");
        switch (type) {
            case "object" -> object(s, v, path, out);
            case "array" -> array(s, v, path, out);
            case "string" -> {
                if (!v.isString()) {
                    out.add(at + ": must be a string");
                    return;
                }
                String text = v.asString();
                if (s.has("pattern")
                        && !Pattern.compile(s.get("pattern").asString())
                                .matcher(text)
                                .find()) {
                    out.add(at + ": does not match " + s.get("pattern").asString());
                }
                if (s.has("minLength") && text.length() < s.get("minLength").asLong()) {
                    out.add(at + ": shorter than " + s.get("minLength").asLong());
                }
                if (s.has("maxLength") && text.length() > s.get("maxLength").asLong()) {
                    out.add(at + ": longer than " + s.get("maxLength").asLong());
                }
            }
            case "integer" -> {
                if (!v.isIntegralNumber()) {
                    out.add(at + ": must be an integer");
                    return;
                }
                range(s, v, at, out);
            }
            case "number" -> {
                if (!v.isNumber()) {
                    out.add(at + ": must be a number");
                    return;
                }
                range(s, v, at, out);
            }
            case "boolean" -> {
                if (!v.isBoolean()) {
                    out.add(at + ": must be a boolean");
                }
            }
            default -> {
                if (!s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                    out.add(at + ": the schema has no type here");
                }
            }
        }
        if (s.has("enum") && s.get("enum").valueStream().noneMatch(v::equals)) {
            out.add(at + ": " + v + " is not one of " + s.get("enum"));
        }
    }

    private static void object(JsonNode s, JsonNode v, String path, List<String> out) {
        if (!v.isObject()) {
            out.add((path.isEmpty() ? "." : path) + ": must be an object");
            return;
        }
        JsonNode properties = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Map.Entry<String, JsonNode> field : v.properties()) {
            String fieldPath = path + "." + field.getKey();
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), fieldPath, out);
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), fieldPath, out);
            } else if (!preserve) {
                out.add(fieldPath + ": unknown field (pruned by the API server)");
            }
        }
        s.path("required")
                .valueStream()
                .map(JsonNode::asString)
                .filter(name -> !v.has(name))
                .forEach(name -> out.add(path + "." + name + ": required"));
    }

    private static void array(JsonNode s, JsonNode v, String path, List<String> out) {
        if (!v.isArray()) {
            out.add(path + ": must be an array");
            return;
        }
        for (int i = 0; i < v.size(); i++) {
            check(s.path("items"), v.get(i), path + "[" + i + "]", out);
        }
        if (s.has("minItems") && v.size() < s.get("minItems").asLong()) {
            out.add(path + ": fewer than " + s.get("minItems").asLong() + " items");
        }
        if (s.has("maxItems") && v.size() > s.get("maxItems").asLong()) {
            out.add(path + ": more than " + s.get("maxItems").asLong() + " items");
        }
    }

    private static void range(JsonNode s, JsonNode v, String at, List<String> out) {
        double x = v.asDouble();
        if (s.has("minimum")) {
            double min = s.get("minimum").asDouble();
            boolean exclusive = s.path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? x <= min : x < min) {
                out.add(at + ": " + v + " is less than the minimum " + s.get("minimum"));
            }
        }
        if (s.has("maximum")) {
            double max = s.get("maximum").asDouble();
            boolean exclusive = s.path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? x >= max : x > max) {
                out.add(at + ": " + v + " is more than the maximum " + s.get("maximum"));
            }
        }
    }

    private static void untyped(JsonNode s, String path, List<String> out) {
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return;
        }
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (!s.has("type") && !preserve) {
            out.add(path.isEmpty() ? "." : path);
        }
        for (Map.Entry<String, JsonNode> p : s.path("properties").properties()) {
            untyped(p.getValue(), path + "." + p.getKey(), out);
        }
        if (s.has("items")) {
            untyped(s.get("items"), path + "[]", out);
        }
        if (s.path("additionalProperties").isObject()) {
            untyped(s.get("additionalProperties"), path + ".*", out);
        }
    }
}
