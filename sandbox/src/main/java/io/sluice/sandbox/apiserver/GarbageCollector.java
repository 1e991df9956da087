package io.sluice.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage collector: an object whose owners (by uid) are all gone is deleted; dependents of
 * an owner in foreground deletion are deleted, and the owner goes once those with
 * {@code blockOwnerDeletion} are gone; an owner deleted with the orphan policy first has its
 * references removed from its dependents. A sweep reads every kind and runs after each deletion,
 * each update of an object being deleted and each create with owner references, and again while
 * an owner still waits.
 */
final class GarbageCollector {

    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final long RETRY_MS = 300;

    /** Deletes one object with a propagation policy, as a DELETE request would. */
    @FunctionalInterface
    interface Deleter {
        Future<?> delete(ResourceType type, String name, String path, String policy);
    }

    private record Node(ResourceType type, JsonObject object) {
        JsonObject meta() {
            return object.getJsonObject("metadata");
        }

        String uid() {
            return meta().getString("uid");
        }

        String name() {
            return meta().getString("name");
        }

        String path() {
            String ns = meta().getString("namespace");
            String prefix =
                    type.group().isEmpty() ? "/api/" + type.version() : "/apis/" + type.group() + "/" + type.version();
            return prefix + (ns == null || !type.namespaced() ? "" : "/namespaces/" + ns) + "/" + type.plural() + "/"
                    + name();
        }

        boolean deleting() {
            return meta().getString("deletionTimestamp") != null;
        }

        boolean has(String finalizer) {
            return Deletions.strings(meta().getJsonArray("finalizers")).contains(finalizer);
        }

        List<JsonObject> owners() {
            return meta().getJsonArray("ownerReferences", new JsonArray()).stream()
                    .map(o -> (JsonObject) o)
                    .toList();
        }
    }

    private final Vertx vertx;
    private final StoreClient store;
    private final Supplier<List<ResourceType>> types;
    private final Deletions deletions;
    private Deleter deleter;
    private boolean running;
    private boolean again;
    private boolean closed;

    GarbageCollector(Vertx vertx, StoreClient store, Supplier<List<ResourceType>> types, Deletions deletions) {
        this.vertx = vertx;
        this.store = store;
        this.types = types;
        this.deletions = deletions;
    }

    void deleteWith(Deleter deleter) {
        this.deleter = deleter;
    }

    /** Asks for a sweep; sweeps never overlap, and requests during one make one more. */
    synchronized void poke() {
        if (closed) {
            return;
        }
        if (running) {
            again = true;
            return;
        }
        running = true;
        vertx.runOnContext(v -> run());
    }

    synchronized void close() {
        closed = true;
    }

    private void run() {
        sweep().onComplete(ar -> {
            boolean pending = ar.succeeded() && ar.result();
            if (ar.failed()) {
                LOG.debug(
                        "garbage collection sweep failed, retrying: {}",
                        ar.cause().getMessage());
            }
            synchronized (this) {
                running = false;
                if (closed) {
                    return;
                }
                if (again) {
                    again = false;
                    poke();
                    return;
                }
            }
            if (pending || ar.failed()) {
                vertx.setTimer(RETRY_MS, t -> poke());
            }
        });
    }

    /** One pass over every object; true while something is still waiting for a later pass. */
    private Future<Boolean> sweep() {
        Map<String, ResourceType> kinds = new HashMap<>();
        for (ResourceType t : types.get()) {
            // The same Events twice under another group; reviews are answered, never stored.
            if (!t.group().equals("events.k8s.io") && !t.plural().equals("selfsubjectreviews")) {
                kinds.putIfAbsent(t.group() + "/" + t.plural(), t);
            }
        }
        List<Future<List<Node>>> lists = new ArrayList<>();
        for (ResourceType t : kinds.values()) {
            String prefix = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
            lists.add(store.list(prefix + "/" + t.plural())
                    .map(items -> items.stream().map(o -> new Node(t, o)).toList()));
        }
        return Future.all(lists).compose(all -> {
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                nodes.addAll(all.<List<Node>>resultAt(i));
            }
            return collect(nodes);
        });
    }

    private Future<Boolean> collect(List<Node> nodes) {
        Map<String, Node> byUid = new HashMap<>();
        Map<String, List<Node>> dependents = new HashMap<>();
        for (Node n : nodes) {
            byUid.put(n.uid(), n);
            for (JsonObject ref : n.owners()) {
                dependents
                        .computeIfAbsent(ref.getString("uid"), k -> new ArrayList<>())
                        .add(n);
            }
        }
        List<Future<?>> work = new ArrayList<>();
        boolean pending = false;
        Set<String> touched = new HashSet<>();
        for (Node owner : nodes) {
            if (!owner.deleting()) {
                continue;
            }
            List<Node> deps = dependents.getOrDefault(owner.uid(), List.of());
            if (owner.has(Deletions.ORPHAN)) {
                for (Node d : deps) {
                    touched.add(d.uid());
                    work.add(withoutOwners(d, Set.of(owner.uid())));
                }
                if (deps.isEmpty()) {
                    work.add(withoutFinalizer(owner, Deletions.ORPHAN));
                } else {
                    pending = true;
                }
            } else if (owner.has(Deletions.FOREGROUND)) {
                boolean blocked = deps.stream()
                        .anyMatch(d -> d.owners().stream()
                                .anyMatch(r -> owner.uid().equals(r.getString("uid"))
                                        && r.getBoolean("blockOwnerDeletion", false)));
                if (blocked) {
                    pending = true;
                } else {
                    work.add(withoutFinalizer(owner, Deletions.FOREGROUND));
                }
            }
        }
        for (Node n : nodes) {
            if (n.owners().isEmpty() || touched.contains(n.uid())) {
                continue;
            }
            Set<String> solid = new HashSet<>();
            Set<String> gone = new HashSet<>();
            for (JsonObject ref : n.owners()) {
                Node owner = byUid.get(ref.getString("uid"));
                if (owner == null || (owner.deleting() && owner.has(Deletions.FOREGROUND))) {
                    gone.add(ref.getString("uid"));
                } else {
                    solid.add(ref.getString("uid"));
                }
            }
            if (gone.isEmpty()) {
                continue;
            }
            if (!solid.isEmpty()) {
                work.add(withoutOwners(n, gone));
            } else if (!n.deleting()) {
                String policy = n.has(Deletions.ORPHAN)
                        ? "Orphan"
                        : n.has(Deletions.FOREGROUND)
                                        || !dependents
                                                        .getOrDefault(n.uid(), List.of())
                                                        .isEmpty()
                                                && waited(n, byUid)
                                ? "Foreground"
                                : "Background";
                LOG.debug("collecting {} {} ({})", n.type().kind(), n.path(), policy);
                work.add(deleter.delete(n.type(), n.name(), n.path(), policy));
                pending = true;
            } else {
                pending = true;
            }
        }
        boolean waiting = pending || !work.isEmpty();
        return Future.join(work).transform(ar -> Future.succeededFuture(waiting));
    }

    /** Whether an owner of {@code n} is in foreground deletion (then n's own dependents are waited for too). */
    private static boolean waited(Node n, Map<String, Node> byUid) {
        return n.owners().stream()
                .map(r -> byUid.get(r.getString("uid")))
                .anyMatch(o -> o != null && o.deleting() && o.has(Deletions.FOREGROUND));
    }

    private Future<?> withoutOwners(Node n, Set<String> uids) {
        JsonObject next = n.object().copy();
        JsonArray kept = new JsonArray(n.owners().stream()
                .filter(r -> !uids.contains(r.getString("uid")))
                .map(r -> (Object) r)
                .toList());
        if (kept.isEmpty()) {
            next.getJsonObject("metadata").remove("ownerReferences");
        } else {
            next.getJsonObject("metadata").put("ownerReferences", kept);
        }
        return deletions.write(n.path(), next);
    }

    private Future<?> withoutFinalizer(Node n, String finalizer) {
        JsonObject next = n.object().copy();
        List<String> kept = Deletions.strings(n.meta().getJsonArray("finalizers"));
        kept.remove(finalizer);
        next.getJsonObject("metadata").put("finalizers", new JsonArray(new ArrayList<>(kept)));
        return deletions.write(n.path(), next);
    }
}
