package io.sluice.analyzer.crash;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sluice.analyzer.StatusFence;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableSpec;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The fabric8 mock API server (CRUD mode) holding the seed, seen from the server's side of every write: it tells the
 * analyzer instances apart by their User-Agent, can refuse every write of one of them from its k-th write on (the
 * crash), and after every mutating request it answers records what the cluster now holds — the delegate's routes, the
 * Canary's step — and whether the canary Deployment is at 0 replicas while the delegate sends it traffic.
 *
 * <p>Like {@code MockCluster} (package-private in the analyzer's package, so not reachable from here) it runs no
 * controllers: {@link #settle()} plays the Deployment controller and {@link #collectGarbage()} the garbage collector.
 */
final class CrashCluster implements AutoCloseable {
    static final String NS = "test";
    static final String TARGET = "podinfo";
    static final String CANARY_SERVICE = "podinfo-canary";
    static final String DELEGATE = "podinfo-delegate";
    private static final String AGENT_PREFIX = "sluice-analyzer-under-test/";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments/";
    private static final String ROUTE_TABLES = "/apis/networking.gloo.solo.io/v2/namespaces/" + NS + "/routetables/";
    private static final String CANARIES = "/apis/flagger.app/v1beta1/namespaces/" + NS + "/canaries/";

    final KubernetesMockServer server;
    /** The test's own client: plays users and controllers; its writes are observed but never refused. */
    final KubernetesClient client;

    private final Object lock = new Object();
    /** Every mutating request of an analyzer instance (refused ones included), as {@code METHOD path}. */
    private final List<String> analyzerWrites = new ArrayList<>();

    private final Set<Integer> crashed = new HashSet<>();
    private int armedInstance = -1;
    private int allowance;
    private int refused;
    /** The delegate's routes after each change, e.g. {@code weighted-route 70/30}. */
    private final List<String> routeHistory = new ArrayList<>();
    /** The Canary's step after each change (see {@link Step}). */
    private final List<Step> stepHistory = new ArrayList<>();
    /** When each element of {@link #stepHistory} was written, by the run's clock. */
    private final List<Instant> stepTimes = new ArrayList<>();

    private volatile Clock clock = Clock.systemUTC();

    private final List<String> violations = new ArrayList<>();

    /**
     * One step of a run, as the status records it: the phase, the canary weight, the iteration counter (A/B and
     * blue/green count iterations instead of weights) and the failed-check counter.
     */
    record Step(String phase, Integer canaryWeight, Integer iterations, Integer failedChecks) {
        static Step of(CanaryStatus s) {
            return s == null ? null : new Step(s.phase, s.canaryWeight, s.iterations, s.failedChecks);
        }

        @Override
        public String toString() {
            return phase + " w=" + canaryWeight + " it=" + iterations + " failed=" + failedChecks;
        }
    }

    CrashCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client = server.createClient();
        Kube.register(client);
        crd("manifests/crds/canaries.flagger.app.yaml");
        crd("manifests/test-crds/routetables.networking.gloo.solo.io.yaml");
    }

    /**
     * A new client for analyzer instance {@code id}, as a restarted pod builds one: nothing shared with an earlier
     * instance. No retries of refused requests, so that a crashed instance fails at once.
     */
    KubernetesClient clientFor(int id) {
        Config config = new ConfigBuilder(client.getConfiguration())
                .withUserAgent(AGENT_PREFIX + id)
                .withRequestRetryBackoffLimit(0)
                .build();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
        Kube.register(c);
        return c;
    }

    /** From now on instance {@code id} gets {@code k} more writes through; every later one of its writes fails. */
    void crashAfter(int id, int k) {
        synchronized (lock) {
            armedInstance = id;
            allowance = k;
        }
    }

    /** The analyzer instances' mutating requests so far (refused ones included), as {@code METHOD path}. */
    List<String> analyzerWrites() {
        synchronized (lock) {
            return List.copyOf(analyzerWrites);
        }
    }

    int refused() {
        synchronized (lock) {
            return refused;
        }
    }

    List<String> routeHistory() {
        synchronized (lock) {
            return List.copyOf(routeHistory);
        }
    }

    List<Step> stepHistory() {
        synchronized (lock) {
            return List.copyOf(stepHistory);
        }
    }

    List<Instant> stepTimes() {
        synchronized (lock) {
            return List.copyOf(stepTimes);
        }
    }

    /** The run's clock, which dates the steps. */
    CrashCluster clock(Clock c) {
        this.clock = c;
        return this;
    }

    List<String> violations() {
        synchronized (lock) {
            return List.copyOf(violations);
        }
    }

    private final class Dispatcher extends KubernetesCrudDispatcher {
        Dispatcher() {
            super(List.of());
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String method = request.getMethod();
            if ("GET".equals(method) || "HEAD".equals(method)) {
                return super.dispatch(request);
            }
            synchronized (lock) {
                String agent = request.getHeader("User-Agent");
                Integer who = agent != null && agent.startsWith(AGENT_PREFIX)
                        ? Integer.valueOf(agent.substring(AGENT_PREFIX.length()))
                        : null;
                if (who != null) {
                    analyzerWrites.add(method + " " + request.getPath());
                    if (who == armedInstance && allowance-- <= 0) {
                        crashed.add(who);
                    }
                    if (crashed.contains(who)) {
                        refused++;
                        return status(503, "ServiceUnavailable", "analyzer instance " + who + " crashed");
                    }
                }
                MockResponse answer = staleStatusWrite(request)
                        ? status(409, "Conflict", "the object has been modified")
                        : super.dispatch(request);
                observe(method + " " + request.getPath() + (who == null ? " by the test" : " by analyzer " + who));
                return answer;
            }
        }

        private boolean staleStatusWrite(RecordedRequest request) {
            return StatusFence.stale(
                    request.getMethod(), request.getPath(), request.getBody().getBytes(), object -> {
                        GenericKubernetesResource stored = stored(object);
                        return stored == null ? null : stored.getMetadata().getResourceVersion();
                    });
        }

        private GenericKubernetesResource stored(String path) {
            MockResponse r = handleGet(path);
            return r.code() != 200
                    ? null
                    : client.getKubernetesSerialization()
                            .unmarshal(r.getBody().readUtf8(), GenericKubernetesResource.class);
        }

        private <T> T stored(String path, Class<T> type) {
            MockResponse r = handleGet(path);
            return r.code() != 200
                    ? null
                    : client.getKubernetesSerialization().unmarshal(r.getBody().readUtf8(), type);
        }

        /** Under the lock, after a mutating request was answered: what the cluster holds now. */
        private void observe(String request) {
            RouteTable delegate = stored(ROUTE_TABLES + DELEGATE, RouteTable.class);
            String routes = routes(delegate);
            if (routes != null
                    && (routeHistory.isEmpty() || !routes.equals(routeHistory.get(routeHistory.size() - 1)))) {
                routeHistory.add(routes);
            }
            Canary canary = stored(CANARIES + TARGET, Canary.class);
            Step step = canary == null ? null : Step.of(canary.getStatus());
            if (step != null && (stepHistory.isEmpty() || !step.equals(stepHistory.get(stepHistory.size() - 1)))) {
                stepHistory.add(step);
                stepTimes.add(clock.instant());
            }
            Deployment target = stored(DEPLOYMENTS + TARGET, Deployment.class);
            int toCanary = canaryWeight(delegate);
            if (target != null && Objects.equals(target.getSpec().getReplicas(), 0) && toCanary > 0) {
                violations.add(
                        "after " + request + ": " + TARGET + " has 0 replicas while " + DELEGATE + " routes " + routes);
            }
        }
    }

    /** The delegate's routes, one {@code name primary/canary} per HTTP route; null without a delegate. */
    static String routes(RouteTable delegate) {
        if (delegate == null || delegate.getSpec() == null || delegate.getSpec().http == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (var route : delegate.getSpec().http) {
            StringBuilder b = new StringBuilder(route.name == null ? "?" : route.name).append(' ');
            List<String> weights = new ArrayList<>();
            if (route.forwardTo != null && route.forwardTo.destinations != null) {
                for (RouteTableSpec.DestinationReference d : route.forwardTo.destinations) {
                    weights.add(d.ref.name + "=" + (d.weight == null ? "-" : d.weight));
                }
            }
            out.add(b.append(String.join(",", weights)).toString());
        }
        return String.join(" | ", out);
    }

    /** The largest weight any route of the delegate gives the canary Service (a lone destination counts 100). */
    static int canaryWeight(RouteTable delegate) {
        if (delegate == null || delegate.getSpec() == null || delegate.getSpec().http == null) {
            return 0;
        }
        int max = 0;
        for (var route : delegate.getSpec().http) {
            if (route.forwardTo == null || route.forwardTo.destinations == null) {
                continue;
            }
            var dests = route.forwardTo.destinations;
            for (RouteTableSpec.DestinationReference d : dests) {
                if (d.ref != null && CANARY_SERVICE.equals(d.ref.name)) {
                    int w = d.weight == null ? (dests.size() == 1 ? 100 : 0) : d.weight;
                    max = Math.max(max, w);
                }
            }
        }
        return max;
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse()
                .setResponseCode(code)
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + reason
                        + "\",\"code\":" + code + ",\"message\":\"" + message + "\"}");
    }

    private void crd(String file) {
        try (InputStream in = new FileInputStream(Path.of("..").resolve(file).toFile())) {
            client.apiextensions().v1().customResourceDefinitions().load(in).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed (podinfo 6.0.0, its parent RouteTable, the Canary as {@code edit} changes it). */
    CrashCluster seed(UnaryOperator<Canary> edit) {
        client.apps().deployments().inNamespace(NS).resource(podinfo()).create();
        client.resources(RouteTable.class)
                .inNamespace(NS)
                .resource(Fixtures.example("routetable.yaml", RouteTable.class))
                .create();
        client.resources(Canary.class)
                .inNamespace(NS)
                .resource(edit.apply(Fixtures.example("canary.yaml", Canary.class)))
                .create();
        settle();
        return this;
    }

    private static Deployment podinfo() {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(TARGET)
                .withNamespace(NS)
                .addToLabels("app", TARGET)
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", TARGET)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", TARGET)
                .endMetadata()
                .withNewSpec()
                .addToContainers(new ContainerBuilder()
                        .withName("podinfod")
                        .withImage(image("6.0.0"))
                        .withPorts(new ContainerPortBuilder()
                                .withName("http")
                                .withContainerPort(9898)
                                .build())
                        .build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static String image(String version) {
        return "ghcr.io/stefanprodan/podinfo:" + version;
    }

    /** {@code kubectl set image}: retried on 409 as kubectl does when the analyzer scaled the Deployment between. */
    void setImage(String version) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.apps().deployments().inNamespace(NS).withName(TARGET).edit(d -> {
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image(version));
                    return d;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Every Deployment's rollout finished; only status writes, and only where the status is not already so. */
    void settle() {
        for (Deployment d : client.apps().deployments().inNamespace(NS).list().getItems()) {
            int n = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            var want = new DeploymentStatusBuilder()
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(n)
                    .withUpdatedReplicas(n)
                    .withAvailableReplicas(n)
                    .withReadyReplicas(n)
                    .build();
            if (!want.equals(d.getStatus())) {
                d.setStatus(want);
                client.apps().deployments().inNamespace(NS).resource(d).updateStatus();
            }
        }
    }

    /**
     * The garbage collector (background cascade): deletes every object all of whose owners are gone, until nothing
     * more goes. Here only the Canary owns objects, so nothing is collected while it exists.
     */
    void collectGarbage() {
        if (canary() != null) {
            return;
        }
        for (boolean deleted = true; deleted; ) {
            List<HasMetadata> all = new ArrayList<>();
            all.addAll(client.resources(Canary.class).inNamespace(NS).list().getItems());
            all.addAll(client.apps().deployments().inNamespace(NS).list().getItems());
            all.addAll(client.services().inNamespace(NS).list().getItems());
            all.addAll(client.resources(RouteTable.class).inNamespace(NS).list().getItems());
            all.addAll(client.configMaps().inNamespace(NS).list().getItems());
            all.addAll(client.secrets().inNamespace(NS).list().getItems());
            all.addAll(client.autoscaling()
                    .v2()
                    .horizontalPodAutoscalers()
                    .inNamespace(NS)
                    .list()
                    .getItems());
            Set<String> uids = new HashSet<>();
            all.forEach(o -> uids.add(o.getMetadata().getUid()));
            deleted = false;
            for (HasMetadata o : all) {
                var owners = o.getMetadata().getOwnerReferences();
                if (owners != null
                        && !owners.isEmpty()
                        && o.getMetadata().getDeletionTimestamp() == null
                        && owners.stream().noneMatch(r -> r.getUid() == null || uids.contains(r.getUid()))) {
                    client.resource(o).withGracePeriod(0).delete();
                    deleted = true;
                }
            }
        }
    }

    /**
     * Plays Gloo Mesh: marks the delegate's current generation accepted (the 2.3+ status shape), unless its status
     * already says so.
     */
    void acceptRoutes() {
        var tables = client.genericKubernetesResources(RouteTable.API_VERSION, "RouteTable")
                .inNamespace(NS);
        GenericKubernetesResource live = tables.withName(DELEGATE).get();
        if (live == null) {
            return;
        }
        long generation = live.getMetadata().getGeneration() == null
                ? 1
                : live.getMetadata().getGeneration();
        Object state = live.get("status", "common", "State");
        if (state instanceof Map<?, ?> m
                && m.get("observedGeneration") instanceof Number n
                && n.longValue() == generation
                && "ACCEPTED".equals(m.get("approval"))) {
            return;
        }
        live.setAdditionalProperty(
                "status",
                Map.of("common", Map.of("State", Map.of("observedGeneration", generation, "approval", "ACCEPTED"))));
        tables.resource(live).updateStatus();
    }

    Canary canary() {
        return client.resources(Canary.class).inNamespace(NS).withName(TARGET).get();
    }

    RouteTable delegate() {
        return client.resources(RouteTable.class)
                .inNamespace(NS)
                .withName(DELEGATE)
                .get();
    }

    Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get();
    }

    @Override
    public void close() {
        client.close();
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }
}
