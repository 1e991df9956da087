package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadsTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    static Deployment target() {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("podinfo")
                .withNamespace("test")
                .addToLabels("app", "podinfo")
                .addToLabels("kustomize.toolkit.fluxcd.io/name", "apps")
                .addToAnnotations("sluice.io/desired-replicas", "3")
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .addToMatchLabels("app", "podinfo")
                .addToMatchLabels("tier", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "podinfo")
                .addToLabels("tier", "web")
                .addToAnnotations("kustomize.toolkit.fluxcd.io/checksum", "x")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("podinfod")
                .withImage("podinfo:6.0.1")
                .addNewEnvFrom()
                .withNewConfigMapRef()
                .withName("podinfo-config")
                .endConfigMapRef()
                .endEnvFrom()
                .endContainer()
                .addNewVolume()
                .withName("certs")
                .withNewSecret()
                .withSecretName("podinfo-tls")
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    @Test
    void thePrimarySelectsOnlyItsOwnPodsAndUsesTheConfigCopies() {
        Canary canary = GlooRouterTest.canary();
        Deployment p = Workloads.primary(
                canary,
                target(),
                "app",
                "rev-1",
                Set.of("configmap/podinfo-config"),
                List.of(),
                List.of("app", "name"),
                JSON);
        assertThat(p.getMetadata().getName()).isEqualTo("podinfo-primary");
        assertThat(p.getSpec().getSelector().getMatchLabels())
                .containsExactlyEntriesOf(Map.of("app", "podinfo-primary"));
        assertThat(p.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app", "podinfo-primary")
                .containsEntry("tier", "web");
        assertThat(p.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("flagger-id")
                .doesNotContainKey("kustomize.toolkit.fluxcd.io/checksum");
        assertThat(p.getMetadata().getLabels())
                .as("no prefixes included: only the selector label")
                .containsExactlyEntriesOf(Map.of("app", "podinfo-primary"));
        assertThat(p.getMetadata().getAnnotations()).containsEntry(Workloads.PROMOTED_REVISION_ANNOTATION, "rev-1");
        assertThat(p.getSpec().getReplicas())
                .as("the owner's wish kept by admission")
                .isEqualTo(3);
        PodSpec pod = p.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()
                        .get(0)
                        .getEnvFrom()
                        .get(0)
                        .getConfigMapRef()
                        .getName())
                .isEqualTo("podinfo-config-primary");
        assertThat(pod.getVolumes().get(0).getSecret().getSecretName())
                .as("not tracked: unchanged")
                .isEqualTo("podinfo-tls");
        assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Canary");
            assertThat(o.getController()).isTrue();
            assertThat(o.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(target().getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnvFrom()
                        .get(0)
                        .getConfigMapRef()
                        .getName())
                .as("the target is not modified")
                .isEqualTo("podinfo-config");
    }

    static Stream<Arguments> selectors() {
        return Stream.of(
                Arguments.of(
                        "the first configured key present in matchLabels is the selector label",
                        List.of("name", "app"),
                        "app"),
                Arguments.of("no configured key present means no selector label", List.of("name"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectors")
    void selectorLabel(String name, List<String> keys, String expected) {
        assertThat(Workloads.selectorKey(target(), keys)).isEqualTo(expected);
    }

    @Test
    void aMissingSelectorLabelIsReportedInFlaggersWords() {
        assertThat(Workloads.selectorProblem("podinfo", "test", List.of("app", "name", "app.kubernetes.io/name")))
                .isEqualTo("deployment podinfo.test spec.selector.matchLabels must contain one of"
                        + " [app name app.kubernetes.io/name]");
    }

    @Test
    void aCustomLabelNeverOverridesTheSelectorLabelOfAService() {
        Canary canary = GlooRouterTest.canary();
        CanaryService.CustomMetadata meta = new CanaryService.CustomMetadata();
        meta.labels = Map.of("app", "custom", "expose", "true");
        Service desired = Workloads.service(canary, "podinfo-canary", "app", "podinfo", meta);
        assertThat(desired.getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of("app", "podinfo-canary", "expose", "true"));
        assertThat(desired.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("app", "podinfo"));
    }

    static io.fabric8.kubernetes.api.model.apps.Deployment withPorts() {
        return new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("podinfod")
                .addNewPort()
                .withName("http")
                .withContainerPort(9898)
                .endPort()
                .addNewPort()
                .withName("http-metrics")
                .withContainerPort(9797)
                .endPort()
                .addNewPort()
                .withContainerPort(9999)
                .endPort()
                .endContainer()
                .addNewContainer()
                .withName("istio-proxy")
                .addNewPort()
                .withName("http-envoy-prom")
                .withContainerPort(15090)
                .endPort()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    @Test
    void portDiscoveryAddsTheTargetsOtherContainerPortsAsFlaggerNamesThem() {
        Canary canary = GlooRouterTest.canary();
        assertThat(Workloads.discoveredPorts(canary, withPorts()))
                .as("off by default")
                .isEmpty();
        canary.getSpec().service.portDiscovery = true;
        canary.getSpec().service.port = 9898;
        canary.getSpec().service.targetPort = null;
        Map<String, Integer> ports = Workloads.discoveredPorts(canary, withPorts());
        assertThat(ports)
                .as("not the main port, not the sidecar's; unnamed ones tcp-<container>-<index>")
                .containsExactly(Map.entry("http-metrics", 9797), Map.entry("tcp-podinfod-2", 9999));

        Service desired = Workloads.service(canary, "podinfo-canary", "app", "podinfo", null, ports);
        assertThat(desired.getSpec().getPorts())
                .extracting(p -> p.getName() + "/" + p.getPort() + "/"
                        + p.getTargetPort().getIntVal() + "/" + p.getProtocol())
                .containsExactly("http/9898/9898/TCP", "http-metrics/9797/9797/TCP", "tcp-podinfod-2/9999/9999/TCP");

        canary.getSpec().service.targetPort = new io.fabric8.kubernetes.api.model.IntOrString("http-metrics");
        assertThat(Workloads.discoveredPorts(canary, withPorts()))
                .as("a named target port is the main one by name")
                .containsOnlyKeys("http", "tcp-podinfod-2");
    }

    @Test
    void aServiceSomeoneElseCreatedIsTakenOverWithoutTouchingItsMetadata() {
        Canary canary = GlooRouterTest.canary();
        CanaryService.CustomMetadata meta = new CanaryService.CustomMetadata();
        meta.labels = Map.of("expose", "true");
        Service desired = Workloads.service(canary, "podinfo", "app", "podinfo-primary", meta);
        Service live = new ServiceBuilder()
                .withNewMetadata()
                .withName("podinfo")
                .withNamespace("test")
                .addToLabels("team", "web")
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "podinfo")
                .addNewPort()
                .withName("http")
                .withPort(9898)
                .withNodePort(30080)
                .endPort()
                .endSpec()
                .build();
        Service merged = Workloads.merge(live, desired, canary);
        assertThat(merged.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("app", "podinfo-primary"));
        assertThat(merged.getMetadata().getLabels()).containsExactlyEntriesOf(Map.of("team", "web"));
        assertThat(merged.getSpec().getPorts().get(0).getNodePort())
                .as("node port kept")
                .isEqualTo(30080);
        assertThat(Workloads.merge(merged, desired, canary))
                .as("nothing left to change")
                .isNull();
    }

    @Test
    void configChecksumsFollowTheDataOnly() {
        ConfigMap a = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .endMetadata()
                .addToData("b", "2")
                .addToData("a", "1")
                .build();
        ConfigMap b = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .withResourceVersion("9")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "2")
                .build();
        ConfigMap c = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("c")
                .endMetadata()
                .addToData("a", "1")
                .addToData("b", "3")
                .build();
        assertThat(ConfigTracker.checksum(a))
                .hasSize(16)
                .isEqualTo(ConfigTracker.checksum(b))
                .isNotEqualTo(ConfigTracker.checksum(c));
        // Pinned, since a changed checksum would restart every run that tracks a config: the first 16 hex digits of
        // SHA-256 over the length-prefixed sorted entries, worked out apart (printf '1:a1:11:b1:2' | sha256sum).
        assertThat(ConfigTracker.checksum(a)).isEqualTo("4016e0316f40793b");
    }

    @Test
    void everyKindOfConfigReferenceIsFound() {
        Deployment d = target();
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        pod.getContainers()
                .get(0)
                .getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                        .withName("X")
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName("api-key")
                        .withKey("k")
                        .withOptional(true)
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build());
        pod.setInitContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("init")
                .addNewEnvFrom()
                .withNewConfigMapRef()
                .withName("init-config")
                .endConfigMapRef()
                .endEnvFrom()
                .build()));
        assertThat(ConfigTracker.scan(pod))
                .containsExactlyInAnyOrder(
                        new ConfigTracker.Ref("configmap", "podinfo-config", false),
                        new ConfigTracker.Ref("secret", "podinfo-tls", false),
                        new ConfigTracker.Ref("secret", "api-key", true),
                        new ConfigTracker.Ref("configmap", "init-config", false));
    }

    @Test
    void antiAffinityAndTopologySpreadCountThePrimarysOwnPods() {
        Deployment t = target();
        PodSpec pod = t.getSpec().getTemplate().getSpec();
        pod.setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder()
                .withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector()
                .addToMatchLabels("app", "podinfo")
                .endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("zone")
                .withNewLabelSelector()
                .addToMatchLabels("app", "podinfo")
                .endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity()
                .build());
        pod.setTopologySpreadConstraints(List.of(new io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey("zone")
                .withWhenUnsatisfiable("DoNotSchedule")
                .withNewLabelSelector()
                .addNewMatchExpression()
                .withKey("app")
                .withOperator("In")
                .withValues("podinfo", "other")
                .endMatchExpression()
                .endLabelSelector()
                .build()));
        Deployment p = Workloads.primary(
                GlooRouterTest.canary(), t, "app", "rev-1", Set.of(), List.of(), List.of("app"), JSON);
        PodSpec ps = p.getSpec().getTemplate().getSpec();
        assertThat(ps.getAffinity()
                        .getPodAntiAffinity()
                        .getRequiredDuringSchedulingIgnoredDuringExecution()
                        .get(0)
                        .getLabelSelector()
                        .getMatchLabels())
                .containsEntry("app", "podinfo-primary");
        assertThat(ps.getAffinity()
                        .getPodAffinity()
                        .getRequiredDuringSchedulingIgnoredDuringExecution()
                        .get(0)
                        .getLabelSelector()
                        .getMatchLabels())
                .as("affinity is left alone")
                .containsEntry("app", "podinfo");
        assertThat(ps.getTopologySpreadConstraints()
                        .get(0)
                        .getLabelSelector()
                        .getMatchExpressions()
                        .get(0)
                        .getValues())
                .containsExactly("podinfo-primary", "other");
    }

    @Test
    void facts_take_since_when_the_deployment_is_unavailable_from_its_available_condition() {
        Deployment d = new DeploymentBuilder(target())
                .withNewStatus()
                .addNewCondition()
                .withType("Available")
                .withStatus("False")
                .withReason("MinimumReplicasUnavailable")
                .withLastUpdateTime("2026-01-01T00:00:00Z")
                .withLastTransitionTime("2026-01-01T00:00:00Z")
                .endCondition()
                .addNewCondition()
                .withType("Progressing")
                .withStatus("True")
                .withReason("ReplicaSetUpdated")
                .endCondition()
                .endStatus()
                .build();
        assertThat(Workloads.facts(d, "r").unavailableSince())
                .isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(Workloads.facts(target(), "r").unavailableSince())
                .as("no condition, no time")
                .isNull();
        d.getStatus().getConditions().get(0).setStatus("True");
        assertThat(Workloads.facts(d, "r").unavailableSince()).as("available").isNull();
    }
}
