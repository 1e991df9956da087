package io.sluice.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeType;

/**
 * The revision of a pod template: the one function the admission service and the analyzer both use to tell
 * whether a Deployment's template changed.
 *
 * <p>The revision is computed from the raw JSON tree, never from model objects, so that a client library that
 * learns new fields cannot change it. The tree is made canonical (object keys sorted; nulls, empty strings,
 * empty objects and empty arrays dropped, recursively; numbers in their shortest exact form) and hashed with
 * SHA-256; the revision is the first 16 hex digits. Only equality matters: values are opaque.
 */
public final class Revisions {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int LENGTH = 16;

    private Revisions() {
    }

    /** The revision of a pod template given as JSON text. */
    public static String ofTemplate(String podTemplateJson) {
        try {
            return ofTemplate(JSON.readTree(podTemplateJson));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("pod template is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The revision of a pod template given as a JSON tree (a Deployment's {@code spec.template}). */
    public static String ofTemplate(JsonNode podTemplate) {
        String canonical = canonicalJson(podTemplate);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** The revision of the pod template of a Deployment given as JSON text. */
    public static String ofDeployment(String deploymentJson) {
        try {
            return ofTemplate(templateOf(JSON.readTree(deploymentJson)));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("deployment is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code spec.template} of a Deployment tree; a missing template counts as empty. */
    public static JsonNode templateOf(JsonNode deployment) {
        JsonNode template = deployment == null ? null : deployment.path("spec").path("template");
        return template == null || template.isMissingNode() ? JSON.createObjectNode() : template;
    }

    /** Container name to image, for the containers (not init containers) of a pod template tree. */
    public static Map<String, String> images(JsonNode podTemplate) {
        Map<String, String> images = new LinkedHashMap<>();
        for (JsonNode c : podTemplate.path("spec").path("containers")) {
            String name = c.path("name").asString("");
            if (!name.isEmpty()) {
                images.put(name, c.path("image").asString(""));
            }
        }
        return images;
    }

    /** The canonical JSON text the revision hashes; empty input gives {@code {}}. */
    static String canonicalJson(JsonNode node) {
        Object canonical = canonical(node);
        StringBuilder out = new StringBuilder();
        write(canonical == null ? Map.of() : canonical, out);
        return out.toString();
    }

    /** A tree of sorted maps, lists, strings, numbers and booleans; {@code null} for what is dropped. */
    private static Object canonical(JsonNode node) {
        if (node == null) {
            return null;
        }
        JsonNodeType type = node.getNodeType();
        switch (type) {
            case OBJECT: {
                TreeMap<String, Object> map = new TreeMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    Object value = canonical(e.getValue());
                    if (value != null) {
                        map.put(e.getKey(), value);
                    }
                }
                return map.isEmpty() ? null : map;
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                boolean any = false;
                for (JsonNode item : node) {
                    Object value = canonical(item);
                    // Array positions matter: an empty element stays, as an empty object.
                    list.add(value == null ? Map.of() : value);
                    any |= value != null;
                }
                return any ? list : null;
            }
            case STRING:
                return node.asString().isEmpty() ? null : node.asString();
            case NUMBER:
                BigDecimal d = node.decimalValue().stripTrailingZeros();
                return d.scale() < 0 ? d.setScale(0) : d;
            case BOOLEAN:
                return node.booleanValue();
            default:
                return null;
        }
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString((String) e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof String s) {
            writeString(s, out);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toPlainString());
        } else {
            out.append(value);
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
