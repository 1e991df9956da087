package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fabric8 mock API server (CRUD mode) on 127.0.0.1 with Sluice's CRDs and the seed's objects. It runs no
 * controllers: {@link #settle()} plays the Deployment controller by marking every rollout finished.
 */
final class MockCluster implements AutoCloseable {
    static final Path ROOT = Path.of("..");
    final KubernetesMockServer server;
    final KubernetesClient client;
    /** The next update (a PUT or a patch) of this path answers 409, as a real API server does after a concurrent write. */
    final java.util.concurrent.atomic.AtomicReference<String> conflictOnce =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * While set, every update (PUT) of a RouteTable is refused with this HTTP status and Status body, as Gloo's
     * validating webhook (422) or RBAC (403) would refuse it.
     */
    final java.util.concurrent.atomic.AtomicReference<Integer> refuseRouteTables =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Every request the server answered, as {@code METHOD path?query}, in order. */
    final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Caches caches;

    MockCluster() {
        server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()) {
                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse handleUpdate(
                            io.fabric8.mockwebserver.http.RecordedRequest request) {
                        String path = request.getPath();
                        if (armedConflict(request)) {
                            return conflict();
                        }
                        Integer refusal = refuseRouteTables.get();
                        if (refusal != null && path != null && path.contains("/routetables/")) {
                            return new io.fabric8.mockwebserver.http.MockResponse()
                                    .setResponseCode(refusal)
                                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                            + "\"code\":" + refusal + ",\"message\":\"admission webhook"
                                            + " \\\"validation.gloo.solo.io\\\" denied the request: weights do not"
                                            + " add up\"}");
                        }
                        if (staleStatus(request)) {
                            return conflict();
                        }
                        return super.handleUpdate(request);
                    }

                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse handlePatch(
                            io.fabric8.mockwebserver.http.RecordedRequest request) {
                        return armedConflict(request) || staleStatus(request) ? conflict() : super.handlePatch(request);
                    }

                    private boolean armedConflict(io.fabric8.mockwebserver.http.RecordedRequest request) {
                        String armed = conflictOnce.get();
                        return request.getPath() != null
                                && request.getPath().equals(armed)
                                && conflictOnce.compareAndSet(armed, null);
                    }

                    private boolean staleStatus(io.fabric8.mockwebserver.http.RecordedRequest request) {
                        return StatusFence.stale(
                                request.getMethod(),
                                request.getPath(),
                                request.getBody().getBytes(),
                                object -> {
                                    var stored = handleGet(object);
                                    return stored.code() != 200
                                            ? null
                                            : client.getKubernetesSerialization()
                                                    .unmarshal(
                                                            stored.getBody().readUtf8(),
                                                            io.fabric8.kubernetes.api.model.GenericKubernetesResource
                                                                    .class)
                                                    .getMetadata()
                                                    .getResourceVersion();
                                });
                    }

                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse dispatch(
                            io.fabric8.mockwebserver.http.RecordedRequest request) {
                        requests.add(request.getMethod() + " " + request.getPath());
                        return super.dispatch(request);
                    }
                },
                false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // As Main builds it: the analyzer's tolerant serialization (an undecodable Canary does not fail a list).
        client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(server.createClient().getConfiguration())
                .withKubernetesSerialization(io.sluice.analyzer.kube.TolerantSerialization.create())
                .build();
        io.sluice.analyzer.kube.Kube.register(client);
        crd("manifests/crds/canaries.flagger.app.yaml");
        crd("manifests/test-crds/routetables.networking.gloo.solo.io.yaml");
    }

    private void crd(String file) {
        try (InputStream in = new FileInputStream(ROOT.resolve(file).toFile())) {
            client.apiextensions().v1().customResourceDefinitions().load(in).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T example(String file, Class<T> type) {
        try (InputStream in = new FileInputStream(
                ROOT.resolve("manifests/examples/podinfo").resolve(file).toFile())) {
            return client.getKubernetesSerialization().unmarshal(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed: podinfo Deployment, the parent RouteTable and the Canary. */
    MockCluster seed() {
        client.apps()
                .deployments()
                .inNamespace("test")
                .resource(podinfo("6.0.0"))
                .create();
        client.resources(RouteTable.class)
                .inNamespace("test")
                .resource(example("routetable.yaml", RouteTable.class))
                .create();
        client.resources(Canary.class)
                .inNamespace("test")
                .resource(example("canary.yaml", Canary.class))
                .create();
        settle();
        return this;
    }

    static Deployment podinfo(String version) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("podinfo")
                .withNamespace("test")
                .addToLabels("app", "podinfo")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", "podinfo")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "podinfo")
                .endMetadata()
                .withNewSpec()
                .addToContainers(new ContainerBuilder()
                        .withName("podinfod")
                        .withImage("ghcr.io/stefanprodan/podinfo:" + version)
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

    /** {@code kubectl set image deployment/podinfo podinfod=…:<version>}. */
    void setImage(String version) {
        setImage("test", "podinfo", "ghcr.io/stefanprodan/podinfo:" + version);
    }

    /** {@code kubectl set image} on the first container of Deployment {@code ns/name}. */
    void setImage(String ns, String name, String image) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.apps().deployments().inNamespace(ns).withName(name).edit(d -> {
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
                    return d;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                // The analyzer scaled the Deployment in between; kubectl would retry the same way.
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** The podinfo container takes its environment from the ConfigMap {@code name}. */
    void useConfigMap(String name) {
        client.apps().deployments().inNamespace("test").withName("podinfo").edit(d -> {
            d.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .setEnvFrom(List.of(new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder()
                            .withNewConfigMapRef()
                            .withName(name)
                            .endConfigMapRef()
                            .build()));
            return d;
        });
    }

    /** Every Deployment's rollout finished: all replicas updated and available. */
    void settle() {
        for (Deployment d :
                client.apps().deployments().inNamespace("test").list().getItems()) {
            int n = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            Long gen = d.getMetadata().getGeneration();
            d.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(gen)
                    .withReplicas(n)
                    .withUpdatedReplicas(n)
                    .withAvailableReplicas(n)
                    .withReadyReplicas(n)
                    .build());
            client.apps().deployments().inNamespace("test").resource(d).updateStatus();
        }
    }

    /**
     * Plays the garbage collector (background cascade): deletes every object whose owner references all name uids
     * that no longer exist, until nothing more goes. Objects without owner references are never touched.
     */
    void collectGarbage() {
        for (boolean deleted = true; deleted; ) {
            List<io.fabric8.kubernetes.api.model.HasMetadata> all = new java.util.ArrayList<>();
            all.addAll(client.resources(Canary.class).inAnyNamespace().list().getItems());
            all.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
            all.addAll(client.services().inAnyNamespace().list().getItems());
            all.addAll(
                    client.resources(RouteTable.class).inAnyNamespace().list().getItems());
            all.addAll(client.configMaps().inAnyNamespace().list().getItems());
            all.addAll(client.secrets().inAnyNamespace().list().getItems());
            all.addAll(client.autoscaling()
                    .v2()
                    .horizontalPodAutoscalers()
                    .inAnyNamespace()
                    .list()
                    .getItems());
            java.util.Set<String> uids = new java.util.HashSet<>();
            all.forEach(o -> uids.add(o.getMetadata().getUid()));
            deleted = false;
            for (var o : all) {
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
     * Gloo Mesh's verdict on the delegate (the 2.3+ status shape): {@code APPROVED} for its current generation when
     * {@code current}, else for the generation before it (a write Gloo Mesh has not processed yet).
     */
    void glooStatus(boolean current) {
        var rts = client.genericKubernetesResources(RouteTable.API_VERSION, "RouteTable")
                .inNamespace("test");
        var live = rts.withName("podinfo-delegate").get();
        long gen = live.getMetadata().getGeneration() == null
                ? 1
                : live.getMetadata().getGeneration();
        live.setAdditionalProperty(
                "status",
                Map.of(
                        "common",
                        Map.of(
                                "State",
                                Map.of("observedGeneration", current ? gen : gen - 1, "approval", "ACCEPTED"))));
        rts.resource(live).updateStatus();
    }

    Canary canary() {
        return client.resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .get();
    }

    RouteTable delegate() {
        return client.resources(RouteTable.class)
                .inNamespace("test")
                .withName("podinfo-delegate")
                .get();
    }

    Deployment deployment(String name) {
        return client.apps().deployments().inNamespace("test").withName(name).get();
    }

    /** Weights of {@code weighted-route}, primary then canary. */
    List<Integer> weights() {
        RouteTable d = delegate();
        var dest = d.getSpec().http.stream()
                .filter(r -> "weighted-route".equals(r.name))
                .findFirst()
                .orElseThrow()
                .forwardTo
                .destinations;
        return List.of(dest.get(0).weight, dest.get(1).weight);
    }

    /** The requests answered since {@code from}, without the informers' watches. */
    List<String> requestsSince(int from) {
        return requests.subList(from, requests.size()).stream()
                .filter(r -> !r.contains("watch=true"))
                .toList();
    }

    List<Event> events() {
        return client.v1().events().inNamespace("test").list().getItems();
    }

    static Map<String, String> map(String k, String v) {
        return Map.of(k, v);
    }

    private static io.fabric8.mockwebserver.http.MockResponse conflict() {
        return new io.fabric8.mockwebserver.http.MockResponse()
                .setResponseCode(409)
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"reason\":\"Conflict\",\"code\":409,"
                        + "\"message\":\"the object has been modified\"}");
    }

    /** The analyzer's informer caches over this server, started on first use. */
    synchronized Caches caches() {
        if (caches == null) {
            caches = new Caches(client, null);
            try {
                caches.start().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("informers did not sync", e);
            }
        }
        return caches;
    }

    /**
     * Waits until every cache holds exactly the objects, at the resourceVersions, the server holds: what a reconcile
     * triggered by the last watch event would see. An informer a test stopped (to keep its cache stale) is left
     * out. Fails after a deadline.
     */
    void awaitCaches() {
        Caches c = caches();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!current(
                        c.canaries,
                        client.resources(Canary.class).inAnyNamespace().list().getItems())
                || !current(
                        c.deployments,
                        client.apps().deployments().inAnyNamespace().list().getItems())
                || !current(
                        c.services, client.services().inAnyNamespace().list().getItems())
                || !current(
                        c.routeTables,
                        client.resources(RouteTable.class)
                                .inAnyNamespace()
                                .list()
                                .getItems())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the informer caches did not catch up with the server in 10 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }

    private static boolean current(
            io.fabric8.kubernetes.client.informers.SharedIndexInformer<?> informer,
            List<? extends io.fabric8.kubernetes.api.model.HasMetadata> live) {
        if (!informer.isRunning()) {
            return true;
        }
        Map<String, String> want = new HashMap<>();
        live.forEach(o -> want.put(
                o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(),
                o.getMetadata().getResourceVersion()));
        Map<String, String> have = new HashMap<>();
        informer.getStore().list().forEach(o -> {
            var m = ((io.fabric8.kubernetes.api.model.HasMetadata) o).getMetadata();
            have.put(m.getNamespace() + "/" + m.getName(), m.getResourceVersion());
        });
        return want.equals(have);
    }

    @Override
    public void close() {
        if (caches != null) {
            caches.stop();
        }
        client.close();
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }
}
