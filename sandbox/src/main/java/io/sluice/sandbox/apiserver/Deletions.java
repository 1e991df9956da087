package io.sluice.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletion as the API server does it: an object with finalizers is not removed but marked
 * ({@code deletionTimestamp}, {@code deletionGracePeriodSeconds: 0})
 * and goes when an update removes the last finalizer; the propagation policy adds the garbage
 * collector's finalizers ({@code foregroundDeletion}, {@code orphan}) and the collector does the
 * rest.
 */
final class Deletions {

    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    /** What a delete did: the object as it is now, and whether it is gone from the store. */
    record Outcome(JsonObject object, boolean removed) {}

    private final StoreClient store;
    private final Clock clock;
    private final Runnable collect;

    Deletions(StoreClient store, Clock clock, Runnable collect) {
        this.store = store;
        this.clock = clock;
        this.collect = collect;
    }

    /**
     * Deletes {@code path} with the request's {@code DeleteOptions} (propagationPolicy, the older
     * orphanDependents, preconditions). {@code policy} null means the object's own GC finalizers
     * decide, else Background.
     */
    Future<Outcome> delete(ResourceType type, String name, String path, JsonObject options, boolean dryRun) {
        return store.get(path).compose(current -> {
            if (current == null) {
                throw ApiError.notFound(type, name);
            }
            checkPreconditions(type, name, current, options.getJsonObject("preconditions"));
            JsonObject meta = current.getJsonObject("metadata");
            List<String> finalizers = strings(meta.getJsonArray("finalizers"));
            String policy = policy(options);
            if (policy != null) {
                finalizers.remove(FOREGROUND);
                finalizers.remove(ORPHAN);
                if (policy.equals("Foreground")) {
                    finalizers.add(FOREGROUND);
                } else if (policy.equals("Orphan")) {
                    finalizers.add(ORPHAN);
                }
            }
            boolean deleting = meta.getString("deletionTimestamp") != null;
            if (finalizers.isEmpty() && !deleting) {
                if (dryRun) {
                    return Future.succeededFuture(new Outcome(current, false));
                }
                return store.delete(path).map(r -> {
                    if (r.status() >= 300 && r.status() != 404) {
                        throw new ApiError(
                                r.status(), "InternalError", "store answered " + r.status() + ": " + r.body());
                    }
                    collect.run();
                    return new Outcome(current, true);
                });
            }
            JsonObject marked = current.copy();
            JsonObject m = marked.getJsonObject("metadata");
            if (!deleting) {
                m.put(
                                "deletionTimestamp",
                                clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
                        .put("deletionGracePeriodSeconds", 0);
            }
            if (finalizers.isEmpty()) {
                m.remove("finalizers");
            } else {
                m.put("finalizers", new JsonArray(new ArrayList<>(finalizers)));
            }
            if (dryRun || (deleting && marked.equals(current))) {
                return Future.succeededFuture(new Outcome(marked, false));
            }
            return write(path, marked).map(o -> new Outcome(o == null ? marked : o, o == null));
        });
    }

    /**
     * Stores an update and keeps the finalizer rule: an object being deleted goes when its last
     * finalizer is removed. Answers the stored object, or null when it went.
     */
    Future<JsonObject> write(String path, JsonObject object) {
        return store.put(path, object).compose(r -> {
            if (r.status() >= 300) {
                return Future.failedFuture(new ApiError(
                        r.status(),
                        r.status() == 409 ? "Conflict" : "InternalError",
                        "store answered " + r.status() + ": " + r.body()));
            }
            JsonObject meta = object.getJsonObject("metadata");
            if (meta.getString("deletionTimestamp") == null) {
                return Future.succeededFuture(r.json());
            }
            collect.run();
            if (!strings(meta.getJsonArray("finalizers")).isEmpty()) {
                return Future.succeededFuture(r.json());
            }
            return store.delete(path).map(d -> (JsonObject) null);
        });
    }

    /** An update may only remove finalizers from an object being deleted, and cannot undo the mark. */
    static void keepDeletionMark(ResourceType type, String name, JsonObject current, JsonObject next) {
        JsonObject was = current.getJsonObject("metadata");
        if (was.getString("deletionTimestamp") == null) {
            return;
        }
        JsonObject meta = next.getJsonObject("metadata");
        meta.put("deletionTimestamp", was.getString("deletionTimestamp"));
        meta.put("deletionGracePeriodSeconds", was.getValue("deletionGracePeriodSeconds", 0));
        List<String> added = strings(meta.getJsonArray("finalizers"));
        added.removeAll(strings(was.getJsonArray("finalizers")));
        if (!added.isEmpty()) {
            throw new ApiError(
                    422,
                    "Invalid",
                    type.kind() + " \"" + name + "\" is invalid: metadata.finalizers: "
                            + "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers "
                            + "[]string{"
                            + String.join(
                                    ", ",
                                    added.stream().map(f -> "\"" + f + "\"").toList()) + "}");
        }
    }

    static String policy(JsonObject options) {
        String policy = options.getString("propagationPolicy");
        if (policy != null) {
            if (!List.of("Foreground", "Background", "Orphan").contains(policy)) {
                throw new ApiError(
                        422,
                        "Invalid",
                        "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: " + "Unsupported value: \""
                                + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
            }
            return policy;
        }
        Boolean orphan = options.getBoolean("orphanDependents");
        return orphan == null ? null : orphan ? "Orphan" : "Background";
    }

    private static void checkPreconditions(ResourceType type, String name, JsonObject current, JsonObject pre) {
        if (pre == null) {
            return;
        }
        JsonObject meta = current.getJsonObject("metadata");
        for (String field : List.of("uid", "resourceVersion")) {
            String wanted = pre.getString(field);
            if (wanted != null && !wanted.equals(meta.getString(field))) {
                String label = field.equals("uid") ? "UID" : "ResourceVersion";
                throw new ApiError(
                        409,
                        "Conflict",
                        "Operation cannot be fulfilled on " + type.plural()
                                + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + name
                                + "\": Precondition failed: "
                                + label + " in precondition: " + wanted + ", " + label + " in object meta: "
                                + meta.getString(field));
            }
        }
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}
