package io.sluice.sandbox.mesh;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.sandbox.apiserver.Selectors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in the sandbox that a cluster would run around Sluice, driven by watches on the
 * sandbox API server like the real controllers: the Deployment controller and kubelet (a
 * {@link Pod} per Deployment with replicas, status brought to ready), kube-proxy (a loopback
 * listener per Service forwarding to the pods its selector picks), the Gloo Mesh north-south
 * gateway (routing by Host through the parent and delegate RouteTables, weights honoured, status
 * written like Gloo Mesh 2.3+), and the scrape targets of Prometheus.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Pattern CLUSTER_URL = Pattern.compile(
            "(https?)://([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.svc(\\.cluster\\.local)?)?(:(\\d+))?");

    private final Vertx vertx;
    private final Context context;
    private final KubernetesClient client;
    private final Prometheus prometheus;
    private final HttpClient forwarder;
    private final LoadTester loadTester;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, JsonObject> podLabels = new ConcurrentHashMap<>();
    private final Map<String, Boolean> starting = new ConcurrentHashMap<>();
    private final Map<String, HttpServer> serviceProxies = new ConcurrentHashMap<>();
    private final Map<String, SocketAddress> external = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> routed = new ConcurrentHashMap<>();
    private final List<Consumer<JsonObject>> routeTableListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final AtomicLong roundRobin = new AtomicLong();
    private HttpServer gateway;
    private HttpServer clusterProxy;

    private Cluster(Vertx vertx, KubernetesClient client, Prometheus prometheus) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.prometheus = prometheus;
        this.forwarder = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2000),
                new PoolOptions().setHttp1MaxSize(64));
        this.loadTester = new LoadTester(vertx, this::rewriteClusterUrls, 3_600_000L);
    }

    /**
     * Starts the gateway and the watches. {@code prometheus} may be null (tests of routing alone);
     * then no scrape targets are written.
     */
    public static Future<Cluster> start(Vertx vertx, KubernetesClient client, Prometheus prometheus) {
        Cluster c = new Cluster(vertx, client, prometheus);
        return vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(c::route)
                .listen()
                .compose(g -> {
                    c.gateway = g;
                    return vertx.createHttpServer(
                                    new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                            .requestHandler(c::proxyToCluster)
                            .listen();
                })
                .compose(p -> {
                    c.clusterProxy = p;
                    return vertx.executeBlocking(
                            () -> {
                                c.watch();
                                return c;
                            },
                            false);
                });
    }

    /** The gateway's loopback address: send requests with the RouteTable's host as {@code Host}. */
    public int gatewayPort() {
        return gateway.actualPort();
    }

    /**
     * An HTTP forward proxy into the cluster: a process outside it (Sluice's analyzer calling
     * {@code http://flagger-loadtester.test/}) reaches Services by their cluster names through it,
     * as {@code HTTP_PROXY} clients do.
     */
    public String clusterProxyUrl() {
        return "http://127.0.0.1:" + clusterProxy.actualPort();
    }

    /** A Service outside the sandbox's pods (Sluice's admission webhook) reachable at a loopback address. */
    public void registerExternalService(String namespace, String name, SocketAddress address) {
        external.put(namespace + "/" + name, address);
    }

    /** Resolves a Service for webhooks: external ones first, then the Service proxies. */
    public Optional<SocketAddress> resolveService(String namespace, String name, int port) {
        SocketAddress ext = external.get(namespace + "/" + name);
        if (ext != null) {
            return Optional.of(ext);
        }
        HttpServer proxy = serviceProxies.get(namespace + "/" + name);
        return proxy == null
                ? Optional.empty()
                : Optional.of(SocketAddress.inetSocketAddress(proxy.actualPort(), "127.0.0.1"));
    }

    /** How many requests the gateway sent to each destination Service ({@code ns/name}) so far. */
    public Map<String, Long> routedCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        routed.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Called with every RouteTable the gateway sees change (the e2e tests record the weights). */
    public void onRouteTable(Consumer<JsonObject> listener) {
        routeTableListeners.add(listener);
    }

    public Optional<Pod> pod(String namespace, String deployment) {
        return Optional.ofNullable(pods.get(namespace + "/" + deployment));
    }

    // ---------------------------------------------------------------------------------------------
    // watches

    private void watch() {
        informers.add(client.apps()
                .deployments()
                .inAnyNamespace()
                .inform(handler(this::reconcileDeployment, d -> context.runOnContext(v -> stopPod(key(d)))), 30_000));
        informers.add(client.services()
                .inAnyNamespace()
                .inform(
                        handler(this::ensureServiceProxy, s -> context.runOnContext(v -> closeServiceProxy(key(s)))),
                        30_000));
        informers.add(client.genericKubernetesResources("networking.gloo.solo.io/v2", "RouteTable")
                .inAnyNamespace()
                .inform(handler(this::onRouteTableChange, r -> {}), 30_000));
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange, Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                context.runOnContext(v -> onChange.accept(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                context.runOnContext(v -> onChange.accept(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onDelete.accept(obj);
            }
        };
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    // ---------------------------------------------------------------------------------------------
    // Deployment controller and kubelet

    private void reconcileDeployment(Deployment d) {
        String key = key(d);
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String image =
                d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        JsonObject labels = new JsonObject(new java.util.HashMap<>(
                Optional.ofNullable(d.getSpec().getTemplate().getMetadata().getLabels())
                        .orElse(Map.of())));
        Pod current = pods.get(key);
        if (starting.containsKey(key)) {
            return;
        }
        if (replicas > 0 && (current == null || !current.image().equals(image))) {
            starting.put(key, true);
            String ns = d.getMetadata().getNamespace();
            String name = d.getMetadata().getName();
            String hostname = name + "-" + Integer.toHexString(Objects.hash(image) & 0xfffff) + "-sbx";
            var app = image.contains("flagger-loadtester")
                    ? loadTester.handler()
                    : Podinfo.handler(vertx, hostname, image);
            Pod.start(vertx, ns, name, image, app).onComplete(ar -> {
                starting.remove(key);
                if (ar.failed()) {
                    LOG.warn("cannot start pod for {}: {}", key, ar.cause().getMessage());
                    return;
                }
                Pod old = pods.put(key, ar.result());
                podLabels.put(key, labels);
                if (old != null) {
                    old.stop();
                }
                LOG.info(
                        "pod for deployment {} runs {} on 127.0.0.1:{}",
                        key,
                        image,
                        ar.result().port());
                publishTargets();
                fetchAndWriteStatus(ns, name);
            });
            return;
        }
        if (replicas == 0 && current != null) {
            stopPod(key);
        }
        if (current != null) {
            podLabels.put(key, labels);
        }
        writeStatus(d, replicas);
    }

    private void fetchAndWriteStatus(String ns, String name) {
        vertx.executeBlocking(
                        () -> client.apps()
                                .deployments()
                                .inNamespace(ns)
                                .withName(name)
                                .get(),
                        false)
                .onSuccess(d -> {
                    if (d != null) {
                        writeStatus(
                                d,
                                d.getSpec().getReplicas() == null
                                        ? 1
                                        : d.getSpec().getReplicas());
                    }
                });
    }

    private void stopPod(String key) {
        Pod old = pods.remove(key);
        podLabels.remove(key);
        if (old != null) {
            old.stop();
            publishTargets();
            LOG.info("pod for deployment {} stopped", key);
        }
    }

    private void writeStatus(Deployment d, int replicas) {
        boolean running = replicas == 0 || pods.containsKey(key(d));
        if (!running) {
            return;
        }
        DeploymentStatus current = d.getStatus();
        long generation =
                d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
        if (current != null
                && Objects.equals(current.getObservedGeneration(), generation)
                && Objects.equals(current.getReplicas(), replicas)
                && Objects.equals(current.getReadyReplicas(), replicas)
                && Objects.equals(current.getUpdatedReplicas(), replicas)) {
            return;
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<DeploymentCondition> conditions = List.of(
                new DeploymentConditionBuilder()
                        .withType("Available")
                        .withStatus("True")
                        .withReason("MinimumReplicasAvailable")
                        .withMessage("Deployment has minimum availability.")
                        .withLastUpdateTime(now)
                        .withLastTransitionTime(now)
                        .build(),
                new DeploymentConditionBuilder()
                        .withType("Progressing")
                        .withStatus("True")
                        .withReason("NewReplicaSetAvailable")
                        .withMessage("ReplicaSet \"" + d.getMetadata().getName() + "\" has successfully progressed.")
                        .withLastUpdateTime(now)
                        .withLastTransitionTime(now)
                        .build());
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(generation)
                .withReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withConditions(conditions)
                .build();
        Deployment copy = JSON.clone(d);
        copy.setStatus(status);
        vertx.executeBlocking(
                        () -> client.apps()
                                .deployments()
                                .inNamespace(d.getMetadata().getNamespace())
                                .resource(copy)
                                .updateStatus(),
                        false)
                .onFailure(e -> {
                    if (!(e instanceof KubernetesClientException k && k.getCode() == 409)) {
                        LOG.warn("status of deployment {} not written: {}", key(d), e.getMessage());
                    }
                });
    }

    private void publishTargets() {
        if (prometheus == null) {
            return;
        }
        List<Prometheus.Target> targets = new ArrayList<>();
        pods.values()
                .forEach(p -> targets.add(
                        new Prometheus.Target(p.namespace(), p.workload() + "-sbx", p.workload(), p.metricsPort())));
        vertx.executeBlocking(
                () -> {
                    prometheus.writeTargets(targets);
                    return null;
                },
                true);
    }

    // ---------------------------------------------------------------------------------------------
    // Services (kube-proxy)

    private List<Pod> endpointsCached(String namespace, String service) {
        @SuppressWarnings("unchecked")
        SharedIndexInformer<Service> services = (SharedIndexInformer<Service>) informers.get(1);
        Service s = services.getStore().getByKey(namespace + "/" + service);
        return s == null ? List.of() : endpoints(s);
    }

    private List<Pod> endpoints(Service s) {
        JsonObject selector = new JsonObject(new java.util.HashMap<>(
                Optional.ofNullable(s.getSpec().getSelector()).orElse(Map.of())));
        List<Pod> out = new ArrayList<>();
        pods.forEach((key, pod) -> {
            if (pod.namespace().equals(s.getMetadata().getNamespace())
                    && Selectors.matchesMap(selector, podLabels.get(key))) {
                out.add(pod);
            }
        });
        return out;
    }

    private void ensureServiceProxy(Service s) {
        String key = key(s);
        if (serviceProxies.containsKey(key)) {
            return;
        }
        String ns = s.getMetadata().getNamespace();
        String name = s.getMetadata().getName();
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> forward(req, ns, name, "flagger-loadtester", "test"))
                .listen()
                .onSuccess(server -> {
                    if (serviceProxies.putIfAbsent(key, server) != null) {
                        server.close();
                    }
                });
    }

    private void closeServiceProxy(String key) {
        HttpServer s = serviceProxies.remove(key);
        if (s != null) {
            s.close();
        }
    }

    /**
     * Rewrites every cluster URL in a command ({@code http://svc.ns[.svc[.cluster.local]][:port]})
     * to the loopback port of that Service's proxy; URLs naming no known Service stay as they are.
     */
    public String rewriteClusterUrls(String command) {
        Matcher m = CLUSTER_URL.matcher(command);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            HttpServer proxy = serviceProxies.get(m.group(4) + "/" + m.group(2));
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement(proxy == null ? m.group() : "http://127.0.0.1:" + proxy.actualPort()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern ABSOLUTE = Pattern.compile(
            "http://([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\\.svc(\\.cluster\\.local)?)?(:\\d+)?(/.*)?");

    private void proxyToCluster(HttpServerRequest req) {
        Matcher m = ABSOLUTE.matcher(req.uri());
        if (!m.matches()) {
            req.response()
                    .setStatusCode(req.method().name().equals("CONNECT") ? 501 : 400)
                    .end(
                            "the sandbox proxy forwards plain HTTP to cluster Services (http://<service>.<namespace>/...), not "
                                    + req.uri());
            return;
        }
        String path = m.group(8) == null ? "/" : m.group(8);
        if (!serviceProxies.containsKey(m.group(3) + "/" + m.group(1))) {
            req.response().setStatusCode(502).end("no Service " + m.group(1) + " in namespace " + m.group(3));
            return;
        }
        forward(req, path, m.group(3), m.group(1), "unknown", "unknown");
    }

    private void forward(HttpServerRequest req, String namespace, String service, String source, String sourceNs) {
        forward(req, req.uri(), namespace, service, source, sourceNs);
    }

    private void forward(
            HttpServerRequest req, String uri, String namespace, String service, String source, String sourceNs) {
        List<Pod> candidates = endpointsCached(namespace, service);
        if (candidates.isEmpty()) {
            req.response().setStatusCode(503).end("no healthy upstream");
            return;
        }
        Pod pod = candidates.get((int) (roundRobin.getAndIncrement() % candidates.size()));
        send(req, uri, pod, source, sourceNs);
    }

    private void send(HttpServerRequest req, String uri, Pod pod, String source, String sourceNs) {
        req.pause();
        RequestOptions options = new RequestOptions()
                .setMethod(req.method())
                .setHost("127.0.0.1")
                .setPort(pod.port())
                .setURI(uri)
                .setTimeout(65_000);
        req.headers().forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("Host") && !h.getKey().equalsIgnoreCase("Connection")) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        options.putHeader(Pod.SOURCE_HEADER, source).putHeader(Pod.SOURCE_NAMESPACE_HEADER, sourceNs);
        forwarder.request(options).onComplete(ar -> {
            req.resume();
            if (ar.failed()) {
                req.response()
                        .setStatusCode(503)
                        .end("upstream connect error: " + ar.cause().getMessage());
                return;
            }
            req.body()
                    .compose(body -> ar.result().send(body))
                    .compose(resp -> resp.body().map(b -> {
                        req.response().setStatusCode(resp.statusCode());
                        resp.headers().forEach(h -> {
                            if (!h.getKey().equalsIgnoreCase("Content-Length")
                                    && !h.getKey().equalsIgnoreCase("Connection")) {
                                req.response().headers().add(h.getKey(), h.getValue());
                            }
                        });
                        return req.response().end(b);
                    }))
                    .onFailure(e -> {
                        if (!req.response().ended()) {
                            req.response().setStatusCode(503).end("upstream reset: " + e.getMessage());
                        }
                    });
        });
    }

    // ---------------------------------------------------------------------------------------------
    // the north-south gateway

    private void route(HttpServerRequest req) {
        String host = Optional.ofNullable(req.getHeader("Host")).orElse("").replaceAll(":\\d+$", "");
        @SuppressWarnings("unchecked")
        SharedIndexInformer<GenericKubernetesResource> tables =
                (SharedIndexInformer<GenericKubernetesResource>) informers.get(2);
        List<JsonObject> all = tables.getStore().list().stream()
                .map(r -> new JsonObject(JSON.asJson(r)))
                .toList();
        Optional<JsonObject> parent = all.stream()
                .filter(t -> hosts(t).stream().anyMatch(h -> hostMatches(h, host)))
                .findFirst();
        if (parent.isEmpty()) {
            req.response().setStatusCode(404).end("no route for host " + host);
            return;
        }
        Optional<JsonObject> destination = pick(parent.get(), all, req.path(), 0);
        if (destination.isEmpty()) {
            req.response().setStatusCode(500).end("route table of " + host + " has no usable route");
            return;
        }
        JsonObject ref = destination.get().getJsonObject("ref", new JsonObject());
        String ns = ref.getString("namespace", destination.get().getString("$namespace"));
        String svc = ref.getString("name");
        routed.computeIfAbsent(ns + "/" + svc, k -> new AtomicLong()).incrementAndGet();
        forwardFromGateway(req, ns, svc);
    }

    private void forwardFromGateway(HttpServerRequest req, String ns, String svc) {
        List<Pod> candidates = endpointsCached(ns, svc);
        if (candidates.isEmpty()) {
            req.response().setStatusCode(503).end("no healthy upstream");
            return;
        }
        send(
                req,
                req.uri(),
                candidates.get((int) (roundRobin.getAndIncrement() % candidates.size())),
                "istio-ingressgateway",
                "istio-gateways");
    }

    private static List<String> hosts(JsonObject table) {
        return table.getJsonObject("spec", new JsonObject()).getJsonArray("hosts", new JsonArray()).stream()
                .map(String::valueOf)
                .toList();
    }

    private static boolean hostMatches(String pattern, String host) {
        return pattern.equals(host)
                || pattern.equals("*")
                || (pattern.startsWith("*.") && host.endsWith(pattern.substring(1)));
    }

    /** Walks the table's routes (and delegates, depth-bounded) to a weighted destination. */
    private Optional<JsonObject> pick(JsonObject table, List<JsonObject> all, String path, int depth) {
        if (depth > 4) {
            return Optional.empty();
        }
        String ns = table.getJsonObject("metadata").getString("namespace");
        for (Object o : table.getJsonObject("spec", new JsonObject()).getJsonArray("http", new JsonArray())) {
            JsonObject route = (JsonObject) o;
            if (!matchesPath(route, path)) {
                continue;
            }
            JsonObject forwardTo = route.getJsonObject("forwardTo");
            if (forwardTo != null) {
                return weighted(forwardTo.getJsonArray("destinations", new JsonArray()), ns);
            }
            JsonObject delegate = route.getJsonObject("delegate");
            if (delegate != null) {
                for (Object s : delegate.getJsonArray("routeTables", new JsonArray())) {
                    JsonObject selector = (JsonObject) s;
                    for (JsonObject child : all) {
                        JsonObject meta = child.getJsonObject("metadata");
                        boolean byName = selector.getString("name") == null
                                || selector.getString("name").equals(meta.getString("name"));
                        boolean byNs = meta.getString("namespace").equals(selector.getString("namespace", ns));
                        boolean byLabels = Selectors.matches(
                                selector.containsKey("labels")
                                        ? new JsonObject().put("matchLabels", selector.getJsonObject("labels"))
                                        : null,
                                meta.getJsonObject("labels", new JsonObject()));
                        if (byName && byNs && byLabels && hosts(child).isEmpty()) {
                            Optional<JsonObject> d = pick(child, all, path, depth + 1);
                            if (d.isPresent()) {
                                return d;
                            }
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean matchesPath(JsonObject route, String path) {
        JsonArray matchers = route.getJsonArray("matchers");
        if (matchers == null || matchers.isEmpty()) {
            return true;
        }
        for (Object o : matchers) {
            JsonObject uri = ((JsonObject) o).getJsonObject("uri");
            if (uri == null
                    || (uri.getString("prefix") != null && path.startsWith(uri.getString("prefix")))
                    || (uri.getString("exact") != null && path.equals(uri.getString("exact")))) {
                return true;
            }
        }
        return false;
    }

    private Optional<JsonObject> weighted(JsonArray destinations, String tableNamespace) {
        long total = 0;
        for (Object o : destinations) {
            total += ((JsonObject) o).getLong("weight", 0L);
        }
        if (destinations.isEmpty()) {
            return Optional.empty();
        }
        if (total == 0) {
            return Optional.of(destinations.getJsonObject(0).copy().put("$namespace", tableNamespace));
        }
        long r = java.util.concurrent.ThreadLocalRandom.current().nextLong(total);
        for (Object o : destinations) {
            JsonObject d = (JsonObject) o;
            r -= d.getLong("weight", 0L);
            if (r < 0) {
                return Optional.of(d.copy().put("$namespace", tableNamespace));
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------------------------------------
    // RouteTable status, as Gloo Mesh 2.3+ writes it

    private void onRouteTableChange(GenericKubernetesResource r) {
        JsonObject table = new JsonObject(JSON.asJson(r));
        routeTableListeners.forEach(l -> l.accept(table));
        @SuppressWarnings("unchecked")
        SharedIndexInformer<GenericKubernetesResource> tables =
                (SharedIndexInformer<GenericKubernetesResource>) informers.get(2);
        List<JsonObject> all = tables.getStore().list().stream()
                .map(x -> new JsonObject(JSON.asJson(x)))
                .toList();
        JsonObject desired = RouteTableStatus.of(table, all);
        JsonObject current = table.getJsonObject("status");
        if (desired.equals(current)) {
            return;
        }
        GenericKubernetesResource copy = JSON.clone(r);
        copy.setAdditionalProperty("status", JSON.unmarshal(desired.encode(), Map.class));
        vertx.executeBlocking(
                        () -> client.genericKubernetesResources("networking.gloo.solo.io/v2", "RouteTable")
                                .inNamespace(r.getMetadata().getNamespace())
                                .resource(copy)
                                .updateStatus(),
                        false)
                .onFailure(e -> {
                    if (!(e instanceof KubernetesClientException k && k.getCode() == 409)) {
                        LOG.warn("status of RouteTable {} not written: {}", key(r), e.getMessage());
                    }
                });
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        loadTester.close();
        List<Future<?>> closing = new ArrayList<>();
        pods.values().forEach(p -> closing.add(p.stop()));
        serviceProxies.values().forEach(s -> closing.add(s.close()));
        if (gateway != null) {
            closing.add(gateway.close());
        }
        if (clusterProxy != null) {
            closing.add(clusterProxy.close());
        }
        closing.add(forwarder.close());
        Future.join(closing)
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                .exceptionally(e -> null)
                .join();
    }
}
