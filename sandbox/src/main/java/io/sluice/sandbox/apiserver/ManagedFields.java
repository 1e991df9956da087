package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * {@code metadata.managedFields}: one entry per field manager, operation and subresource, stamped
 * on every write. The field sets are coarse (the paths the write touched, lists as a whole) — the
 * sandbox does not do server-side apply, and what Sluice reads is who wrote last and through what.
 */
final class ManagedFields {

    private ManagedFields() {}

    static void record(
            JsonObject object,
            String manager,
            String operation,
            String subresource,
            String apiVersion,
            JsonObject touched,
            Instant now) {
        JsonObject meta = object.getJsonObject("metadata");
        JsonArray entries = meta.getJsonArray("managedFields", new JsonArray());
        JsonArray kept = new JsonArray();
        for (Object o : entries) {
            JsonObject e = (JsonObject) o;
            boolean same = manager.equals(e.getString("manager"))
                    && operation.equals(e.getString("operation"))
                    && java.util.Objects.equals(subresource, e.getString("subresource"));
            if (!same) {
                kept.add(e);
            }
        }
        JsonObject entry = new JsonObject()
                .put("manager", manager)
                .put("operation", operation)
                .put("apiVersion", apiVersion)
                .put("time", now.toString())
                .put("fieldsType", "FieldsV1")
                .put("fieldsV1", fields(touched));
        if (subresource != null) {
            entry.put("subresource", subresource);
        }
        kept.add(entry);
        meta.put("managedFields", kept);
    }

    static JsonObject fields(JsonObject touched) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, Object> e : touched) {
            if (e.getKey().equals("metadata") && e.getValue() instanceof JsonObject m) {
                JsonObject mm = new JsonObject();
                m.forEach(x -> {
                    if (x.getKey().equals("labels") || x.getKey().equals("annotations")) {
                        mm.put("f:" + x.getKey(), x.getValue() instanceof JsonObject v ? fields(v) : new JsonObject());
                    }
                });
                if (!mm.isEmpty()) {
                    out.put("f:metadata", mm);
                }
                continue;
            }
            out.put("f:" + e.getKey(), e.getValue() instanceof JsonObject v ? fields(v) : new JsonObject());
        }
        return out;
    }

    /** The part of {@code next} that differs from {@code current}, maps recursively. */
    static Object changed(Object current, Object next) {
        if (current instanceof JsonObject c && next instanceof JsonObject n) {
            JsonObject out = new JsonObject();
            for (String k : n.fieldNames()) {
                if (!java.util.Objects.equals(c.getValue(k), n.getValue(k))) {
                    out.put(k, changed(c.getValue(k), n.getValue(k)));
                }
            }
            return out;
        }
        return next;
    }
}
