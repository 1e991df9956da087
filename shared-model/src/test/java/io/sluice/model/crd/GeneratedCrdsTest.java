package io.sluice.model.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The CRDs the build generates from the model (crd-generator-maven-plugin, then {@link PrinterColumnOrder}),
 * checked against facts written down independently of the generator: Flagger's CRD as the behaviour spec
 * (§1) describes it, the seed manifests, and ranges a Canary must keep. {@code make verify-crds} keeps
 * {@code manifests/crds} equal to these files.
 */
class GeneratedCrdsTest {
    private static final Path BUILD_OUTPUT = Path.of("target", "crds");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** Flagger's printer columns for Canary, in its order: name, JSON path, type, priority (spec §1.1). */
    private static final List<String> FLAGGER_CANARY_COLUMNS = List.of(
            "Status .status.phase string 0",
            "Weight .status.canaryWeight string 0",
            "Suspended .spec.suspend boolean 1",
            "FailedChecks .status.failedChecks string 1",
            "Interval .spec.analysis.interval string 1",
            "Mirror .spec.analysis.mirror boolean 1",
            "StepWeight .spec.analysis.stepWeight string 1",
            "StepWeights .spec.analysis.stepWeights string 1",
            "MaxWeight .spec.analysis.maxWeight string 1",
            "LastTransitionTime .status.lastTransitionTime string 0");

    static JsonNode crd(String name) {
        Path file = BUILD_OUTPUT.resolve(name + "-v1.yml");
        assertThat(file)
                .as("%s is written by the build (mvn process-test-classes in shared-model)", file)
                .exists();
        try {
            return YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode schema(String crdName) {
        return crd(crdName).at("/spec/versions/0/schema/openAPIV3Schema");
    }

    /** What the API server would reject or prune in a manifest, judged by the CRD's schema. */
    static List<String> violations(String crdName, JsonNode manifest) {
        JsonNode root = schema(crdName);
        ObjectNode content = ((ObjectNode) manifest).deepCopy();
        // apiVersion, kind and metadata are the API server's own; the CRD schema describes the rest.
        content.remove(List.of("apiVersion", "kind", "metadata"));
        return StructuralSchema.violations(root, content);
    }

    static JsonNode seed(String file) {
        return YAML.readTree(Fixtures.text(Fixtures.EXAMPLES.resolve(file)));
    }

    static List<String> columns(JsonNode crd) {
        return crd.at("/spec/versions/0/additionalPrinterColumns")
                .valueStream()
                .map(c -> c.get("name").asString() + " " + c.get("jsonPath").asString() + " "
                        + c.get("type").asString() + " " + c.path("priority").asInt(0))
                .toList();
    }

    @Test
    void canaryPrinterColumnsAreFlaggersInFlaggersOrder() {
        assertThat(columns(crd("canaries.flagger.app"))).containsExactlyElementsOf(FLAGGER_CANARY_COLUMNS);
    }

    @Test
    void kubectlGetCanaryShowsStatusWeightAndLastTransitionTime() {
        assertThat(columns(crd("canaries.flagger.app")).stream()
                        .filter(c -> c.endsWith(" 0"))
                        .map(c -> c.substring(0, c.indexOf(' '))))
                .containsExactly("Status", "Weight", "LastTransitionTime");
    }

    @Test
    void metricTemplateAndAlertProviderColumnsAreFlaggers() {
        assertThat(columns(crd("metrictemplates.flagger.app")))
                .containsExactly("Provider .spec.provider.type string 0");
        assertThat(columns(crd("alertproviders.flagger.app"))).containsExactly("Type .spec.type string 0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "canaries.flagger.app, Canary, canaries, canary, all",
        "metrictemplates.flagger.app, MetricTemplate, metrictemplates, metrictemplate, ''",
        "alertproviders.flagger.app, AlertProvider, alertproviders, alertprovider, ''"
    })
    void flaggerKindsAreNamespacedWithOneServedStoredVersionAndAStatusSubresource(
            String name, String kind, String plural, String singular, String category) {
        JsonNode crd = crd(name);
        assertThat(crd.at("/metadata/name").asString()).isEqualTo(name);
        assertThat(crd.at("/spec/group").asString()).isEqualTo("flagger.app");
        assertThat(crd.at("/spec/scope").asString()).isEqualTo("Namespaced");
        assertThat(crd.at("/spec/names/kind").asString()).isEqualTo(kind);
        assertThat(crd.at("/spec/names/plural").asString()).isEqualTo(plural);
        assertThat(crd.at("/spec/names/singular").asString()).isEqualTo(singular);
        assertThat(crd.at("/spec/names/categories")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .isEqualTo(category.isEmpty() ? List.of() : List.of(category));
        assertThat(crd.at("/spec/names/shortNames").isMissingNode())
                .as("Flagger's CRDs have no short names")
                .isTrue();
        JsonNode versions = crd.at("/spec/versions");
        assertThat(versions.size()).isOne();
        assertThat(versions.get(0).get("name").asString()).isEqualTo("v1beta1");
        assertThat(versions.get(0).get("served").asBoolean()).isTrue();
        assertThat(versions.get(0).get("storage").asBoolean()).isTrue();
        assertThat(versions.get(0).at("/subresources/status").isObject()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "canaries.flagger.app",
                "metrictemplates.flagger.app",
                "alertproviders.flagger.app",
                "routetables.networking.gloo.solo.io",
                "workspaces.admin.gloo.solo.io",
                "workspacesettings.admin.gloo.solo.io"
            })
    void schemasAreStructural(String name) {
        assertThat(StructuralSchema.untypedNodes(schema(name))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "canary.yaml, canaries.flagger.app",
        "routetable.yaml, routetables.networking.gloo.solo.io",
        "workspace.yaml, workspaces.admin.gloo.solo.io",
        "workspacesettings.yaml, workspacesettings.admin.gloo.solo.io"
    })
    void seedManifestsApplyWithNothingRejectedOrPruned(String file, String crdName) {
        assertThat(violations(crdName, seed(file))).isEmpty();
    }

    @Test
    void enumsAreFlaggers() {
        JsonNode analysis = schema("canaries.flagger.app").at("/properties/spec/properties/analysis/properties");
        assertThat(values(analysis.at("/webhooks/items/properties/type/enum")))
                .isEqualTo(Set.of(
                        "",
                        "confirm-rollout",
                        "pre-rollout",
                        "rollout",
                        "confirm-promotion",
                        "post-rollout",
                        "event",
                        "rollback",
                        "confirm-traffic-increase"));
        assertThat(values(analysis.at("/alerts/items/properties/severity/enum")))
                .isEqualTo(Set.of("", "info", "warn", "error"));
        assertThat(values(analysis.at("/sessionAffinity/properties/sameSite/enum")))
                .isEqualTo(Set.of("Strict", "Lax", "None"));
        assertThat(values(schema("metrictemplates.flagger.app")
                        .at("/properties/spec/properties/provider/properties/type/enum")))
                .isEqualTo(Set.of(
                        "prometheus",
                        "influxdb",
                        "datadog",
                        "externalmetrics",
                        "stackdriver",
                        "cloudwatch",
                        "newrelic",
                        "graphite",
                        "dynatrace",
                        "keptn",
                        "splunk"));
        assertThat(values(schema("alertproviders.flagger.app").at("/properties/spec/properties/type/enum")))
                .isEqualTo(Set.of("slack", "msteams", "discord", "rocket", "gchat"));
    }

    private static Set<String> values(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).collect(Collectors.toSet());
    }

    /** The seed Canary with one value replaced, e.g. {@code /spec/analysis/stepWeight} = -1. */
    private static JsonNode seedCanaryWith(String pointer, String json) {
        ObjectNode canary = (ObjectNode) seed("canary.yaml");
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = canary.at(pointer.substring(0, slash));
        ((ObjectNode) parent).set(pointer.substring(slash + 1), YAML.readTree(json));
        return canary;
    }

    @ParameterizedTest(name = "{0} = {1} is rejected")
    @CsvSource(
            delimiter = '|',
            value = {
                "/spec/progressDeadlineSeconds | 0",
                "/spec/service/port | 0",
                "/spec/service/port | 65536",
                "/spec/analysis/threshold | 0",
                "/spec/analysis/iterations | 0",
                "/spec/analysis/stepWeight | -1",
                "/spec/analysis/stepWeight | 101",
                "/spec/analysis/maxWeight | 0",
                "/spec/analysis/maxWeight | 101",
                "/spec/analysis/stepWeights | [10, 101]",
                "/spec/analysis/stepWeights | [0, 50]",
                "/spec/analysis/stepWeightPromotion | -1",
                "/spec/analysis/mirrorWeight | 101",
                "/spec/analysis/primaryReadyThreshold | -1",
                "/spec/analysis/canaryReadyThreshold | 101",
                "/spec/analysis/stepWeight | \"30\"",
                "/spec/analysis/alerts | [{name: a, severity: critical, providerRef: {name: slack}}]",
                "/spec/analysis/webhooks | [{name: w, type: post-promotion, url: 'http://x/'}]",
                "/spec/analysis/webhooks | [{name: w, type: rollout}]",
                "/spec/analysis/sessionAffinity | {cookieName: c, sameSite: strict}",
                "/spec/targetRef | {kind: Deployment, name: podinfo}",
                "/spec/canaryAnalysis | {interval: 1m, threshold: 1, stepWeight: 200}"
            })
    void outOfRangeValuesAreRejectedByTheSchema(String pointer, String json) {
        assertThat(violations("canaries.flagger.app", seedCanaryWith(pointer, json)))
                .isNotEmpty();
    }

    @ParameterizedTest(name = "{0} = {1} is accepted")
    @CsvSource(
            delimiter = '|',
            value = {
                "/spec/service/port | 1",
                "/spec/service/port | 65535",
                "/spec/service/targetPort | http",
                "/spec/analysis/stepWeight | 100",
                "/spec/analysis/stepWeights | [1, 100]",
                "/spec/analysis/stepWeightPromotion | 0",
                "/spec/analysis/mirrorWeight | 0",
                "/spec/analysis/alerts | [{name: a, severity: '', providerRef: {name: slack}}]",
                "/spec/analysis/webhooks | [{name: w, type: '', url: 'http://x/'}]",
                "/spec/analysis/sessionAffinity | {cookieName: c, sameSite: Strict, maxAge: 60}",
                // Flagger's CRD prunes every match field but headers, queryParams and sourceLabels; Sluice keeps what
                // Gloo Mesh matchers can express (design, quirks table).
                "/spec/analysis/match | [{headers: {x-canary: {exact: insider}}, uri: {prefix: /api}, method: {exact: GET}, "
                        + "queryParams: {beta: {regex: '^on$'}}, sourceLabels: {app: front}}]"
            })
    void valuesInRangeAreAccepted(String pointer, String json) {
        assertThat(violations("canaries.flagger.app", seedCanaryWith(pointer, json)))
                .isEmpty();
    }

    @Test
    void unknownCanaryFieldsArePruned() {
        assertThat(violations("canaries.flagger.app", seedCanaryWith("/spec/analysis/stepWeigth", "30")))
                .containsExactly(".spec.analysis.stepWeigth: unknown field (pruned by the API server)");
    }

    @Test
    void glooStatusesAndNewGlooSpecFieldsAreKeptAsWritten() {
        ObjectNode table = (ObjectNode) seed("routetable.yaml");
        ((ObjectNode) table.get("spec")).put("someFutureField", true);
        table.set("status", YAML.readTree("{common: {State: {approval: ACCEPTED}}, anything: {at: [1, two]}}"));
        assertThat(violations("routetables.networking.gloo.solo.io", table)).isEmpty();

        ObjectNode workspace = (ObjectNode) seed("workspace.yaml");
        workspace.set("status", YAML.readTree("{global: {state: ACCEPTED}, counts: 3}"));
        assertThat(violations("workspaces.admin.gloo.solo.io", workspace)).isEmpty();
    }

    @Test
    void routeTableCarriesItsTwoRules() {
        JsonNode rules = schema("routetables.networking.gloo.solo.io").at("/properties/spec/x-kubernetes-validations");
        assertThat(rules.valueStream().map(r -> r.get("rule").asString()))
                .containsExactlyInAnyOrder(
                        "has(self.hosts) || !has(self.virtualGateways)",
                        "has(self.http) || has(self.tcp) || has(self.tls)");
    }
}
