package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.Kinds;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Every blocking Kubernetes call of the analyzer, run on the named worker pool and returned as a {@link Future},
 * so that nothing blocks an event loop. Writes are refused once this process is no longer the leader.
 */
public final class Kube {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Kube.class);
    /** KEDA's ScaledObjects, named in full so that no discovery call is needed (nor KEDA installed) to address them. */
    private static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
            .withGroup(ScaledObjects.GROUP)
            .withVersion(ScaledObjects.VERSION)
            .withKind(ScaledObjects.KIND)
            .withPlural(ScaledObjects.PLURAL)
            .withNamespaced(true)
            .build();

    private final KubernetesClient client;
    private final WorkerExecutor pool;
    private final BooleanSupplier leading;
    private final RateLimiter limiter;
    /** Why a write is refused when {@link #leading} is false. */
    private final String refusal;

    public Kube(KubernetesClient client, WorkerExecutor pool, BooleanSupplier leading) {
        this(client, pool, leading, new RateLimiter(1e6, 1_000_000));
    }

    public Kube(KubernetesClient client, WorkerExecutor pool, BooleanSupplier leading, RateLimiter limiter) {
        this(client, pool, leading, limiter, NotLeaderException.NOT_LEADER);
        register(client);
    }

    private Kube(
            KubernetesClient client,
            WorkerExecutor pool,
            BooleanSupplier leading,
            RateLimiter limiter,
            String refusal) {
        this.limiter = limiter;
        this.client = client;
        this.pool = pool;
        this.leading = leading;
        this.refusal = refusal;
    }

    /**
     * The same client, pool and rate limit, whose writes also need {@code held}: checked when a write is asked for and
     * again on the worker right before the request, after any wait for the rate limit, as the process's lease is. A
     * sharded replica writes for a Canary through a view fenced by the Canary's shard, so that a write queued before
     * the shard was lost never goes out.
     */
    public Kube fenced(BooleanSupplier held, String why) {
        BooleanSupplier outer = leading;
        return new Kube(client, pool, () -> outer.getAsBoolean() && held.getAsBoolean(), limiter, why);
    }

    /** Teaches the client's serializer Sluice's kinds; otherwise it reads them as generic resources. */
    public static void register(KubernetesClient client) {
        Kinds.RESOURCE_CLASSES.forEach(client.getKubernetesSerialization()::registerKubernetesResource);
        Kinds.LIST_KINDS.forEach(l ->
                client.getKubernetesSerialization().registerKubernetesResource(l.apiVersion(), l.kind(), l.type()));
    }

    public KubernetesSerialization serialization() {
        return client.getKubernetesSerialization();
    }

    private void throttle() throws InterruptedException {
        long waited = limiter.acquire();
        if (waited > 0) {
            LOG.debug("client-side rate limit (--kube-qps, --kube-burst): waited {} us", waited / 1000);
        }
    }

    /** Runs a blocking read on the pool. */
    <T> Future<T> read(Callable<T> call) {
        return pool.executeBlocking(
                () -> {
                    throttle();
                    return call.call();
                },
                false);
    }

    /** Runs a blocking write on the pool, unless leadership was lost: a follower must not write at all. */
    <T> Future<T> write(Callable<T> call) {
        if (!leading.getAsBoolean()) {
            return Future.failedFuture(new NotLeaderException(refusal));
        }
        return pool.executeBlocking(
                () -> {
                    throttle();
                    if (!leading.getAsBoolean()) {
                        throw new NotLeaderException(refusal);
                    }
                    return call.call();
                },
                false);
    }

    /** Thrown instead of writing when this process lost (or never had) the lease. */
    public static final class NotLeaderException extends IllegalStateException {
        static final String NOT_LEADER = "not the leader: writes are disabled";

        /** Refused for a narrower reason than the whole process's lease (a shard this replica no longer holds). */
        public NotLeaderException(String why) {
            super(why);
        }
    }

    /** True for a 409 from the API server (someone else wrote first), also when it is the cause of {@code t}. */
    public static boolean isConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() == 409) {
                return true;
            }
        }
        return false;
    }

    static boolean isNotFound(Throwable t) {
        return t instanceof KubernetesClientException k && k.getCode() == 404;
    }

    // ------------------------------------------------------------------ reads

    public Future<Canary> canary(String ns, String name) {
        return read(() ->
                client.resources(Canary.class).inNamespace(ns).withName(name).get());
    }

    public Future<RouteTable> routeTable(String ns, String name) {
        return read(() -> client.resources(RouteTable.class)
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    public Future<io.sluice.model.flagger.MetricTemplate> metricTemplate(String ns, String name) {
        return read(() -> client.resources(io.sluice.model.flagger.MetricTemplate.class)
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    public Future<io.sluice.model.flagger.AlertProvider> alertProvider(String ns, String name) {
        return read(() -> client.resources(io.sluice.model.flagger.AlertProvider.class)
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    public Future<HorizontalPodAutoscaler> hpa(String ns, String name) {
        return read(() -> client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    /**
     * A KEDA ScaledObject, or null. Read by name, never watched: a cluster without KEDA (no CRD) answers 404 like a
     * missing object, so nothing needs KEDA unless a Canary names a ScaledObject.
     */
    public Future<GenericKubernetesResource> scaledObject(String ns, String name) {
        return read(() -> client.genericKubernetesResources(SCALED_OBJECTS)
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    public Future<ConfigMap> configMapOf(String ns, String name) {
        return read(() -> client.configMaps().inNamespace(ns).withName(name).get());
    }

    public Future<Secret> secretOf(String ns, String name) {
        return read(() -> client.secrets().inNamespace(ns).withName(name).get());
    }

    // ------------------------------------------------------------------ writes

    /** Writes the status subresource, fenced by the resourceVersion the Canary carries (409 when stale). */
    public Future<Canary> updateStatus(Canary canary) {
        return write(() -> client.resources(Canary.class)
                .inNamespace(canary.getMetadata().getNamespace())
                .resource(canary)
                .updateStatus());
    }

    /** Replaces the Canary's metadata and spec, fenced by its resourceVersion (used for finalizers). */
    public Future<Canary> updateCanary(Canary canary) {
        return write(() -> client.resources(Canary.class)
                .inNamespace(canary.getMetadata().getNamespace())
                .resource(canary)
                .update());
    }

    /** Creates {@code desired}. */
    public <T extends HasMetadata> Future<T> create(T desired) {
        return write(() -> client.resource(desired).create());
    }

    /** Replaces {@code desired}, fenced by its resourceVersion. */
    public <T extends HasMetadata> Future<T> update(T desired) {
        return write(() -> client.resource(desired).update());
    }

    /** Sets {@code spec.replicas} of a Deployment with a JSON merge patch (no arrays involved). */
    public Future<Void> scale(String ns, String name, int replicas) {
        return write(() -> {
            // Through a named stand-in, not withName(): fabric8 would first GET the object it patches.
            Deployment named = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .endMetadata()
                    .build();
            client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .resource(named)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
            return null;
        });
    }

    /**
     * Records an Event the way client-go's recorder aggregates: the name is the caller's (deterministic per involved
     * object, type, reason and message), so a repeat raises the first one's {@code count} and {@code lastTimestamp}
     * instead of adding an object per interval. With the count this process last wrote ({@code known}, remembered by
     * the caller) neither a new Event nor a repeat needs a read first: a new one is created, a repeat is patched. Only
     * what memory cannot tell costs a read: an Event that exists although the caller does not know it (written before a
     * restart, or by the previous leader) is read once and patched; one that disappeared (Events expire) is created
     * again. The written Event carries the count to remember.
     */
    public Future<Event> event(Event event, Integer known) {
        String ns = event.getMetadata().getNamespace();
        String name = event.getMetadata().getName();
        return write(() -> {
            var events = client.v1().events().inNamespace(ns);
            Event written = null;
            if (known != null) {
                written = patchCount(events.resource(event), known + 1, event.getLastTimestamp());
            }
            if (written == null) {
                try {
                    written = events.resource(event).create();
                } catch (KubernetesClientException e) {
                    if (!isConflict(e)) {
                        throw e;
                    }
                    Event live = events.withName(name).get();
                    int count = live == null || live.getCount() == null ? 1 : live.getCount();
                    written = patchCount(events.resource(event), count + 1, event.getLastTimestamp());
                    if (written == null) {
                        written = events.resource(event).create();
                    }
                }
            }
            return written;
        });
    }

    /**
     * Sets count and lastTimestamp with a merge patch; null when the Event is gone. Patched through the Event itself,
     * not {@code withName()}, which would make fabric8 GET it first.
     */
    private static Event patchCount(
            io.fabric8.kubernetes.client.dsl.Resource<Event> event, int count, String lastTimestamp) {
        try {
            return event.patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"count\":" + count + ",\"lastTimestamp\":\"" + lastTimestamp + "\"}");
        } catch (KubernetesClientException e) {
            if (isNotFound(e)) {
                return null;
            }
            throw e;
        }
    }

    public Future<GenericKubernetesResource> createScaledObject(GenericKubernetesResource so) {
        return write(() -> client.genericKubernetesResources(SCALED_OBJECTS)
                .inNamespace(so.getMetadata().getNamespace())
                .resource(so)
                .create());
    }

    /** Replaces a ScaledObject, fenced by its resourceVersion. */
    public Future<GenericKubernetesResource> updateScaledObject(GenericKubernetesResource so) {
        return write(() -> client.genericKubernetesResources(SCALED_OBJECTS)
                .inNamespace(so.getMetadata().getNamespace())
                .resource(so)
                .update());
    }

    /**
     * Sets ({@code value}) or removes ({@code null}) one annotation of a ScaledObject with a patch: unfenced, so KEDA's
     * own writes to the object (its status) cannot make the pause conflict. A removal is a JSON Patch {@code remove}
     * (it fails, and is retried from a fresh read, when the annotation went meanwhile); a merge patch's {@code null}
     * would do on a real API server but is stored as a value by the mock one.
     */
    public Future<Void> annotateScaledObject(String ns, String name, String key, String value) {
        return write(() -> {
            // Through a named stand-in, not withName(): fabric8 would first GET the object it patches.
            GenericKubernetesResource named = new GenericKubernetesResource();
            named.setApiVersion(ScaledObjects.GROUP + "/" + ScaledObjects.VERSION);
            named.setKind(ScaledObjects.KIND);
            named.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                    .withName(name)
                    .withNamespace(ns)
                    .build());
            var so = client.genericKubernetesResources(SCALED_OBJECTS)
                    .inNamespace(ns)
                    .resource(named);
            if (value != null) {
                so.patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        serialization().asJson(Map.of("metadata", Map.of("annotations", Map.of(key, value)))));
            } else {
                String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
                so.patch(
                        PatchContext.of(PatchType.JSON),
                        serialization().asJson(java.util.List.of(Map.of("op", "remove", "path", path))));
            }
            return null;
        });
    }

    public Future<RouteTable> createRouteTable(RouteTable table) {
        return write(() -> client.resources(RouteTable.class)
                .inNamespace(table.getMetadata().getNamespace())
                .resource(table)
                .create());
    }

    public Future<RouteTable> updateRouteTable(RouteTable table) {
        return write(() -> client.resources(RouteTable.class)
                .inNamespace(table.getMetadata().getNamespace())
                .resource(table)
                .update());
    }
}
