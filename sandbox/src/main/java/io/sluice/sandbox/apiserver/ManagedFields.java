package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code metadata.managedFields}: one entry per field manager, operation and subresource, with the
 * fields it owns in the {@code FieldsV1} form ({@code f:} for a map field, {@code k:{…}} for an
 * element of a list merged by key, {@code .} for that element itself). A field set is held here as
 * the set of its paths, each a list of those steps.
 *
 * <p>An update (create, PUT, a patch) gives its manager the fields it changed and takes them from
 * every other manager (a manager left with none loses its entry); an apply ({@link #apply}) gives its manager exactly the fields of the applied
 * configuration, after checking that no other manager owns a field it changes.
 */
final class ManagedFields {

    static final String APPLY = "Apply";
    static final String UPDATE = "Update";
    private static final Object MISSING = new Object();

    private ManagedFields() {}

    /** An update by {@code manager}: {@code current} is null on a create. */
    static void recordUpdate(
            JsonObject current, JsonObject next, String manager, String subresource, String apiVersion, Instant now) {
        Set<List<String>> changed = new LinkedHashSet<>();
        Set<List<String>> removed = new LinkedHashSet<>();
        Set<List<String>> after = fieldSet(next, subresource);
        for (List<String> p : after) {
            if (current == null || !same(valueAt(current, p), valueAt(next, p))) {
                changed.add(p);
            }
        }
        if (current != null) {
            for (List<String> p : fieldSet(current, subresource)) {
                if (!after.contains(p)) {
                    removed.add(p);
                }
            }
        }
        JsonArray entries = next.getJsonObject("metadata").getJsonArray("managedFields", new JsonArray());
        JsonArray kept = new JsonArray();
        Set<List<String>> mine = new LinkedHashSet<>();
        for (Object o : entries) {
            JsonObject e = (JsonObject) o;
            Set<List<String>> owned = paths(e.getJsonObject("fieldsV1", new JsonObject()));
            if (isEntry(e, manager, UPDATE, subresource)) {
                mine.addAll(owned);
                continue;
            }
            owned.removeAll(changed);
            owned.removeAll(removed);
            if (!owned.isEmpty()) {
                kept.add(e.copy().put("fieldsV1", fieldsV1(owned)));
            }
        }
        mine.addAll(changed);
        mine.removeAll(removed);
        // As on a real server, a manager left owning nothing has no entry (a write that changed only
        // managedFields, such as kubectl's hand-over from client-side to server-side apply, adds none).
        if (!mine.isEmpty()) {
            kept.add(entry(manager, UPDATE, subresource, apiVersion, now, mine));
        }
        next.getJsonObject("metadata").put("managedFields", kept);
    }

    /**
     * Server-side apply of {@code applied} by {@code manager} onto {@code live}: returns the merged
     * object with its new managedFields, or throws the API server's 409 when another manager owns a
     * field the apply changes and {@code force} is not set ({@code force} moves those fields instead).
     */
    static JsonObject apply(
            JsonObject live, JsonObject applied, String manager, boolean force, String apiVersion, Instant now) {
        Set<List<String>> wanted = fieldSet(applied, null);
        JsonArray entries = live.getJsonObject("metadata").getJsonArray("managedFields", new JsonArray());
        Set<List<String>> before = new LinkedHashSet<>();
        Set<List<String>> ownedByOthers = new LinkedHashSet<>();
        for (Object o : entries) {
            JsonObject e = (JsonObject) o;
            Set<List<String>> owned = paths(e.getJsonObject("fieldsV1", new JsonObject()));
            if (isEntry(e, manager, APPLY, null)) {
                before.addAll(owned);
            } else {
                ownedByOthers.addAll(owned);
            }
        }
        JsonObject merged = (JsonObject) merge(live, applied, null);
        // What this manager applied before and applies no more goes, unless someone else holds it too.
        List<List<String>> dropped = new ArrayList<>(before);
        dropped.removeAll(wanted);
        dropped.removeAll(ownedByOthers);
        dropped.sort(Comparator.comparingInt((List<String> p) -> p.size()).reversed());
        dropped.forEach(p -> remove(merged, p));

        Set<List<String>> changed = new LinkedHashSet<>();
        for (List<String> p : fieldSet(merged, null)) {
            if (!same(valueAt(live, p), valueAt(merged, p))) {
                changed.add(p);
            }
        }
        JsonArray kept = new JsonArray();
        List<JsonObject> causes = new ArrayList<>();
        Map<String, List<String>> byManager = new TreeMap<>();
        for (Object o : entries) {
            JsonObject e = (JsonObject) o;
            if (isEntry(e, manager, APPLY, null)) {
                continue;
            }
            Set<List<String>> owned = paths(e.getJsonObject("fieldsV1", new JsonObject()));
            Set<List<String>> conflicts = new LinkedHashSet<>(owned);
            conflicts.retainAll(changed);
            conflicts.removeIf(p -> p.get(p.size() - 1).equals("."));
            if (!conflicts.isEmpty() && force) {
                owned.removeAll(conflicts);
            } else if (!conflicts.isEmpty()) {
                String who = describe(e);
                for (List<String> p : conflicts) {
                    causes.add(new JsonObject()
                            .put("type", "FieldManagerConflict")
                            .put("message", "conflict with " + who)
                            .put("field", render(p)));
                    byManager.computeIfAbsent(who, k -> new ArrayList<>()).add(render(p));
                }
            }
            if (!owned.isEmpty()
                    || e.getJsonObject("fieldsV1", new JsonObject()).isEmpty()) {
                kept.add(e.copy().put("fieldsV1", fieldsV1(owned)));
            }
        }
        if (!causes.isEmpty() && manager.equals("kubectl") && allowedByLastApplied(live, causes)) {
            return apply(live, applied, manager, true, apiVersion, now);
        }
        if (!causes.isEmpty()) {
            throw conflict(causes, byManager);
        }
        kept.add(entry(manager, APPLY, null, apiVersion, now, wanted));
        JsonObject meta = merged.getJsonObject("metadata");
        meta.put("managedFields", kept);
        return merged;
    }

    /**
     * kubectl's first server-side apply over its client-side applies: as the API server does, when
     * every conflict is a field of the object's {@code kubectl.kubernetes.io/last-applied-configuration}
     * still holding the value set there, the apply takes them over as if forced.
     */
    private static boolean allowedByLastApplied(JsonObject live, List<JsonObject> causes) {
        JsonObject annotations = live.getJsonObject("metadata").getJsonObject("annotations");
        String last =
                annotations == null ? null : annotations.getString("kubectl.kubernetes.io/last-applied-configuration");
        if (last == null) {
            return false;
        }
        Set<String> allowed = new java.util.HashSet<>();
        try {
            JsonObject lastApplied = new JsonObject(last);
            for (List<String> p : fieldSet(lastApplied, null)) {
                if (same(valueAt(lastApplied, p), valueAt(live, p))) {
                    allowed.add(render(p));
                }
            }
        } catch (RuntimeException notJson) {
            return false;
        }
        return causes.stream().allMatch(c -> allowed.contains(c.getString("field")));
    }

    /** The Apply entry of a create by apply: the manager owns every field it set. */
    static void recordCreateByApply(
            JsonObject object, JsonObject applied, String manager, String apiVersion, Instant now) {
        object.getJsonObject("metadata")
                .put(
                        "managedFields",
                        new JsonArray().add(entry(manager, APPLY, null, apiVersion, now, fieldSet(applied, null))));
    }

    private static ApiError conflict(List<JsonObject> causes, Map<String, List<String>> byManager) {
        String message;
        if (causes.size() == 1) {
            message = "Apply failed with 1 conflict: " + causes.get(0).getString("message") + ": "
                    + causes.get(0).getString("field");
        } else {
            List<String> lines = new ArrayList<>();
            byManager.forEach((who, fields) -> {
                lines.add("conflicts with " + who + ":");
                fields.forEach(f -> lines.add("- " + f));
            });
            message = "Apply failed with " + causes.size() + " conflicts: " + String.join("\n", lines);
        }
        return new ApiError(409, "Conflict", message, new JsonObject().put("causes", new JsonArray(causes)));
    }

    /** A manager as conflict messages name it: {@code "kubectl-set" using apps/v1}; an applier by name only. */
    private static String describe(JsonObject e) {
        String s = "\"" + e.getString("manager") + "\"";
        if (e.getString("subresource") != null) {
            s += " with subresource \"" + e.getString("subresource") + "\"";
        }
        return UPDATE.equals(e.getString("operation")) ? s + " using " + e.getString("apiVersion") : s;
    }

    private static boolean isEntry(JsonObject e, String manager, String operation, String subresource) {
        return manager.equals(e.getString("manager"))
                && operation.equals(e.getString("operation"))
                && Objects.equals(subresource, e.getString("subresource"));
    }

    private static JsonObject entry(
            String manager,
            String operation,
            String subresource,
            String apiVersion,
            Instant now,
            Set<List<String>> fields) {
        JsonObject entry = new JsonObject()
                .put("manager", manager)
                .put("operation", operation)
                .put("apiVersion", apiVersion)
                .put("time", now.toString())
                .put("fieldsType", "FieldsV1")
                .put("fieldsV1", fieldsV1(fields));
        if (subresource != null) {
            entry.put("subresource", subresource);
        }
        return entry;
    }

    // ---------------------------------------------------------------------------------------------
    // field sets

    /**
     * The fields an object sets: every scalar, atomic list and empty map by its path, the elements of
     * lists merged by key with their own fields. The main resource leaves out status and the
     * identity fields of metadata; the status subresource is status alone.
     */
    static Set<List<String>> fieldSet(JsonObject object, String subresource) {
        Set<List<String>> out = new LinkedHashSet<>();
        if ("status".equals(subresource)) {
            if (object.getValue("status") != null) {
                walk(object.getValue("status"), List.of("f:status"), "status", out);
            }
            return out;
        }
        for (Map.Entry<String, Object> e : object) {
            String k = e.getKey();
            if (k.equals("apiVersion") || k.equals("kind") || k.equals("status") || e.getValue() == null) {
                continue;
            }
            if (k.equals("metadata") && e.getValue() instanceof JsonObject meta) {
                for (String mk : List.of("labels", "annotations", "finalizers", "ownerReferences")) {
                    if (meta.getValue(mk) != null) {
                        walk(meta.getValue(mk), List.of("f:metadata", "f:" + mk), mk, out);
                    }
                }
                continue;
            }
            walk(e.getValue(), List.of("f:" + k), k, out);
        }
        return out;
    }

    private static void walk(Object value, List<String> path, String field, Set<List<String>> out) {
        if (value instanceof JsonObject o && !o.isEmpty()) {
            for (Map.Entry<String, Object> e : o) {
                if (e.getValue() != null) {
                    walk(e.getValue(), append(path, "f:" + e.getKey()), e.getKey(), out);
                }
            }
        } else if (value instanceof JsonArray a
                && Patches.MERGE_KEYS.containsKey(field)
                && !a.isEmpty()
                && a.stream().allMatch(x -> x instanceof JsonObject)) {
            for (Object x : a) {
                JsonObject element = (JsonObject) x;
                List<String> at = append(path, "k:" + key(field, element).encode());
                out.add(append(at, "."));
                walk(element, at, null, out);
            }
        } else {
            out.add(path);
        }
    }

    /** The key of a list element, as {@code k:} names it: the merge key's fields, sorted. */
    private static JsonObject key(String field, JsonObject element) {
        String mergeKey = Patches.MERGE_KEYS.get(field);
        TreeMap<String, Object> fields = new TreeMap<>();
        if (mergeKey.equals("*port")) {
            String k = element.containsKey("containerPort") ? "containerPort" : "port";
            fields.put(k, element.getValue(k));
            fields.put("protocol", element.getValue("protocol", "TCP"));
        } else {
            fields.put(mergeKey, element.getValue(mergeKey));
        }
        return new JsonObject(new java.util.LinkedHashMap<>(fields));
    }

    private static boolean matches(JsonObject element, JsonObject key) {
        for (Map.Entry<String, Object> e : key) {
            Object v = element.getValue(e.getKey());
            if (v == null && e.getKey().equals("protocol")) {
                v = "TCP";
            }
            if (!String.valueOf(v).equals(String.valueOf(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** The value at a path ({@code .} answers the element itself), or a marker when absent. */
    static Object valueAt(JsonObject object, List<String> path) {
        Object current = object;
        for (String step : path) {
            if (step.equals(".")) {
                return current == MISSING ? MISSING : Boolean.TRUE;
            }
            current = child(current, step);
            if (current == MISSING) {
                return MISSING;
            }
        }
        return current;
    }

    private static Object child(Object current, String step) {
        if (step.startsWith("f:") && current instanceof JsonObject o) {
            String name = step.substring(2);
            return o.containsKey(name) && o.getValue(name) != null ? o.getValue(name) : MISSING;
        }
        if (step.startsWith("k:") && current instanceof JsonArray a) {
            JsonObject key = new JsonObject(step.substring(2));
            for (Object x : a) {
                if (x instanceof JsonObject e && matches(e, key)) {
                    return e;
                }
            }
        }
        return MISSING;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
        }
        return Objects.equals(a, b);
    }

    /** Removes the field or list element a path names, if present. */
    private static void remove(JsonObject object, List<String> path) {
        boolean element = path.get(path.size() - 1).equals(".");
        List<String> target = element ? path.subList(0, path.size() - 1) : path;
        Object parent = object;
        for (String step : target.subList(0, target.size() - 1)) {
            parent = child(parent, step);
            if (parent == MISSING) {
                return;
            }
        }
        String last = target.get(target.size() - 1);
        if (last.startsWith("f:") && parent instanceof JsonObject o) {
            o.remove(last.substring(2));
        } else if (last.startsWith("k:") && parent instanceof JsonArray a) {
            JsonObject key = new JsonObject(last.substring(2));
            for (int i = 0; i < a.size(); i++) {
                if (a.getValue(i) instanceof JsonObject e && matches(e, key)) {
                    a.remove(i);
                    return;
                }
            }
        }
    }

    /**
     * Merges an applied configuration into the live object: maps recursively, lists with a merge key
     * element by element (new elements appended), anything else replaced.
     */
    static Object merge(Object live, Object applied, String field) {
        if (applied instanceof JsonObject a && live instanceof JsonObject l) {
            JsonObject result = l.copy();
            for (Map.Entry<String, Object> e : a) {
                if (e.getValue() == null) {
                    result.remove(e.getKey());
                } else {
                    result.put(e.getKey(), merge(result.getValue(e.getKey()), e.getValue(), e.getKey()));
                }
            }
            return result;
        }
        if (applied instanceof JsonArray a
                && live instanceof JsonArray l
                && field != null
                && Patches.MERGE_KEYS.containsKey(field)) {
            JsonArray result = l.copy();
            for (Object x : a) {
                if (!(x instanceof JsonObject element)) {
                    result.add(x);
                    continue;
                }
                JsonObject key = key(field, element);
                int index = -1;
                for (int i = 0; i < result.size(); i++) {
                    if (result.getValue(i) instanceof JsonObject e && matches(e, key)) {
                        index = i;
                        break;
                    }
                }
                if (index >= 0) {
                    result.set(index, merge(result.getValue(index), element, null));
                } else {
                    result.add(element.copy());
                }
            }
            return result;
        }
        return applied instanceof JsonObject o ? o.copy() : applied instanceof JsonArray arr ? arr.copy() : applied;
    }

    /** A path as conflict messages print it: {@code .spec.template.spec.containers[name="podinfod"].image}. */
    static String render(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String step : path) {
            if (step.startsWith("f:")) {
                sb.append('.').append(step.substring(2));
            } else if (step.startsWith("k:")) {
                JsonObject key = new JsonObject(step.substring(2));
                List<String> parts = new ArrayList<>();
                key.forEach(e -> parts.add(e.getKey() + "="
                        + (e.getValue() instanceof String s ? "\"" + s + "\"" : String.valueOf(e.getValue()))));
                sb.append('[').append(String.join(",", parts)).append(']');
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // FieldsV1 <-> paths

    static JsonObject fieldsV1(Set<List<String>> paths) {
        JsonObject root = new JsonObject();
        paths.stream()
                .sorted(Comparator.comparing((List<String> p) -> String.join("\u0000", p)))
                .forEach(p -> {
                    JsonObject node = root;
                    for (String step : p) {
                        JsonObject next = node.getJsonObject(step);
                        if (next == null) {
                            node.put(step, next = new JsonObject());
                        }
                        node = next;
                    }
                });
        return root;
    }

    static Set<List<String>> paths(JsonObject fieldsV1) {
        Set<List<String>> out = new LinkedHashSet<>();
        collect(fieldsV1, new ArrayList<>(), out);
        return out;
    }

    private static void collect(JsonObject node, List<String> prefix, Set<List<String>> out) {
        for (Map.Entry<String, Object> e : node) {
            List<String> p = append(prefix, e.getKey());
            if (e.getKey().equals(".") || !(e.getValue() instanceof JsonObject child) || child.isEmpty()) {
                out.add(p);
            } else {
                collect(child, p, out);
            }
        }
    }

    private static List<String> append(List<String> path, String step) {
        List<String> p = new ArrayList<>(path.size() + 1);
        p.addAll(path);
        p.add(step);
        return List.copyOf(p);
    }
}
