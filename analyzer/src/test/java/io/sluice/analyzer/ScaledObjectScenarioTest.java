package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.ScaledObjects;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed's Canary with a KEDA ScaledObject as its autoscaler, tick by tick against the mock API server: the primary
 * gets its own ScaledObject, and the canary's is paused while the canary is at 0 replicas (spec §4.3).
 */
class ScaledObjectScenarioTest {
    static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh")
            .withVersion("v1alpha1")
            .withKind("ScaledObject")
            .withPlural("scaledobjects")
            .withNamespaced(true)
            .build();

    MockCluster cluster;
    Vertx vertx;
    WorkerExecutor pool;
    final TestGates gates = new TestGates();
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-17T08:09:51Z"));
    Reconciler reconciler;

    @BeforeEach
    void start() {
        cluster = new MockCluster().seed();
        vertx = Vertx.vertx();
        pool = vertx.createSharedWorkerExecutor(Controller.POOL, 4);
        reconciler = new Reconciler(
                new Kube(cluster.client, pool, () -> true),
                cluster.caches(),
                Settings.defaults(),
                gates,
                gates,
                gates,
                clock);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        await(vertx.close());
    }

    void reconcile(Duration after, boolean due) throws Exception {
        clock.advance(after);
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo", due));
        cluster.settle();
        cluster.collectGarbage();
    }

    void tick() throws Exception {
        reconcile(Duration.ofSeconds(20), true);
    }

    void watchEvent() throws Exception {
        reconcile(Duration.ofMillis(50), false);
    }

    String phase() {
        return cluster.canary().getStatus().phase;
    }

    GenericKubernetesResource scaledObject(String name) {
        return cluster.client
                .genericKubernetesResources(SCALED_OBJECTS)
                .inNamespace("test")
                .withName(name)
                .get();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource so) {
        return (Map<String, Object>) so.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    static String query(GenericKubernetesResource so) {
        var trigger = (Map<String, Object>) ((List<Object>) spec(so).get("triggers")).get(0);
        return (String) ((Map<String, Object>) trigger.get("metadata")).get("query");
    }

    static boolean paused(GenericKubernetesResource so) {
        var a = so.getMetadata().getAnnotations();
        return a != null && "0".equals(a.get(ScaledObjects.PAUSED_REPLICAS_ANNOTATION));
    }

    void createScaledObject() {
        GenericKubernetesResource so =
                cluster.client.getKubernetesSerialization().unmarshal("""
                        apiVersion: keda.sh/v1alpha1
                        kind: ScaledObject
                        metadata: {name: podinfo-so, namespace: test}
                        spec:
                          scaleTargetRef: {name: podinfo}
                          minReplicaCount: 3
                          maxReplicaCount: 6
                          triggers:
                          - type: prometheus
                            name: rps
                            metadata:
                              serverAddress: http://prometheus:9090
                              query: sum(rate(http_requests_total{app="podinfo-canary"}[2m]))
                              threshold: "5"
                        """, GenericKubernetesResource.class);
        cluster.client
                .genericKubernetesResources(SCALED_OBJECTS)
                .inNamespace("test")
                .resource(so)
                .create();
    }

    void useScaledObject(Map<String, String> primaryQueries) {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().autoscalerRef = new CanarySpec.AutoscalerReference();
                    c.getSpec().autoscalerRef.apiVersion = "keda.sh/v1alpha1";
                    c.getSpec().autoscalerRef.kind = "ScaledObject";
                    c.getSpec().autoscalerRef.name = "podinfo-so";
                    c.getSpec().autoscalerRef.primaryScalerQueries = primaryQueries;
                    return c;
                });
    }

    @Test
    @DisplayName(
            "the primary gets a ScaledObject with queries about it; the canary's is paused at 0, resumed for a run,"
                    + " and paused again once the run promoted")
    void primaryScaledObjectAndPause() throws Exception {
        createScaledObject();
        useScaledObject(null);

        tick();
        watchEvent();
        assertThat(phase()).isEqualTo("Initialized");
        GenericKubernetesResource primary = scaledObject("podinfo-so-primary");
        assertThat(spec(primary).get("scaleTargetRef")).isEqualTo(Map.of("name", "podinfo-primary"));
        assertThat(spec(primary)).containsEntry("minReplicaCount", 3).containsEntry("maxReplicaCount", 6);
        assertThat(query(primary)).isEqualTo("sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))");
        assertThat(primary.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
        assertThat(paused(primary)).isFalse();
        assertThat(paused(scaledObject("podinfo-so"))).isTrue();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();

        cluster.setImage("6.0.1");
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
        assertThat(scaledObject("podinfo-so").getMetadata().getAnnotations())
                .doesNotContainKey(ScaledObjects.PAUSED_REPLICAS_ANNOTATION);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("the ScaledObject's minReplicaCount")
                .isEqualTo(3);

        for (int i = 0; i < 12 && !"Succeeded".equals(phase()); i++) {
            tick();
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(paused(scaledObject("podinfo-so"))).isTrue();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        assertThat(paused(scaledObject("podinfo-so-primary"))).isFalse();
    }

    @Test
    @DisplayName("revertOnDeletion resumes the canary's ScaledObject before the target is scaled back to serve")
    void revertOnDeletionResumes() throws Exception {
        createScaledObject();
        useScaledObject(null);
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().revertOnDeletion = true;
                    return c;
                });
        tick();
        watchEvent();
        watchEvent();
        assertThat(paused(scaledObject("podinfo-so"))).isTrue();

        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .delete();
        for (int i = 0; i < 8 && cluster.canary() != null; i++) {
            watchEvent();
        }

        assertThat(cluster.canary()).isNull();
        assertThat(scaledObject("podinfo-so").getMetadata().getAnnotations())
                .doesNotContainKey(ScaledObjects.PAUSED_REPLICAS_ANNOTATION);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isPositive();
    }

    @Test
    @DisplayName("primaryScalerQueries give the primary's trigger its query")
    void primaryScalerQueries() throws Exception {
        createScaledObject();
        useScaledObject(Map.of("rps", "sum(rate(http_requests_total{app=\"web\"}[1m]))"));

        tick();
        watchEvent();

        assertThat(query(scaledObject("podinfo-so-primary")))
                .isEqualTo("sum(rate(http_requests_total{app=\"web\"}[1m]))");
    }

    @Test
    @DisplayName(
            "an autoscalerRef naming a missing ScaledObject halts the Canary with Flagger's Warning until it exists")
    void missingScaledObjectHalts() throws Exception {
        useScaledObject(null);
        tick();
        watchEvent();
        tick();
        assertThat(gates.events)
                .containsOnly("Warning Keda ScaledObject podinfo-so.test get query error:"
                        + " scaledobjects.keda.sh \"podinfo-so\" not found");
        assertThat(phase()).isIn(null, "Initializing");
        assertThat(cluster.deployment("podinfo-primary")).isNull();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);

        createScaledObject();
        tick();
        watchEvent();
        assertThat(phase()).isEqualTo("Initialized");
        assertThat(scaledObject("podinfo-so-primary")).isNotNull();
    }
}
