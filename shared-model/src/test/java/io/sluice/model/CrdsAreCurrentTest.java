package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.Workspace;
import io.sluice.model.gloo.WorkspaceSettings;
import io.sluice.model.validation.AlertProviderValidator;
import io.sluice.model.validation.CanaryValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Keeps {@code manifests/crds/} in step with the model. The CRDs are generated from the model classes, then
 * given what the classes cannot say: the printer columns in Flagger's order, enums and ranges. Run with
 * {@code -Dsluice.crds.write=true} ({@code make crds}) to rewrite the files; without it ({@code make
 * verify-crds}, and every {@code make test}) a stale file fails the build.
 */
class CrdsAreCurrentTest {
    static final Path CRD_DIR = Path.of("..", "manifests", "crds");
    /** Gloo Mesh ships its own CRDs; these stand in for them in tests and the sandbox. */
    static final Path TEST_CRD_DIR = Path.of("..", "manifests", "test-crds");
    private static final String HEADER = "# Generated from the shared-model classes by `make crds`. Do not edit by hand.\n";
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .build();

    private static final List<Column> CANARY_COLUMNS = List.of(
            new Column("Status", ".status.phase", "string", 0),
            new Column("Weight", ".status.canaryWeight", "string", 0),
            new Column("Suspended", ".spec.suspend", "boolean", 1),
            new Column("FailedChecks", ".status.failedChecks", "string", 1),
            new Column("Interval", ".spec.analysis.interval", "string", 1),
            new Column("Mirror", ".spec.analysis.mirror", "boolean", 1),
            new Column("StepWeight", ".spec.analysis.stepWeight", "string", 1),
            new Column("StepWeights", ".spec.analysis.stepWeights", "string", 1),
            new Column("MaxWeight", ".spec.analysis.maxWeight", "string", 1),
            new Column("LastTransitionTime", ".status.lastTransitionTime", "string", 0));

    @TempDir
    Path generated;

    @Test
    void manifestsMatchTheModel() throws IOException {
        Map<String, String> expected = generate();
        boolean write = Boolean.getBoolean("sluice.crds.write");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path dir = e.getKey().contains(".flagger.app") ? CRD_DIR : TEST_CRD_DIR;
            Path file = dir.resolve(e.getKey());
            if (write) {
                Files.createDirectories(dir);
                Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            }
            assertThat(file).as("%s exists; run `make crds`", file).exists();
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as("%s is stale against the model classes; run `make crds` and commit the result", file)
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void canaryColumnsAreFlaggersInOrder() throws IOException {
        JsonNode crd = YAML.readTree(generate().get("canaries.flagger.app.yaml"));
        JsonNode columns = crd.at("/spec/versions/0/additionalPrinterColumns");
        assertThat(columns.valueStream().map(c -> c.get("name").asString()).toList()).containsExactly("Status", "Weight",
                "Suspended", "FailedChecks", "Interval", "Mirror", "StepWeight", "StepWeights", "MaxWeight",
                "LastTransitionTime");
        assertThat(columns.valueStream().filter(c -> c.path("priority").asInt(0) == 0)
                .map(c -> c.get("name").asString()).toList()).containsExactly("Status", "Weight", "LastTransitionTime");
        assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
        assertThat(crd.at("/spec/names/categories/0").asString()).isEqualTo("all");
    }

    @Test
    void schemaCarriesEnumsAndRanges() throws IOException {
        JsonNode spec = YAML.readTree(generate().get("canaries.flagger.app.yaml"))
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        assertThat(spec.at("/service/properties/port/minimum").asInt()).isEqualTo(1);
        assertThat(spec.at("/service/properties/port/maximum").asInt()).isEqualTo(65535);
        assertThat(spec.at("/analysis/properties/webhooks/items/properties/type/enum").valueStream()
                .map(JsonNode::asString).toList()).contains("pre-rollout", "confirm-traffic-increase");
        assertThat(spec.at("/analysis/properties/stepWeights/items/maximum").asInt()).isEqualTo(100);
        assertThat(spec.at("/canaryAnalysis/properties/stepWeight/maximum").asInt()).isEqualTo(100);
    }

    /** File name to the text it must have. */
    Map<String, String> generate() throws IOException {
        new CRDGenerator().inOutputDir(generated.toFile()).forCRDVersions("v1")
                .customResourceClasses(List.<Class<? extends HasMetadata>>of(
                        Canary.class, MetricTemplate.class, AlertProvider.class, RouteTable.class, Workspace.class,
                        WorkspaceSettings.class))
                .generate();
        Map<String, String> result = new LinkedHashMap<>();
        result.put("canaries.flagger.app.yaml", render(canary(read("canaries.flagger.app"))));
        result.put("metrictemplates.flagger.app.yaml", render(metricTemplate(read("metrictemplates.flagger.app"))));
        result.put("alertproviders.flagger.app.yaml", render(alertProvider(read("alertproviders.flagger.app"))));
        result.put("routetables.networking.gloo.solo.io.yaml", render(routeTable(read("routetables.networking.gloo.solo.io"))));
        result.put("workspaces.admin.gloo.solo.io.yaml", render(glooStatus(read("workspaces.admin.gloo.solo.io"))));
        result.put("workspacesettings.admin.gloo.solo.io.yaml",
                render(glooStatus(read("workspacesettings.admin.gloo.solo.io"))));
        return result;
    }

    private ObjectNode read(String name) throws IOException {
        return (ObjectNode) YAML.readTree(generated.resolve(name + "-v1.yml").toFile());
    }

    private static String render(ObjectNode crd) {
        return HEADER + YAML.writeValueAsString(crd);
    }

    private static ObjectNode canary(ObjectNode crd) {
        ObjectNode version = (ObjectNode) crd.at("/spec/versions/0");
        columns(version, CANARY_COLUMNS);
        ObjectNode spec = (ObjectNode) version.at("/schema/openAPIV3Schema/properties/spec/properties");
        range(spec, "progressDeadlineSeconds", 1, null);
        ObjectNode service = (ObjectNode) spec.at("/service/properties");
        range(service, "port", 1, 65535);
        for (String alias : List.of("analysis", "canaryAnalysis")) {
            ObjectNode analysis = (ObjectNode) spec.at("/" + alias + "/properties");
            range(analysis, "threshold", 1, null);
            range(analysis, "iterations", 1, null);
            for (String weight : List.of("stepWeight", "maxWeight")) {
                range(analysis, weight, 1, 100);
            }
            for (String percent : List.of("stepWeightPromotion", "mirrorWeight", "primaryReadyThreshold",
                    "canaryReadyThreshold")) {
                range(analysis, percent, 0, 100);
            }
            range((ObjectNode) analysis.at("/stepWeights"), "items", 1, 100);
            enumOf((ObjectNode) analysis.at("/webhooks/items/properties/type"), CanaryValidator.WEBHOOK_TYPES);
            enumOf((ObjectNode) analysis.at("/alerts/items/properties/severity"), CanaryValidator.ALERT_SEVERITIES);
            enumOf((ObjectNode) analysis.at("/sessionAffinity/properties/sameSite"), List.of("Strict", "Lax", "None"));
        }
        return crd;
    }

    private static ObjectNode metricTemplate(ObjectNode crd) {
        ObjectNode version = (ObjectNode) crd.at("/spec/versions/0");
        columns(version, List.of(new Column("Provider", ".spec.provider.type", "string", 0)));
        // Flagger's list, so existing templates apply; the validator says which of them Sluice can query.
        enumOf((ObjectNode) version.at("/schema/openAPIV3Schema/properties/spec/properties/provider/properties/type"),
                List.of("prometheus", "influxdb", "datadog", "externalmetrics", "stackdriver", "cloudwatch", "newrelic",
                        "graphite", "dynatrace", "keptn", "splunk"));
        return crd;
    }

    private static ObjectNode alertProvider(ObjectNode crd) {
        ObjectNode version = (ObjectNode) crd.at("/spec/versions/0");
        columns(version, List.of(new Column("Type", ".spec.type", "string", 0)));
        enumOf((ObjectNode) version.at("/schema/openAPIV3Schema/properties/spec/properties/type"),
                AlertProviderValidator.TYPES);
        return crd;
    }

    private static ObjectNode routeTable(ObjectNode crd) {
        glooStatus(crd);
        ObjectNode spec = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        // Newer Gloo versions add spec fields; a test API server must keep them, as Gloo's own CRDs do.
        spec.put("x-kubernetes-preserve-unknown-fields", true);
        ArrayNode rules = spec.putArray("x-kubernetes-validations");
        rules.addObject().put("rule", "has(self.hosts) || !has(self.virtualGateways)")
                .put("message", "a delegated RouteTable (no hosts) cannot set virtualGateways");
        rules.addObject().put("rule", "has(self.http) || has(self.tcp) || has(self.tls)")
                .put("message", "one of http, tcp or tls is required");
        return crd;
    }

    /** Gloo writes status in shapes that differ between versions: keep whatever it writes. */
    private static ObjectNode glooStatus(ObjectNode crd) {
        ObjectNode properties = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
        properties.putObject("status").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        return crd;
    }

    private static void columns(ObjectNode version, List<Column> columns) {
        ArrayNode array = version.putArray("additionalPrinterColumns");
        for (Column c : columns) {
            ObjectNode node = array.addObject();
            node.put("name", c.name()).put("type", c.type()).put("jsonPath", c.jsonPath());
            if (c.priority() > 0) {
                node.put("priority", c.priority());
            }
        }
        // The API server lists the columns in the order given; keep them after the schema for readability.
        JsonNode subresources = version.remove("subresources");
        version.set("subresources", subresources);
    }

    private static void range(ObjectNode properties, String field, Integer min, Integer max) {
        ObjectNode node = (ObjectNode) properties.get(field);
        if (min != null) {
            node.put("minimum", min);
        }
        if (max != null) {
            node.put("maximum", max);
        }
    }

    private static void enumOf(ObjectNode node, List<String> values) {
        ArrayNode array = node.putArray("enum");
        values.forEach(array::add);
    }

    record Column(String name, String jsonPath, String type, int priority) {
    }
}
