package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two install paths cannot drift: the chart with its defaults, in the manifests' namespace, renders the same
 * RBAC rules, webhook configurations, pod specs and images as {@code manifests/} (what {@code kubectl apply -k}
 * installs, read by {@link Manifests}).
 */
class ManifestDriftTest {
    private static Rendered manifests;
    private static Rendered chart;

    @BeforeAll
    static void render() throws IOException {
        manifests = Manifests.render();
        chart = Rendered.chart("sluice-system");
    }

    @Test
    void chartInstallsTheSameObjectsAsTheManifests() {
        // The chart installs CRDs from its crds/ folder (ChartRenderTest compares them) and into a namespace Helm is
        // given, so neither shows up among its templates.
        Set<String> fromManifests = keys(manifests, Set.of("Namespace", "CustomResourceDefinition"));
        Set<String> fromChart = keys(chart, Set.of());

        assertThat(fromChart).isEqualTo(fromManifests);
    }

    /** kustomize's images transformer turns each Deployment's image into the one the chart installs by default. */
    @ParameterizedTest
    @ValueSource(strings = {"sluice-analyzer", "sluice-admission"})
    void kustomizeInstallsTheImagesTheChartInstalls(String name) {
        String image = Rendered.container(manifests.get("Deployment", name))
                .path("image")
                .asString();

        assertThat(image)
                .isEqualTo(Rendered.container(chart.get("Deployment", name))
                        .path("image")
                        .asString())
                .endsWith(":" + System.getProperty("sluice.version"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ClusterRole", "Role"})
    void rbacRulesAreTheSame(String kind) {
        List<JsonNode> roles = manifests.ofKind(kind).toList();
        assertThat(roles).isNotEmpty();
        for (JsonNode role : roles) {
            String name = role.path("metadata").path("name").asString();
            assertThat(chart.get(kind, name).path("rules"))
                    .as("%s %s rules", kind, name)
                    .isEqualTo(role.path("rules"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ClusterRoleBinding", "RoleBinding"})
    void bindingsGrantTheSameRolesToTheSameAccounts(String kind) {
        for (JsonNode binding : manifests.ofKind(kind).toList()) {
            String name = binding.path("metadata").path("name").asString();
            JsonNode rendered = chart.get(kind, name);
            assertThat(rendered.path("roleRef")).as("%s %s roleRef", kind, name).isEqualTo(binding.path("roleRef"));
            assertThat(rendered.path("subjects"))
                    .as("%s %s subjects", kind, name)
                    .isEqualTo(binding.path("subjects"));
        }
    }

    /** Rules, operations, failurePolicy, sideEffects, timeouts, namespaceSelector, client config: all of it. */
    @ParameterizedTest
    @ValueSource(strings = {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"})
    void webhooksAreTheSame(String kind) {
        List<JsonNode> configs = manifests.ofKind(kind).toList();
        assertThat(configs).hasSize(1);
        JsonNode expected = configs.get(0);
        JsonNode rendered =
                chart.get(kind, expected.path("metadata").path("name").asString());

        assertThat(rendered.path("webhooks")).isEqualTo(expected.path("webhooks"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sluice-analyzer", "sluice-admission"})
    void podsRunWithTheSameSettings(String name) {
        JsonNode expected = manifests.get("Deployment", name);
        JsonNode rendered = chart.get("Deployment", name);

        assertThat(rendered.path("spec").path("replicas"))
                .isEqualTo(expected.path("spec").path("replicas"));
        assertThat(rendered.path("spec").path("strategy"))
                .isEqualTo(expected.path("spec").path("strategy"));
        assertThat(rendered.path("spec").path("selector"))
                .isEqualTo(expected.path("spec").path("selector"));
        JsonNode expectedPod = expected.path("spec").path("template");
        JsonNode renderedPod = rendered.path("spec").path("template");
        assertThat(renderedPod.path("metadata").path("annotations"))
                .isEqualTo(expectedPod.path("metadata").path("annotations"));
        for (String field : List.of("serviceAccountName", "securityContext", "topologySpreadConstraints", "volumes")) {
            assertThat(renderedPod.path("spec").path(field))
                    .as("%s pod %s", name, field)
                    .isEqualTo(expectedPod.path("spec").path(field));
        }
        JsonNode expectedContainer = Rendered.container(expected);
        JsonNode renderedContainer = Rendered.container(rendered);
        for (String field : List.of(
                "name",
                "ports",
                "startupProbe",
                "livenessProbe",
                "readinessProbe",
                "resources",
                "securityContext",
                "volumeMounts")) {
            assertThat(renderedContainer.path(field))
                    .as("%s container %s", name, field)
                    .isEqualTo(expectedContainer.path(field));
        }
        // The chart adds the log level and, with values set, notifier URLs; everything the manifests set is the same.
        for (JsonNode env : expectedContainer.path("env")) {
            assertThat(Rendered.env(rendered, env.path("name").asString()))
                    .as("%s env %s", name, env.path("name"))
                    .isEqualTo(env);
        }
        // The chart names what the services would default to (service, CA Secret, webhook configurations, the
        // analyzer's identity), so that another namespace or prefix stays consistent; the manifests' own args are
        // all there.
        assertThat(Rendered.args(rendered)).containsAll(Rendered.args(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Service", "PodDisruptionBudget"})
    void servicesAndDisruptionBudgetsAreTheSame(String kind) {
        for (JsonNode expected : manifests.ofKind(kind).toList()) {
            String name = expected.path("metadata").path("name").asString();
            assertThat(chart.get(kind, name).path("spec"))
                    .as("%s %s", kind, name)
                    .isEqualTo(expected.path("spec"));
        }
    }

    @Test
    void serviceAccountsAreTheSame() {
        for (JsonNode expected : manifests.ofKind("ServiceAccount").toList()) {
            String name = expected.path("metadata").path("name").asString();
            assertThat(withoutMetadata(chart.get("ServiceAccount", name))).isEqualTo(withoutMetadata(expected));
        }
    }

    private static JsonNode withoutMetadata(JsonNode object) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        copy.remove("metadata");
        return copy;
    }

    private static Set<String> keys(Rendered objects, Set<String> skippedKinds) {
        return objects.all().stream()
                .filter(o -> !skippedKinds.contains(o.path("kind").asString()))
                .map(o -> o.path("kind").asString() + " "
                        + o.path("metadata").path("name").asString())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
