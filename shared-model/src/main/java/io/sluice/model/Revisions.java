package io.sluice.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

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
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError("SHA-256 is required of every JVM");
        }
    }

    private Revisions() {}

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
            byte[] digest = sha256().digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** A fresh SHA-256 digest: a copy of a prototype, which skips the provider lookup of getInstance. */
    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return MessageDigest.getInstance("SHA-256");
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

    /**
     * The revision of the pod template of a Deployment given as decoded JSON values (maps, lists, strings, numbers,
     * booleans and nulls, as any JSON library decodes them): the same revision as {@link #ofDeployment(String)} of its
     * text, without printing the whole object and parsing it again (only the template is converted).
     */
    public static String ofDeploymentValues(Map<String, ?> deployment) {
        Object spec = deployment == null ? null : deployment.get("spec");
        Object template = spec instanceof Map<?, ?> m ? m.get("template") : null;
        return ofTemplate(template == null ? JSON.createObjectNode() : JSON.valueToTree(template));
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
        StringBuilder out = new StringBuilder(2048);
        if (node == null || !write(node, out)) {
            out.append("{}");
        }
        return out.toString();
    }

    /**
     * Appends the canonical form of {@code node} to {@code out} in one pass, with no intermediate tree: a value
     * that turns out to be empty is cut off again, so {@code out} is unchanged when this returns false (the value
     * is dropped). Called for every Deployment change the admission service sees, so it allocates little.
     */
    private static boolean write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT: {
                int start = out.length();
                @SuppressWarnings("unchecked")
                Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
                if (members.length > 1) {
                    Arrays.sort(members, Map.Entry.comparingByKey());
                }
                out.append('{');
                boolean any = false;
                for (Map.Entry<String, JsonNode> member : members) {
                    int mark = out.length();
                    if (any) {
                        out.append(',');
                    }
                    writeString(member.getKey(), out);
                    out.append(':');
                    if (write(member.getValue(), out)) {
                        any = true;
                    } else {
                        out.setLength(mark);
                    }
                }
                if (!any) {
                    out.setLength(start);
                    return false;
                }
                out.append('}');
                return true;
            }
            case ARRAY: {
                int start = out.length();
                out.append('[');
                boolean any = false;
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    if (write(node.get(i), out)) {
                        any = true;
                    } else {
                        // Array positions matter: an empty element stays, as an empty object.
                        out.append("{}");
                    }
                }
                if (!any) {
                    out.setLength(start);
                    return false;
                }
                out.append(']');
                return true;
            }
            case STRING: {
                String s = node.stringValue();
                if (s.isEmpty()) {
                    return false;
                }
                writeString(s, out);
                return true;
            }
            case NUMBER:
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    out.append(node.longValue());
                } else {
                    BigDecimal d = node.decimalValue().stripTrailingZeros();
                    out.append((d.scale() < 0 ? d.setScale(0) : d).toPlainString());
                }
                return true;
            case BOOLEAN:
                out.append(node.booleanValue());
                return true;
            default:
                return false;
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        int plain = 0;
        while (plain < s.length() && s.charAt(plain) >= 0x20 && s.charAt(plain) != '"' && s.charAt(plain) != '\\') {
            plain++;
        }
        // Most strings (names, images, labels) need no escape: one append for all of it.
        out.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
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
