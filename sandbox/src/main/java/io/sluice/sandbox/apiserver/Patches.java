package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The three patch types kubectl and controllers send. The stock mock server appends arrays on a
 * merge patch and knows no strategic-merge patch; the sandbox applies all three itself and stores
 * the result with a plain update.
 */
final class Patches {

    static final String JSON_PATCH = "application/json-patch+json";
    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Merge keys of the lists Kubernetes' built-in types merge by key, looked up by field name: the
     * sandbox serves few enough kinds that no two same-named lists merge differently, except
     * {@code ports} (containers merge on containerPort, Services on port), resolved per element.
     */
    static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"),
            Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"),
            Map.entry("volumes", "name"),
            Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"),
            Map.entry("imagePullSecrets", "name"),
            Map.entry("hostAliases", "ip"),
            Map.entry("conditions", "type"),
            Map.entry("ownerReferences", "uid"),
            Map.entry("webhooks", "name"),
            Map.entry("ports", "*port"));

    private Patches() {}

    static JsonObject apply(String contentType, JsonObject current, String body) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        switch (type) {
            case JSON_PATCH:
                return jsonPatch(current, body);
            case MERGE_PATCH:
                return mergePatch(current, new JsonObject(body));
            case STRATEGIC_MERGE_PATCH:
                return strategicMerge(current, new JsonObject(body));
            default:
                throw new PatchException(
                        415,
                        "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: " + JSON_PATCH
                                + ", " + MERGE_PATCH + ", " + STRATEGIC_MERGE_PATCH);
        }
    }

    static JsonObject jsonPatch(JsonObject current, String patch) {
        try {
            JsonNode result =
                    io.fabric8.zjsonpatch.JsonPatch.apply(MAPPER.readTree(patch), MAPPER.readTree(current.encode()));
            return new JsonObject(MAPPER.writeValueAsString(result));
        } catch (RuntimeException e) {
            throw new PatchException(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage());
        }
    }

    /** RFC 7386: objects merge recursively, null removes, every other value (arrays included) replaces. */
    static JsonObject mergePatch(JsonObject target, JsonObject patch) {
        JsonObject result = target.copy();
        for (Map.Entry<String, Object> e : patch) {
            Object value = e.getValue();
            if (value == null) {
                result.remove(e.getKey());
            } else if (value instanceof JsonObject p) {
                Object existing = result.getValue(e.getKey());
                result.put(e.getKey(), mergePatch(existing instanceof JsonObject t ? t : new JsonObject(), p));
            } else {
                result.put(e.getKey(), copy(value));
            }
        }
        return result;
    }

    /** Strategic merge: like a merge patch, but lists with a merge key merge element by element. */
    static JsonObject strategicMerge(JsonObject target, JsonObject patch) {
        if ("replace".equals(patch.getString("$patch"))) {
            JsonObject replaced = patch.copy();
            replaced.remove("$patch");
            return stripDirectives(replaced);
        }
        JsonObject result = target.copy();
        List<String> retainKeys = patch.getJsonArray("$retainKeys") == null
                ? null
                : patch.getJsonArray("$retainKeys").getList();
        for (Map.Entry<String, Object> e : patch) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.startsWith("$")) {
                continue;
            }
            if (value == null) {
                result.remove(key);
            } else if (value instanceof JsonObject p) {
                if ("delete".equals(p.getString("$patch"))) {
                    result.remove(key);
                    continue;
                }
                Object existing = result.getValue(key);
                result.put(key, strategicMerge(existing instanceof JsonObject t ? t : new JsonObject(), p));
            } else if (value instanceof JsonArray list && MERGE_KEYS.containsKey(key)) {
                Object existing = result.getValue(key);
                result.put(
                        key,
                        mergeList(existing instanceof JsonArray a ? a : new JsonArray(), list, MERGE_KEYS.get(key)));
            } else {
                result.put(key, stripDirectives(copy(value)));
            }
        }
        if (retainKeys != null) {
            result.fieldNames().removeIf(k -> !retainKeys.contains(k));
        }
        return result;
    }

    private static JsonArray mergeList(JsonArray target, JsonArray patch, String mergeKey) {
        List<Object> result = new ArrayList<>(
                target.copy().getList().stream().map(Patches::wrap).toList());
        for (Object o : patch) {
            if (!(o instanceof JsonObject element)) {
                result.add(o);
                continue;
            }
            String key = mergeKey.equals("*port")
                    ? (element.containsKey("containerPort") ? "containerPort" : "port")
                    : mergeKey;
            Object keyValue = element.getValue(key);
            int index = indexOf(result, key, keyValue);
            String directive = element.getString("$patch");
            if ("delete".equals(directive)) {
                if (index >= 0) {
                    result.remove(index);
                }
            } else if (index >= 0 && !"replace".equals(directive)) {
                result.set(index, strategicMerge((JsonObject) result.get(index), element));
            } else if (index >= 0) {
                result.set(index, stripDirectives(element.copy()));
            } else {
                result.add(stripDirectives(element.copy()));
            }
        }
        return new JsonArray(result);
    }

    private static Object wrap(Object o) {
        if (o instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return new JsonObject(map);
        }
        if (o instanceof List<?> l) {
            return new JsonArray(new ArrayList<>(l));
        }
        return o;
    }

    private static int indexOf(List<Object> list, String key, Object value) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof JsonObject o
                    && Objects.equals(String.valueOf(o.getValue(key)), String.valueOf(value))) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static <T> T stripDirectives(T value) {
        if (value instanceof JsonObject o) {
            Iterator<Map.Entry<String, Object>> it = o.iterator();
            while (it.hasNext()) {
                Map.Entry<String, Object> e = it.next();
                if (e.getKey().startsWith("$")) {
                    it.remove();
                } else {
                    stripDirectives(e.getValue());
                }
            }
        } else if (value instanceof JsonArray a) {
            a.forEach(Patches::stripDirectives);
        }
        return value;
    }

    private static Object copy(Object value) {
        if (value instanceof JsonObject o) {
            return o.copy();
        }
        if (value instanceof JsonArray a) {
            return a.copy();
        }
        return value;
    }

    /** A patch that cannot be applied, with the HTTP status and reason the API server answers. */
    static final class PatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        final String reason;

        PatchException(int code, String reason, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
        }
    }
}
