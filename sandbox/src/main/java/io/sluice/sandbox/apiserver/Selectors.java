package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Kubernetes label selectors (matchLabels and matchExpressions); an absent selector matches all. */
public final class Selectors {

    private Selectors() {}

    public static boolean matches(JsonObject selector, JsonObject labels) {
        if (selector == null) {
            return true;
        }
        JsonObject l = labels == null ? new JsonObject() : labels;
        for (String key :
                selector.getJsonObject("matchLabels", new JsonObject()).fieldNames()) {
            if (!selector.getJsonObject("matchLabels").getValue(key).equals(l.getValue(key))) {
                return false;
            }
        }
        for (Object o : selector.getJsonArray("matchExpressions", new JsonArray())) {
            JsonObject e = (JsonObject) o;
            String key = e.getString("key");
            List<Object> values = e.getJsonArray("values", new JsonArray()).getList();
            boolean has = l.containsKey(key);
            boolean ok = switch (e.getString("operator", "")) {
                case "In" -> has && values.contains(l.getValue(key));
                case "NotIn" -> !has || !values.contains(l.getValue(key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A plain map selector (a Service's spec.selector). An empty one selects nothing, as for Services. */
    public static boolean matchesMap(JsonObject selector, JsonObject labels) {
        if (selector == null || selector.isEmpty()) {
            return false;
        }
        for (String key : selector.fieldNames()) {
            if (labels == null || !selector.getValue(key).equals(labels.getValue(key))) {
                return false;
            }
        }
        return true;
    }
}
