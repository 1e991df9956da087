package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
    MockCluster cluster;
    Vertx vertx;
    Caches caches;
    ClusterView view;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster().seed();
        vertx = Vertx.vertx();
        RouteTable elsewhere = cluster.example("routetable.yaml", RouteTable.class);
        elsewhere.getMetadata().setNamespace("gloo");
        cluster.client
                .resources(RouteTable.class)
                .inNamespace("gloo")
                .resource(elsewhere)
                .create();
        cluster.client
                .apps()
                .deployments()
                .inNamespace("test")
                .withName("podinfo")
                .edit(d -> {
                    d.getMetadata()
                            .setManagedFields(List.of(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                                    .withManager("kubectl-client-side-apply")
                                    .withOperation("Update")
                                    .build()));
                    return d;
                });
        cluster.client
                .services()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName("plain")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "podinfo")
                        .endSpec()
                        .build())
                .create();
        caches = new Caches(cluster.client, "test");
        caches.start().get(30, TimeUnit.SECONDS);
        view = new ClusterView(
                caches, new Kube(cluster.client, vertx.createSharedWorkerExecutor(Controller.POOL, 2), () -> true));
    }

    @AfterEach
    void stop() throws Exception {
        caches.stop();
        cluster.close();
        await(vertx.close());
    }

    @Test
    @DisplayName("with --namespace, an object in the watched namespace comes from the cache, one elsewhere from a GET")
    void readsOutsideTheWatchedNamespaceGoToTheApiServer() throws Exception {
        int from = cluster.requests.size();
        assertThat(await(view.routeTable("test", "podinfo"))).isNotNull();
        assertThat(await(view.deployment("test", "podinfo"))).isNotNull();
        assertThat(cluster.requestsSince(from)).isEmpty();

        assertThat(await(view.routeTable("gloo", "podinfo"))).isNotNull();
        List<String> made = cluster.requestsSince(from);
        assertThat(made).containsExactly("GET /apis/networking.gloo.solo.io/v2/namespaces/gloo/routetables/podinfo");
    }

    /** A copy of {@code canary} at resourceVersion {@code rv}. */
    Canary version(Canary canary, String rv) {
        Canary copy = cluster.client.getKubernetesSerialization().clone(canary);
        copy.getMetadata().setResourceVersion(rv);
        return copy;
    }

    @Test
    @DisplayName("the Canary this process wrote is read until the cache shows it or a newer version")
    void ownWriteUntilTheCacheCatchesUp() throws Exception {
        Canary cached = caches.canary("test", "podinfo");
        long rv = Long.parseLong(cached.getMetadata().getResourceVersion());
        Canary written = version(cached, Long.toString(rv + 1));
        view.remember(written);
        assertThat(view.canary("test", "podinfo")).isSameAs(written);

        Canary newer = version(cached, Long.toString(rv + 2));
        view.remember(newer);
        view.remember(written);
        assertThat(view.canary("test", "podinfo"))
                .as("an older result never replaces a newer one")
                .isSameAs(newer);

        Canary other = version(cached, Long.toString(rv + 5));
        other.getMetadata().setUid("another-incarnation");
        assertThat(ClusterView.olderThan(cached, other))
                .as("a recreated Canary is not a newer version")
                .isFalse();
        assertThat(ClusterView.olderThan(cached, version(cached, "opaque-token")))
                .as("opaque versions: the cache wins")
                .isFalse();
    }

    @Test
    @DisplayName("once the cache shows the remembered version, or a newer one, the cache is read again")
    void theCacheWinsOnceItCatchesUp() throws Exception {
        Canary cached = caches.canary("test", "podinfo");
        long rv = Long.parseLong(cached.getMetadata().getResourceVersion());
        Canary same = version(cached, Long.toString(rv));
        view.remember(same);
        assertThat(view.canary("test", "podinfo")).isSameAs(cached).isNotSameAs(same);

        view.remember(version(cached, Long.toString(rv - 1)));
        assertThat(view.canary("test", "podinfo")).isSameAs(cached);

        Canary ahead = version(cached, Long.toString(rv + 1));
        view.remember(ahead);
        assertThat(view.canary("test", "podinfo")).isSameAs(ahead);
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getMetadata().setLabels(java.util.Map.of("touched", "yes"));
                    return c;
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Long.parseLong(caches.canary("test", "podinfo").getMetadata().getResourceVersion()) <= rv) {
            assertThat(System.nanoTime())
                    .as("the cache did not see the edit within 10 s")
                    .isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(view.canary("test", "podinfo"))
                .as("the cache caught up with a write of someone else")
                .isSameAs(caches.canary("test", "podinfo"))
                .isNotSameAs(ahead);
    }

    @Test
    @DisplayName("a Deployment's revision is hashed once per resourceVersion, and again when the object changes")
    void revisionsAreHashedOncePerResourceVersion() throws Exception {
        var raw = caches.deployment("test", "podinfo");
        var read = await(view.deploymentRead("test", "podinfo"));
        String first = read.revision();
        assertThat(first)
                .isEqualTo(io.sluice.model.Revisions.ofDeployment(
                        cluster.client.getKubernetesSerialization().asJson(raw)));
        assertThat(read.deployment())
                .as("the model object decoded straight from the text is the one a conversion of the tree gives")
                .isEqualTo(cluster.client
                        .getKubernetesSerialization()
                        .convertValue(raw, io.fabric8.kubernetes.api.model.apps.Deployment.class));
        assertThat(view.revision(raw.getMetadata(), () -> {
                    throw new AssertionError("the raw tree was decoded again for a version already hashed");
                }))
                .as("the same version: the kept revision, without decoding the tree")
                .isSameAs(first);
        assertThat(await(view.deploymentRead("test", "podinfo")).revision()).isSameAs(first);

        var changed = cluster.client.getKubernetesSerialization().clone(raw);
        changed.getMetadata().setResourceVersion(raw.getMetadata().getResourceVersion() + "1");
        @SuppressWarnings("unchecked")
        var template = (java.util.Map<String, Object>) ((java.util.Map<String, Object>)
                        changed.getAdditionalProperties().get("spec"))
                .get("template");
        ((java.util.Map<String, Object>) template.get("metadata")).put("annotations", java.util.Map.of("x", "y"));
        assertThat(view.revision(changed.getMetadata(), changed::getAdditionalProperties))
                .as("a new version is hashed again")
                .isNotEqualTo(first);
        assertThat(await(view.deploymentRead("test", "absent"))).isSameAs(ClusterView.DeploymentRead.NONE);

        assertThat(view.revisionsKept()).isEqualTo(1);
        cluster.client
                .apps()
                .deployments()
                .inNamespace("test")
                .withName("podinfo")
                .delete();
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (view.revisionsKept() > 0 && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(view.revisionsKept())
                .as("a deleted Deployment's revision is dropped")
                .isZero();
    }

    @Test
    @DisplayName("a Deployment this process created is read back, as a copy, until the cache shows an event of it")
    void createdDeploymentsAreReadUntilTheCacheShowsThem() throws Exception {
        var made = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata()
                .withNamespace("test")
                .withName("podinfo-primary")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .endSpec()
                .build();
        assertThat(await(view.deployment("test", "podinfo-primary"))).isNull();
        var answered = cluster.client.getKubernetesSerialization().clone(made);
        answered.getMetadata().setResourceVersion("1");
        assertThat(view.created(answered)).isSameAs(answered);
        var read = await(view.deployment("test", "podinfo-primary"));
        assertThat(read)
                .as("the cache has not shown it yet")
                .isEqualTo(answered)
                .isNotSameAs(answered);
        assertThat(await(view.deployment("test", "other-primary"))).isNull();

        cluster.client.apps().deployments().inNamespace("test").resource(made).create();
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (view.createdKept() > 0 && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(view.createdKept())
                .as("the watch event of the name ends the memory")
                .isZero();
        assertThat(caches.deployment("test", "podinfo-primary"))
                .as("now in the cache")
                .isNotNull();
        assertThat(await(view.deployment("test", "podinfo-primary"))).isNotNull();
    }

    @Test
    @DisplayName("the caches keep no managedFields: the analyzer never reads them")
    void cachedObjectsCarryNoManagedFields() throws Exception {
        assertThat(cluster.client
                        .apps()
                        .deployments()
                        .inNamespace("test")
                        .withName("podinfo")
                        .get()
                        .getMetadata()
                        .getManagedFields())
                .as("the server has them")
                .isNotEmpty();
        assertThat(caches.deployment("test", "podinfo").getMetadata().getManagedFields())
                .isNullOrEmpty();
        assertThat(await(view.deployment("test", "podinfo")).getMetadata().getManagedFields())
                .isNullOrEmpty();
    }

    @Test
    @DisplayName(
            "Deployments and Services are cached as text: each read is a copy, so changing one changes nothing cached")
    void deploymentsAndServicesAreReadAsCopies() throws Exception {
        var first = await(view.deployment("test", "podinfo"));
        first.getMetadata().getLabels().put("changed", "by a caller");
        var second = await(view.deployment("test", "podinfo"));
        assertThat(second).isNotSameAs(first);
        assertThat(second.getMetadata().getLabels()).doesNotContainKey("changed");
        assertThat(second.getMetadata().getResourceVersion())
                .isEqualTo(first.getMetadata().getResourceVersion());

        var service = await(view.service("test", "plain"));
        assertThat(service).isNotNull();
        service.getSpec().setSelector(java.util.Map.of("app", "other"));
        assertThat(await(view.service("test", "plain")).getSpec().getSelector()).containsEntry("app", "podinfo");
    }

    @Test
    @DisplayName("while the caches fill, the kinds still listing are named with what each holds so far")
    void theKindsStillListingAreNamed() throws Exception {
        assertThat(caches.listing()).isEqualTo("none");
        Caches fresh = new Caches(cluster.client, "test");
        assertThat(fresh.listing())
                .isEqualTo("Canaries (0 so far), Deployments (0 so far), Services (0 so far), RouteTables (0 so far),"
                        + " Namespaces (0 so far)");
    }

    /** Creates Deployment {@code test/name} like the seed's target, and waits until the cache knows it. */
    void deploymentNoCanaryTargets(String name) throws Exception {
        var d = MockCluster.podinfo("6.0.1");
        d.getMetadata().setName(name);
        d.getMetadata().setNamespace("test");
        cluster.client.apps().deployments().inNamespace("test").resource(d).create();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!caches.deployments.getStore().listKeys().contains("test/" + name) && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(caches.deployments.getStore().listKeys()).contains("test/" + name);
    }

    @Test
    @DisplayName(
            "a Deployment no Canary targets is known, not held; a later Canary's read fetches it once, then holds it")
    void untargetedDeploymentsAreKnownNotHeld() throws Exception {
        deploymentNoCanaryTargets("later");
        assertThat(caches.deploymentText("test", "later"))
                .as("no Canary targets it")
                .isNull();
        assertThat(caches.deploymentText("test", "podinfo"))
                .as("the seed's Canary targets it")
                .isNotNull();

        Canary c = cluster.canary();
        c.getMetadata().setName("later");
        c.getMetadata().setResourceVersion(null);
        c.getMetadata().setUid(null);
        c.setStatus(null);
        c.getSpec().targetRef.name = "later";
        cluster.client.resources(Canary.class).inNamespace("test").resource(c).create();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caches.targeting("test", "later").isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }

        int from = cluster.requests.size();
        ClusterView.DeploymentRead read = await(view.deploymentRead("test", "later"));
        assertThat(read.deployment().getMetadata().getName()).isEqualTo("later");
        assertThat(read.revision()).isNotNull();
        assertThat(cluster.requestsSince(from)).containsExactly("GET /apis/apps/v1/namespaces/test/deployments/later");
        assertThat(caches.deploymentText("test", "later"))
                .as("held from now on")
                .isNotNull();

        from = cluster.requests.size();
        assertThat(await(view.deploymentRead("test", "later")).revision()).isEqualTo(read.revision());
        assertThat(cluster.requestsSince(from)).as("read from the cache").isEmpty();

        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("later")
                .delete();
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!caches.targeting("test", "later").isEmpty() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(caches.sweep()).as("its Canary is gone").isEqualTo(1);
        assertThat(caches.deploymentText("test", "later")).isNull();
        assertThat(caches.deploymentText("test", "podinfo")).isNotNull();
    }

    @Test
    @DisplayName("a Deployment that does not exist is not fetched: the cache knows every Deployment")
    void anAbsentDeploymentIsNotFetched() throws Exception {
        int from = cluster.requests.size();
        assertThat(await(view.deploymentRead("test", "nothing"))).isEqualTo(ClusterView.DeploymentRead.NONE);
        assertThat(cluster.requestsSince(from)).isEmpty();
    }

    @Test
    @DisplayName("of the Services only a Canary's are held; another one is read once by name, then held")
    void servicesNoCanaryNeedsAreKnownNotHeld() throws Exception {
        for (String name : List.of("podinfo-canary", "podinfo-primary", "podinfo-canary-primary")) {
            cluster.client
                    .services()
                    .inNamespace("test")
                    .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withNewSpec()
                            .addToSelector("app", name)
                            .endSpec()
                            .build())
                    .create();
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caches.services.getStore().listKeys().size() < 4 && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(caches.services.getStore().listKeys()).hasSize(4);
        assertThat(caches.serviceText("test", "podinfo-canary")).isNotNull();
        assertThat(caches.serviceText("test", "podinfo-primary")).isNotNull();
        assertThat(caches.serviceText("test", "podinfo-canary-primary"))
                .as("no Canary's")
                .isNull();
        assertThat(caches.serviceText("test", "plain")).as("no Canary's").isNull();

        int from = cluster.requests.size();
        assertThat(await(view.service("test", "plain")).getSpec().getSelector()).containsEntry("app", "podinfo");
        assertThat(cluster.requestsSince(from)).containsExactly("GET /api/v1/namespaces/test/services/plain");
        from = cluster.requests.size();
        assertThat(await(view.service("test", "plain"))).isNotNull();
        assertThat(await(view.service("test", "podinfo-canary"))).isNotNull();
        assertThat(await(view.service("test", "nothing"))).isNull();
        assertThat(cluster.requestsSince(from)).as("from the cache").isEmpty();
        assertThat(caches.sweep()).as("plain: no Canary needs it").isEqualTo(1);
    }
}
