package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.Kinds;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScaledObjectsTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    static {
        Kinds.RESOURCE_CLASSES.forEach(JSON::registerKubernetesResource);
    }

    static Canary canary() {
        return JSON.unmarshal("""
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: podinfo, namespace: test, uid: 0a1b}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledObject, name: podinfo-so}
                """, Canary.class);
    }

    /** The target's ScaledObject, as in Flagger's KEDA tutorial (two named triggers). */
    static GenericKubernetesResource target() {
        return JSON.unmarshal("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata:
                  name: podinfo-so
                  namespace: test
                  resourceVersion: "7"
                  labels: {team: web, kustomize.toolkit.fluxcd.io/name: apps}
                  annotations: {note: kept, autoscaling.keda.sh/paused-replicas: "0"}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo, envSourceContainerName: app}
                  pollingInterval: 10
                  cooldownPeriod: 20
                  initialCooldownPeriod: 30
                  minReplicaCount: 1
                  maxReplicaCount: 3
                  advanced:
                    horizontalPodAutoscalerConfig: {name: podinfo-hpa}
                  triggers:
                  - type: prometheus
                    name: rps
                    metadata:
                      serverAddress: http://prometheus.istio-system:9090
                      query: sum(rate(http_requests_total{app="podinfo-canary"}[2m]))
                      threshold: "3"
                  - type: prometheus
                    name: latency
                    metadata:
                      query: histogram_quantile(0.99, rate(latency_bucket{svc="podinfo"}[1m]))
                  - type: cpu
                    metricType: Utilization
                    metadata: {value: "60"}
                """, GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource so) {
        return (Map<String, Object>) so.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    static String query(GenericKubernetesResource so, int trigger) {
        var t = (Map<String, Object>) ((List<Object>) spec(so).get("triggers")).get(trigger);
        return (String) ((Map<String, Object>) t.get("metadata")).get("query");
    }

    @Test
    void thePrimaryScalesThePrimaryWithTheTargetsSettings() {
        GenericKubernetesResource p = ScaledObjects.primary(canary(), target(), JSON);

        assertThat(p.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        assertThat(p.getKind()).isEqualTo("ScaledObject");
        assertThat(p.getMetadata().getName()).isEqualTo("podinfo-so-primary");
        assertThat(p.getMetadata().getNamespace()).isEqualTo("test");
        assertThat(p.getMetadata().getResourceVersion()).isNull();
        assertThat(p.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Canary/podinfo"));
        assertThat(p.getMetadata().getLabels()).containsExactlyEntriesOf(Map.of("team", "web"));
        assertThat(p.getMetadata().getAnnotations())
                .as("the pause stays on the canary's ScaledObject")
                .containsExactlyEntriesOf(Map.of("note", "kept"));
        assertThat(spec(p).get("scaleTargetRef"))
                .isEqualTo(Map.of(
                        "name",
                        "podinfo-primary",
                        "kind",
                        "Deployment",
                        "apiVersion",
                        "apps/v1",
                        "envSourceContainerName",
                        "app"));
        assertThat(spec(p))
                .containsEntry("pollingInterval", 10)
                .containsEntry("cooldownPeriod", 20)
                .containsEntry("minReplicaCount", 1)
                .containsEntry("maxReplicaCount", 3)
                .containsEntry(
                        "advanced", Map.of("horizontalPodAutoscalerConfig", Map.of("name", "podinfo-hpa-primary")))
                .doesNotContainKey("initialCooldownPeriod");
        assertThat(query(p, 0)).isEqualTo("sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))");
        assertThat(query(p, 1))
                .isEqualTo("histogram_quantile(0.99, rate(latency_bucket{svc=\"podinfo-primary\"}[1m]))");
        assertThat(query(target(), 0))
                .as("the target's ScaledObject is not changed")
                .contains("podinfo-canary");
    }

    static Stream<Arguments> queries() {
        return Stream.of(
                Arguments.of(
                        "the target's name becomes the primary's",
                        "sum(rate(http_requests_total{app=\"podinfo\"}[2m]))",
                        "sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))"),
                Arguments.of(
                        "the canary's name becomes the primary's",
                        "sum(rate(http_requests_total{app=\"podinfo-canary\"}[2m]))",
                        "sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))"),
                Arguments.of(
                        "both names in one query become the primary's, once each",
                        "sum(rate(http_requests_total{app=\"podinfo-canary\", svc=\"podinfo\"}[2m]))",
                        "sum(rate(http_requests_total{app=\"podinfo-primary\", svc=\"podinfo-primary\"}[2m]))"),
                Arguments.of(
                        "a query about something else is left alone", "sum(up{job=\"api\"})", "sum(up{job=\"api\"})"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void queriesAreRewrittenForThePrimary(String name, String query, String expected) {
        assertThat(ScaledObjects.primaryQuery(query, "podinfo")).isEqualTo(expected);
    }

    @Test
    void primaryScalerQueriesReplaceTheNamedTriggersQueriesAndNothingElseIsRewritten() {
        Canary canary = canary();
        canary.getSpec().autoscalerRef.primaryScalerQueries = Map.of(
                "rps", "sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=\"test_podinfo-primary_80\"}[30s]))");

        GenericKubernetesResource p = ScaledObjects.primary(canary, target(), JSON);

        assertThat(query(p, 0))
                .isEqualTo("sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=\"test_podinfo-primary_80\"}[30s]))");
        assertThat(query(p, 1))
                .as("an unlisted trigger keeps its query, as in Flagger")
                .isEqualTo("histogram_quantile(0.99, rate(latency_bucket{svc=\"podinfo\"}[1m]))");
    }

    @Test
    void primaryScalerReplicasOverrideTheBounds() {
        Canary canary = canary();
        canary.getSpec().autoscalerRef.primaryScalerReplicas = new CanarySpec.ScalerReplicas();
        canary.getSpec().autoscalerRef.primaryScalerReplicas.minReplicas = 2;
        canary.getSpec().autoscalerRef.primaryScalerReplicas.maxReplicas = 15;

        GenericKubernetesResource p = ScaledObjects.primary(canary, target(), JSON);

        assertThat(spec(p)).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 15);
    }

    @Test
    void anUnnamedHpaIsLeftForKedaToName() {
        GenericKubernetesResource so = target();
        spec(so).put("advanced", Map.of("restoreToOriginalReplicaCount", true));

        assertThat(spec(ScaledObjects.primary(canary(), so, JSON)).get("advanced"))
                .isEqualTo(Map.of("restoreToOriginalReplicaCount", true));
    }

    @Test
    void anUpdateFollowsTheTargetsSpecAndIsNullWhenNothingChanged() {
        GenericKubernetesResource desired = ScaledObjects.primary(canary(), target(), JSON);
        GenericKubernetesResource live = JSON.unmarshal(JSON.asJson(desired), GenericKubernetesResource.class);
        live.getMetadata().setResourceVersion("12");
        live.getMetadata().setLabels(Map.of("team", "web", "other", "x"));

        assertThat(ScaledObjects.primaryUpdate(live, desired, List.of("team"), JSON))
                .isNull();

        GenericKubernetesResource changedTarget = target();
        spec(changedTarget).put("pollingInterval", 20);
        GenericKubernetesResource next = ScaledObjects.primaryUpdate(
                live, ScaledObjects.primary(canary(), changedTarget, JSON), List.of("team"), JSON);

        assertThat(next).isNotNull();
        assertThat(spec(next)).containsEntry("pollingInterval", 20);
        assertThat(next.getMetadata().getResourceVersion()).isEqualTo("12");
        assertThat(next.getMetadata().getLabels()).containsExactlyEntriesOf(Map.of("team", "web"));
    }

    @Test
    void pauseAndMinimumAreReadFromTheObject() {
        GenericKubernetesResource so = target();
        assertThat(ScaledObjects.paused(so)).isTrue();
        assertThat(ScaledObjects.minReplicaCount(so)).isEqualTo(1);

        so.getMetadata().setAnnotations(Map.of());
        spec(so).remove("minReplicaCount");
        assertThat(ScaledObjects.paused(so)).isFalse();
        assertThat(ScaledObjects.hasPause(so)).isFalse();
        assertThat(ScaledObjects.minReplicaCount(so)).as("KEDA's default").isZero();
    }
}
