package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.gloo.RouteTable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The informers the analyzer runs, and reads from their stores: a reconcile observes the Canary, its Deployments,
 * Services and RouteTables here instead of asking the API server (controller-runtime's cached client). Reads are
 * in-memory and may be used on the event loop. A cache can lag the analyzer's own writes; writes are fenced by
 * resourceVersion, so a stale read ends in a conflict, never in a wrong write.
 *
 * <p>Deployments are held as the raw JSON trees the API server sent: the revision is a hash of that tree, never of a
 * model object (see {@code Revisions}). No ConfigMap or Secret informer: they would cache every one in the cluster.
 * Namespaces are watched cluster-wide (with {@code --namespace} too): a Namespace's annotation caps the concurrency
 * budget there, and there are few of them.
 *
 * <p>Deployments and Services are kept as JSON text and decoded on each read ({@link CompactStore}): those reads
 * return copies. The other objects returned are the stores' own: callers must not modify them.
 *
 * <p>Of the Deployments, only those a Canary targets and their primaries are held, and of the Services only a Canary's
 * apex, {@code -canary} and {@code -primary} Services; the others are only known (their resourceVersion),
 * since most Deployments and Services of a cluster have no Canary and their texts were the largest part of the
 * analyzer's heap. The Canaries are listed first, so that the other first lists already know which to hold; an object
 * a later Canary needs is read once from the API server ({@link ClusterView#deploymentRead},
 * {@link ClusterView#service}).
 */
final class Caches {
    final SharedIndexInformer<Canary> canaries;
    final SharedIndexInformer<GenericKubernetesResource> deployments;
    final SharedIndexInformer<Service> services;
    final SharedIndexInformer<RouteTable> routeTables;
    /** Every Namespace, cluster-wide, for its cap of the concurrency budget (an annotation). */
    final SharedIndexInformer<Namespace> namespaces;

    private final String namespace;
    /** The Deployments' store, read as text where a reconcile needs a Deployment two ways, and read into by name. */
    final CompactStore<GenericKubernetesResource> deploymentTexts;
    /** The Services' store. */
    final CompactStore<Service> serviceTexts;

    /** The index of Canaries by the workload they target, {@code namespace/name}. */
    static final String BY_TARGET = "target";
    /** The index of Canaries by their Service name (the apex; {@code -canary} and {@code -primary} follow it). */
    static final String BY_SERVICE = "service";

    /** Of which Canaries, by key {@code namespace/name}, the Deployments and Services are held ({@link #keeps}). */
    private volatile Predicate<String> keeps = key -> true;

    /** Builds the informers, not started; {@code namespace} null means all namespaces. */
    Caches(KubernetesClient client, String namespace) {
        this.namespace = namespace;
        this.canaries = op(client.resources(Canary.class)).runnableInformer(0);
        canaries.addIndexers(Map.of(
                BY_TARGET,
                c -> c.getSpec() == null || c.getSpec().targetRef == null
                        ? List.of()
                        : List.of(targetKey(c.getMetadata().getNamespace(), c.getSpec().targetRef.name)),
                BY_SERVICE,
                c -> c.getSpec() == null || c.getSpec().targetRef == null
                        ? List.of()
                        : List.of(targetKey(c.getMetadata().getNamespace(), CanaryDefaults.serviceName(c.getSpec())))));
        this.deployments =
                op(client.genericKubernetesResources("apps/v1", "Deployment")).runnableInformer(0);
        this.services = op(client.services()).runnableInformer(0);
        this.routeTables = op(client.resources(RouteTable.class)).runnableInformer(0);
        this.namespaces = client.namespaces().runnableInformer(0);
        canaries.itemStore(new TrimmedStore<>());
        // Read by key only, and most of a cluster's objects: kept as JSON text (CompactStore).
        deploymentTexts = new CompactStore<>(
                GenericKubernetesResource.class,
                client.getKubernetesSerialization(),
                key -> holds(key, this::readingDeployment));
        deployments.itemStore(deploymentTexts);
        serviceTexts = new CompactStore<>(
                Service.class, client.getKubernetesSerialization(), key -> holds(key, this::readingService));
        services.itemStore(serviceTexts);
        routeTables.itemStore(new TrimmedStore<>());
        namespaces.itemStore(new TrimmedStore<>());
    }

    private <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>> Informable<T> op(
            MixedOperation<T, L, R> o) {
        return namespace == null ? o.inAnyNamespace() : o.inNamespace(namespace);
    }

    List<SharedIndexInformer<?>> all() {
        return List.of(canaries, deployments, services, routeTables, namespaces);
    }

    /**
     * Starts every informer; completes when each finished its first list. The Canaries' informer lists first: the
     * Deployments' store asks it which Deployments to hold. Blocking callers only.
     */
    CompletableFuture<Void> start() {
        return canaries.start()
                .toCompletableFuture()
                .thenCompose(listed -> CompletableFuture.allOf(all().stream()
                        .filter(i -> i != canaries)
                        .map(i -> i.start().toCompletableFuture())
                        .toArray(CompletableFuture[]::new)));
    }

    static String targetKey(String ns, String target) {
        return ns + "/" + target;
    }

    /**
     * Set before {@link #start()}: hold the Deployments and Services of the Canaries {@code canaries} accepts, by key
     * {@code namespace/name} (with shards, those of the shards this replica holds or held a moment ago); the others'
     * are only known, and read by name if a reconcile needs them after all. Every Canary is still cached.
     */
    Caches keeps(Predicate<String> canaries) {
        this.keeps = canaries;
        return this;
    }

    /** The Canaries that target the workload {@code namespace/name}. */
    List<Canary> targeting(String ns, String name) {
        return canaries.getIndexer().byIndex(BY_TARGET, targetKey(ns, name));
    }

    /** The Canaries that read Deployment {@code ns/name}: as their target, or as their target's primary. */
    List<Canary> readingDeployment(String ns, String name) {
        return reading(BY_TARGET, ns, name, "", PRIMARY);
    }

    /** The Canaries that read Service {@code ns/name}: as their apex, {@code -primary} or {@code -canary} Service. */
    List<Canary> readingService(String ns, String name) {
        return reading(BY_SERVICE, ns, name, "", PRIMARY, CANARY);
    }

    /** The Canaries {@code index} files under {@code name} less one of {@code suffixes} it ends with. */
    private List<Canary> reading(String index, String ns, String name, String... suffixes) {
        List<Canary> found = new java.util.ArrayList<>();
        for (String suffix : suffixes) {
            if (name.endsWith(suffix)) {
                found.addAll(canaries.getIndexer()
                        .byIndex(index, targetKey(ns, name.substring(0, name.length() - suffix.length()))));
            }
        }
        return found;
    }

    /** Whether the store of a kind holds object {@code namespace/name}: some Canary {@code reading} it is kept. */
    private boolean holds(String key, java.util.function.BiFunction<String, String, List<Canary>> reading) {
        int slash = key.indexOf('/');
        for (Canary c : reading.apply(key.substring(0, slash), key.substring(slash + 1))) {
            if (keeps.test(Controller.key(c))) {
                return true;
            }
        }
        return false;
    }

    private static final String PRIMARY = "-primary";
    private static final String CANARY = "-canary";

    /** Lets go of the Deployments' and Services' texts no Canary needs any more (a deleted Canary's); how many. */
    int sweep() {
        return deploymentTexts.sweep() + serviceTexts.sweep();
    }

    /** The kinds whose informer has not finished its first list, with how many objects each holds so far. */
    String listing() {
        List<String> kinds = List.of("Canaries", "Deployments", "Services", "RouteTables", "Namespaces");
        List<String> open = new java.util.ArrayList<>();
        for (int i = 0; i < all().size(); i++) {
            SharedIndexInformer<?> informer = all().get(i);
            if (!informer.hasSynced()) {
                open.add(kinds.get(i) + " (" + informer.getStore().listKeys().size() + " so far)");
            }
        }
        return open.isEmpty() ? "none" : String.join(", ", open);
    }

    void stop() {
        all().forEach(SharedIndexInformer::stop);
    }

    /** Whether the informers watch {@code ns}; objects elsewhere (a parent RouteTable in another namespace when
     * {@code --namespace} is set) must be read from the API server. */
    boolean covers(String ns) {
        return namespace == null || Objects.equals(namespace, ns);
    }

    Canary canary(String ns, String name) {
        return canaries.getStore().getByKey(ns + "/" + name);
    }

    GenericKubernetesResource deployment(String ns, String name) {
        return deployments.getStore().getByKey(ns + "/" + name);
    }

    /** The cached text of a Deployment, or null ({@link CompactStore#text}). */
    byte[] deploymentText(String ns, String name) {
        return deploymentTexts.text(ns + "/" + name);
    }

    /** {@code text} ({@link #deploymentText}) decoded as {@code as}. */
    <R> R decodeDeployment(byte[] text, Class<R> as) {
        return deploymentTexts.decode(text, as);
    }

    Service service(String ns, String name) {
        return services.getStore().getByKey(ns + "/" + name);
    }

    /** The cached text of a Service, or null ({@link CompactStore#text}). */
    byte[] serviceText(String ns, String name) {
        return serviceTexts.text(ns + "/" + name);
    }

    RouteTable routeTable(String ns, String name) {
        return routeTables.getStore().getByKey(ns + "/" + name);
    }

    Namespace namespace(String name) {
        return namespaces.getStore().getByKey(name);
    }
}
