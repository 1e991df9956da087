package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Argo CD resource customizations: the chart's ConfigMap (behind a value) and the plain patch for clusters without
 * the chart hold the same keys, built from files/argocd/*.lua in the layout Argo CD reads. The Lua itself is run in
 * the cli module's ArgoCdLuaTest.
 */
class ArgoCdCustomizationsTest {
    private static final Path FILES = Rendered.CHART.resolve("files/argocd");
    private static final String HEALTH = "resource.customizations.health.flagger.app_Canary";
    private static final String ACTIONS = "resource.customizations.actions.flagger.app_Canary";
    private static final tools.jackson.dataformat.yaml.YAMLMapper YAML = new tools.jackson.dataformat.yaml.YAMLMapper();
    private static final List<String> ACTION_NAMES = List.of("promote", "abort", "retry", "pause", "resume");

    private static JsonNode rendered() {
        return Rendered.chart("sluice-system", Map.of("argocd.resourceCustomizations.enabled", true))
                .get("ConfigMap", "argocd-cm");
    }

    @Test
    void lintsWithoutErrorsOrWarnings(@TempDir Path copy) throws IOException {
        Path chart = Rendered.chartWithValues(Map.of("argocd.resourceCustomizations.enabled", true), copy);

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }

    @Test
    void offByDefault() {
        assertThat(Rendered.chart("sluice-system").find("ConfigMap", "argocd-cm"))
                .isEmpty();
    }

    @Test
    void rendersArgoCdsKeysInItsNamespaceWithItsLabel() throws IOException {
        JsonNode map = rendered();

        assertThat(map.path("metadata").path("namespace").asString()).isEqualTo("argocd");
        assertThat(map.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/part-of")
                        .asString())
                .isEqualTo("argocd");
        assertThat(map.path("data").path(HEALTH).asString()).isEqualTo(Files.readString(FILES.resolve("health.lua")));
        JsonNode actions = new tools.jackson.dataformat.yaml.YAMLMapper()
                .readTree(map.path("data").path(ACTIONS).asString());
        assertThat(actions.path("discovery.lua").asString())
                .isEqualTo(Files.readString(FILES.resolve("discovery.lua")));
        List<String> names = new ArrayList<>();
        for (JsonNode d : actions.path("definitions")) {
            String name = d.path("name").asString();
            names.add(name);
            assertThat(d.path("action.lua").asString())
                    .as(name)
                    .isEqualTo(
                            Files.readString(FILES.resolve("request.lua")).replace("\"ACTION\"", "\"" + name + "\""));
        }
        assertThat(names).containsExactlyElementsOf(ACTION_NAMES);
    }

    @Test
    void namespaceAndNameAreValues() {
        JsonNode map = Rendered.chart(
                        "sluice-system",
                        Map.of(
                                "argocd.resourceCustomizations.enabled",
                                true,
                                "argocd.namespace",
                                "gitops",
                                "argocd.resourceCustomizations.configMapName",
                                "sluice-argocd-cm"))
                .get("ConfigMap", "sluice-argocd-cm");

        assertThat(map.path("metadata").path("namespace").asString()).isEqualTo("gitops");
    }

    /**
     * files/argocd/argocd-cm-patch.yaml, for clusters without the chart, holds what the chart renders: the same keys,
     * the same health check, and the same actions once Argo CD reads their YAML (Helm's indent leaves blank lines
     * of spaces in the rendered string, which YAML ignores).
     */
    @Test
    void thePlainPatchIsWhatTheChartRenders() throws IOException {
        JsonNode patch = Rendered.yamlFile(FILES.resolve("argocd-cm-patch.yaml"));
        JsonNode chart = rendered().path("data");
        String stale = "files/argocd/argocd-cm-patch.yaml is stale against files/argocd/*.lua";

        assertThat(patch.propertyNames()).containsExactly("data");
        assertThat(patch.path("data").propertyNames()).containsExactlyInAnyOrderElementsOf(chart.propertyNames());
        assertThat(patch.path("data").path(HEALTH).asString())
                .as(stale)
                .isEqualTo(chart.path(HEALTH).asString());
        assertThat(YAML.readTree(patch.path("data").path(ACTIONS).asString()))
                .as(stale)
                .isEqualTo(YAML.readTree(chart.path(ACTIONS).asString()));
    }
}
