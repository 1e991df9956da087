package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.Kinds;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

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

    /**
     * A Deployment as the API server has it (raw, as the informer's store keeps it), or null: for one the analyzer's
     * cache knows of but does not hold ({@code Caches}).
     */
    public Future<GenericKubernetesResource> deployment(String ns, String name) {
        return read(() -> client.genericKubernetesResources("apps/v1", "Deployment")
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    /** A Service, or null: for one the analyzer's cache knows of but does not hold ({@code Caches}). */
    public Future<io.fabric8.kubernetes.api.model.Service> service(String ns, String name) {
        return read(() -> client.services().inNamespace(ns).withName(name).get());
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

    /**
     * Writes the status subresource of {@code canary}, a copy the caller owns, fenced by the resourceVersion it carries
     * (409 when stale); answers it with the version the write was given. See {@link #updateStatus(Canary, String)}.
     */
    public Future<Canary> updateStatus(Canary canary) {
        return updateStatus(canary, json(canary.getStatus() == null ? Map.of() : canary.getStatus()));
    }

    /**
     * Writes {@code status}, the JSON of {@code canary}'s status, as the Canary's status subresource: a JSON patch that
     * sets the resourceVersion the caller decided from and replaces the status whole. An API server refuses the patched
     * object with 409 when that version is no longer the stored one, as it refuses a stale PUT; a replaced status keeps
     * nothing of the one before, which a merge patch would. Only the status travels: a PUT carried the whole Canary, and
     * encoding it was the largest part of a step's write. Answers {@code canary}, a copy the caller owns, with the new
     * version set on it: the API server ignores everything but the status here, and the fence held, so the copy is what
     * it now stores.
     */
    public Future<Canary> updateStatus(Canary canary, String status) {
        ObjectMeta m = canary.getMetadata();
        if (m.getResourceVersion() == null || m.getResourceVersion().isEmpty()) {
            return Future.failedFuture(
                    new IllegalArgumentException("the status of Canary " + m.getNamespace() + "/" + m.getName()
                            + " is written only from a read one: it names no resourceVersion to fence the write"));
        }
        String patch = "[{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":"
                + json(m.getResourceVersion()) + "},{\"op\":\"add\",\"path\":\"/status\",\"value\":" + status
                + "}]";
        return write(() -> {
            Answer a = send("PATCH", path(Canary.class, m.getNamespace(), m.getName()) + "/status", JSON_PATCH, patch);
            m.setResourceVersion(a.resourceVersion());
            return canary;
        });
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
     * again. Answers the count written, to remember.
     */
    public Future<Integer> event(Event event, Integer known) {
        String ns = event.getMetadata().getNamespace();
        String name = event.getMetadata().getName();
        String events = path(Event.class, ns, null);
        int first = event.getCount() == null ? 1 : event.getCount();
        return write(() -> {
            if (known != null) {
                Integer patched = patchCount(events + "/" + name, known + 1, event.getLastTimestamp());
                if (patched != null) {
                    return patched;
                }
            }
            try {
                send("POST", events, JSON, json(event));
                return first;
            } catch (KubernetesClientException e) {
                if (!isConflict(e)) {
                    throw e;
                }
                Event live = client.v1().events().inNamespace(ns).withName(name).get();
                int count = live == null || live.getCount() == null ? 1 : live.getCount();
                Integer patched = patchCount(events + "/" + name, count + 1, event.getLastTimestamp());
                if (patched != null) {
                    return patched;
                }
                send("POST", events, JSON, json(event));
                return first;
            }
        });
    }

    /** Sets count and lastTimestamp with a merge patch; answers the count, or null when the Event is gone. */
    private Integer patchCount(String path, int count, String lastTimestamp) throws Exception {
        try {
            send("PATCH", path, MERGE_PATCH, "{\"count\":" + count + ",\"lastTimestamp\":\"" + lastTimestamp + "\"}");
            return count;
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

    /** Replaces a RouteTable, fenced by its resourceVersion; answers the version the write was given. */
    public Future<String> updateRouteTable(RouteTable table) {
        ObjectMeta m = table.getMetadata();
        return write(() -> send("PUT", path(RouteTable.class, m.getNamespace(), m.getName()), JSON, json(table))
                .resourceVersion());
    }

    // ------------------------------------------------------------------ writes that read one field of the answer

    /**
     * What the analyzer keeps of a write's answer: the new resourceVersion, and an Event's count. The writes every
     * step makes (the status, the delegate RouteTable, the Event) go through {@link #send} instead of the client's
     * typed calls, which decode the whole answer into a model object on the HTTP client's event loop: at 10,000
     * Canaries those decodings were about an eighth of the analyzer's CPU, for one field. Hand-written for that
     * reason only; the request still goes through the client's HTTP client (authentication, retries, TLS).
     */
    record Answer(String resourceVersion, Integer count) {}

    private static final String JSON = "application/json";
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";
    /** Answers are scanned, not decoded; as deep as the API server may store (see {@link TolerantSerialization}). */
    private static final JsonFactory ANSWERS = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(TolerantSerialization.MAX_PARSER_DEPTH)
                    .build())
            .build();

    private String json(Object o) {
        return serialization().asJson(o);
    }

    /** The URL path of a namespaced object of a registered kind (its collection when {@code name} is null). */
    String path(Class<? extends HasMetadata> kind, String ns, String name) {
        String[] root = ROOTS.get(kind);
        return root[0] + ns + root[1] + (name == null ? "" : "/" + name);
    }

    /** Per kind, the path before and after the namespace; read from the kind's annotations once. */
    private static final ClassValue<String[]> ROOTS = new ClassValue<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected String[] computeValue(Class<?> type) {
            Class<? extends HasMetadata> kind = (Class<? extends HasMetadata>) type;
            String group = HasMetadata.getGroup(kind);
            String version = HasMetadata.getVersion(kind);
            String api = group == null || group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
            return new String[] {api + "/namespaces/", "/" + HasMetadata.getPlural(kind)};
        }
    };

    /**
     * Sends one request on the worker and scans the answer for what {@link Answer} keeps; a refusal becomes the
     * {@link KubernetesClientException} the typed calls throw, with the API server's code and Status.
     */
    Answer send(String method, String path, String contentType, String body) throws Exception {
        HttpClient http = client.getHttpClient();
        String master = client.getMasterUrl().toString();
        if (master.endsWith("/")) {
            master = master.substring(0, master.length() - 1);
        }
        HttpRequest.Builder request =
                http.newHttpRequestBuilder().uri(master + path).method(method, contentType, body);
        int timeout = client.getConfiguration().getRequestTimeout();
        if (timeout > 0) {
            request.timeout(timeout, TimeUnit.MILLISECONDS);
        }
        HttpResponse<byte[]> answer;
        try {
            answer = http.sendAsync(request.build(), byte[].class).get();
        } catch (ExecutionException e) {
            throw KubernetesClientException.launderThrowable(e.getCause());
        }
        byte[] bytes = answer.body() == null ? new byte[0] : answer.body();
        if (!answer.isSuccessful()) {
            throw refused(method, path, answer.code(), bytes);
        }
        return scan(bytes);
    }

    private KubernetesClientException refused(String method, String path, int code, byte[] body) {
        Status status = null;
        try {
            status = serialization().unmarshal(new String(body, StandardCharsets.UTF_8), Status.class);
        } catch (RuntimeException notStatus) {
            // Not a Status (a proxy's page): the code and the text say enough.
        }
        if (status == null || status.getMessage() == null) {
            status = new StatusBuilder()
                    .withCode(code)
                    .withMessage(new String(body, StandardCharsets.UTF_8))
                    .build();
        }
        if (status.getCode() == null) {
            status.setCode(code);
        }
        // Worded as the client's own refusals, which logs and Events already show.
        return new KubernetesClientException(
                "Failure executing: " + method + " at: " + path + ". Message: " + status.getMessage()
                        + ". Received status: " + status + ".",
                code,
                status);
    }

    /** The top-level {@code metadata.resourceVersion} and {@code count} of an answer, skipping everything else. */
    static Answer scan(byte[] body) throws java.io.IOException {
        String version = null;
        Integer count = null;
        try (JsonParser p = ANSWERS.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new KubernetesClientException("the API server answered a write with no object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String inner = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING && "resourceVersion".equals(inner)) {
                            version = p.getString();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if ("count".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                    count = p.getIntValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Answer(version, count);
    }
}
