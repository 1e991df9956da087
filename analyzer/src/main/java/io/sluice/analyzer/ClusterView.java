package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.Revisions;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a reconcile reads: the informer caches where they hold the object, the API server (through {@link Kube}'s
 * worker pool) only where no cache covers it (another namespace than {@code --namespace}).
 *
 * <p>The Canary's cache lags this process's own status writes by a watch round trip. A reconcile in that window
 * would decide again from the status before the write and, when that decision writes no status, act on the old
 * intent (route the old weights) with nothing to fence it. So the newest Canary this process knows of (the result of
 * its last write, or a fresh read after a conflict) is kept until the cache shows it or something newer, as
 * client-go's mutation cache does. Other kinds need no such memory: every write of them is fenced by their
 * resourceVersion or idempotent, so a stale read ends in a conflict (retried) or a repeated write, never a wrong one.
 */
final class ClusterView {
    private final Caches caches;
    private final Kube kube;
    private final KubernetesSerialization json;
    /** {@code namespace/name} → the newest Canary known, while the cache has not caught up with it. */
    private final Map<String, Canary> newer = new ConcurrentHashMap<>();
    /** {@code namespace/name} → a Deployment's revision, with the version of the object it was computed from. */
    private final Map<String, KnownRevision> revisions = new ConcurrentHashMap<>();

    private record KnownRevision(String uid, String resourceVersion, String revision) {}

    /**
     * {@code namespace/name} → a Deployment this process created, until the cache shows an event of that name. Reads
     * between the create's answer and its watch event would see no primary and create it again, only to meet a 409:
     * at 10,000 Canaries starting together that was about two failed creates per Canary.
     */
    private final Map<String, Deployment> created = new ConcurrentHashMap<>();

    /** The delegate RouteTables this process wrote, until their watch events come back. */
    final OwnRouteWrites routeWrites = new OwnRouteWrites();

    /** The Canaries whose Services were found as they should be, and from what. */
    final ConvergedServices services = new ConvergedServices();

    ClusterView(Caches caches, Kube kube) {
        this.caches = caches;
        this.kube = kube;
        this.json = kube.serialization();
        // A deleted Deployment's revision goes with it, so the memory stays one entry per Deployment that exists.
        caches.deployments.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource d) {
                created.remove(key(d));
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                created.remove(key(after));
            }

            @Override
            public void onDelete(GenericKubernetesResource d, boolean deletedFinalStateUnknown) {
                revisions.remove(key(d));
                created.remove(key(d));
            }
        });
    }

    /** The Canary from the cache, or what this process wrote (or read) since, when the cache has not seen it yet. */
    Canary canary(String ns, String name) {
        String key = ns + "/" + name;
        Canary cached = caches.canary(ns, name);
        Canary known = newer.get(key);
        if (known == null) {
            return cached;
        }
        if (cached != null && olderThan(cached, known)) {
            return known;
        }
        newer.remove(key, known);
        return cached;
    }

    /** After a conflict: the Canary as the API server has it now, remembered like a write of ours. */
    Future<Canary> freshCanary(String ns, String name) {
        return kube.canary(ns, name).map(c -> {
            if (c == null) {
                newer.remove(ns + "/" + name);
            } else {
                remember(c);
            }
            return c;
        });
    }

    /** Records the Canary a write returned, so that the next reconcile does not read the one before it. */
    Canary remember(Canary written) {
        if (written == null) {
            // A write that answered no object: nothing to remember.
            return null;
        }
        newer.merge(
                written.getMetadata().getNamespace() + "/"
                        + written.getMetadata().getName(),
                written,
                (old, next) -> olderThan(next, old) ? old : next);
        return written;
    }

    /**
     * Whether {@code a} is an older version than {@code b} of the same object. ResourceVersions are opaque to clients,
     * but every API server backed by etcd (and the mock) hands out increasing integers, which client-go's mutation
     * cache relies on too; anything else counts as not older, so the cache wins.
     */
    static boolean olderThan(Canary a, Canary b) {
        if (!Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid())) {
            return false;
        }
        try {
            return Long.parseLong(a.getMetadata().getResourceVersion())
                    < Long.parseLong(b.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    /** A Deployment read once from the cache: the model object (a copy: callers may change it) and its revision. */
    record DeploymentRead(Deployment deployment, String revision) {
        static final DeploymentRead NONE = new DeploymentRead(null, null);
    }

    /**
     * The Deployment with its template's revision ({@link Revisions}), {@link DeploymentRead#NONE} when there is none.
     * Deployments and Services are read from the caches: they live in their Canary's namespace, which the caches
     * always watch. A Deployment the cache knows of but does not hold (no Canary targeted it at its last event, see
     * {@link Caches}) is read once from the API server, and held from then on.
     *
     * <p>Both come from one cached version. The model object is decoded straight from the cached text; the raw tree
     * the revision is hashed from (the object as the API server sent it, as the admission service hashes it) is
     * decoded only when the resourceVersion is new. Decoding each read twice over (text to tree, tree to model) was
     * the analyzer's largest single cost per tick.
     */
    Future<DeploymentRead> deploymentRead(String ns, String name) {
        if (!caches.covers(ns)) {
            return unwatched(ns);
        }
        return textOf(caches.deploymentTexts, ns, name, kube::deployment).map(text -> {
            if (text != null) {
                return readOf(ns, name, text);
            }
            Deployment mine = created.get(ns + "/" + name);
            return mine == null ? DeploymentRead.NONE : new DeploymentRead(json.clone(mine), null);
        });
    }

    /**
     * The text {@code store} holds of {@code ns/name}; when it knows the object but does not hold it (no Canary read
     * it when its last event came, see {@link Caches}), the text {@code read} from the API server, held from then on;
     * null when there is no such object.
     */
    private static <T extends HasMetadata> Future<byte[]> textOf(
            CompactStore<T> store, String ns, String name, BiFunction<String, String, Future<T>> read) {
        String key = ns + "/" + name;
        byte[] text = store.text(key);
        if (text != null) {
            return Future.succeededFuture(text);
        }
        Object token = store.fetching(key);
        if (token == null) {
            // Held since the first look (its event came in between), or not there at all.
            return Future.succeededFuture(store.text(key));
        }
        return read.apply(ns, name).map(found -> store.fetched(key, token, found));
    }

    /** {@code text}, one version of Deployment {@code ns/name}, as a read. */
    private DeploymentRead readOf(String ns, String name, byte[] text) {
        created.remove(ns + "/" + name);
        Deployment d = caches.decodeDeployment(text, Deployment.class);
        return new DeploymentRead(
                d,
                revision(
                        d.getMetadata(),
                        () -> caches.decodeDeployment(text, GenericKubernetesResource.class)
                                .getAdditionalProperties()));
    }

    /**
     * Records {@code answered}, what a create of a Deployment returned: until the cache shows it, reads return a copy
     * of it (with no revision: only primaries are created, and theirs is not read this way). Returns it.
     */
    Deployment created(Deployment answered) {
        if (answered != null && answered.getMetadata() != null) {
            created.put(
                    answered.getMetadata().getNamespace() + "/"
                            + answered.getMetadata().getName(),
                    answered);
        }
        return answered;
    }

    /** Created Deployments the cache has not shown yet (for tests). */
    int createdKept() {
        return created.size();
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** The Deployment as a model object (a copy: callers may change it), or null. */
    Future<Deployment> deployment(String ns, String name) {
        return deploymentRead(ns, name).map(DeploymentRead::deployment);
    }

    /**
     * The revision of the Deployment {@code meta} describes. Every tick of every Canary needs its target's revision,
     * which changes only with the object: so it is hashed once per resourceVersion, from the values {@code raw}
     * gives (the object's fields other than its kind and metadata), asked for only then.
     */
    String revision(ObjectMeta meta, Supplier<Map<String, Object>> raw) {
        String key = meta.getNamespace() + "/" + meta.getName();
        KnownRevision known = revisions.get(key);
        if (known != null
                && meta.getResourceVersion() != null
                && meta.getResourceVersion().equals(known.resourceVersion())
                && Objects.equals(meta.getUid(), known.uid())) {
            return known.revision();
        }
        String revision = Revisions.ofDeploymentValues(raw.get());
        revisions.put(key, new KnownRevision(meta.getUid(), meta.getResourceVersion(), revision));
        return revision;
    }

    /** How many Deployments' revisions are kept (for tests). */
    int revisionsKept() {
        return revisions.size();
    }

    /** The Service (a copy), or null; one the cache knows of but does not hold is read once from the API server. */
    Future<Service> service(String ns, String name) {
        if (!caches.covers(ns)) {
            return unwatched(ns);
        }
        return textOf(caches.serviceTexts, ns, name, kube::service)
                .map(text -> caches.serviceTexts.decode(text, Service.class));
    }

    /** The cached text of a Service ({@link CompactStore#text}); null when absent or its namespace is not watched. */
    byte[] serviceText(String ns, String name) {
        return caches.covers(ns) ? caches.serviceText(ns, name) : null;
    }

    private static <T> Future<T> unwatched(String ns) {
        return Future.failedFuture(new IllegalStateException("namespace " + ns + " is not watched by this analyzer"
                + " (--namespace); a Canary's workload and Services must be in the Canary's namespace"));
    }

    Future<RouteTable> routeTable(String ns, String name) {
        return caches.covers(ns) ? Future.succeededFuture(caches.routeTable(ns, name)) : kube.routeTable(ns, name);
    }
}
