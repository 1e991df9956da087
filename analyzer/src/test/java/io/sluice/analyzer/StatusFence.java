package io.sluice.analyzer;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The resourceVersion fence a real API server puts on a status write and fabric8's mock server does not: the mock
 * applies a status PUT, or a patch that sets a version, whatever version it names; a real one refuses it with 409 when
 * that version is not the stored one. The analyzer's fencing relies on the refusal, so the test servers add it.
 */
public final class StatusFence {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusFence() {}

    /**
     * Whether {@code method} on {@code path} with {@code body} writes a status subresource naming a version other than
     * the stored object's ({@code storedVersion} of the object's path answers it, null when there is none).
     */
    public static boolean stale(String method, String path, byte[] body, Function<String, String> storedVersion) {
        if (path == null || !path.endsWith("/status") || body == null || body.length == 0) {
            return false;
        }
        String sent = sentVersion(method, JSON.readTree(new String(body, StandardCharsets.UTF_8)));
        if (sent == null) {
            return false;
        }
        String stored = storedVersion.apply(path.substring(0, path.length() - "/status".length()));
        return stored != null && !sent.equals(stored);
    }

    /** The version a PUT's object or a patch names: {@code metadata.resourceVersion}, or a JSON patch's op setting it. */
    static String sentVersion(String method, JsonNode body) {
        if ("PATCH".equals(method) && body.isArray()) {
            for (JsonNode op : body) {
                if ("/metadata/resourceVersion".equals(op.path("path").asString(""))
                        && op.path("value").isString()) {
                    return op.path("value").asString();
                }
            }
            return null;
        }
        if (!"PUT".equals(method) && !"PATCH".equals(method)) {
            return null;
        }
        JsonNode version = body.path("metadata").path("resourceVersion");
        return version.isString() ? version.asString() : null;
    }
}
