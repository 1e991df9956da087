package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.Workspace;
import io.sluice.model.gloo.WorkspaceSettings;
import io.sluice.model.validation.CanaryValidator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class SeedManifestsTest {

    static Stream<Arguments> seedObjects() {
        return Stream.of(
                Arguments.of("workspace.yaml", Workspace.class),
                Arguments.of("workspacesettings.yaml", WorkspaceSettings.class),
                Arguments.of("routetable.yaml", RouteTable.class),
                Arguments.of("canary.yaml", Canary.class));
    }

    @ParameterizedTest(name = "{0} reads into the model and writes back unchanged")
    @MethodSource("seedObjects")
    void roundTripsWithoutLosingAField(String file, Class<? extends HasMetadata> type) {
        String yaml = Fixtures.text(Fixtures.EXAMPLES.resolve(file));
        HasMetadata object = Fixtures.example(file, type);

        assertThat(object).isInstanceOf(type);
        JsonNode original = Fixtures.SERIALIZATION.unmarshal(yaml, JsonNode.class);
        JsonNode written = Fixtures.SERIALIZATION.unmarshal(Fixtures.SERIALIZATION.asJson(object), JsonNode.class);
        // Numbers compare by value: 99 in YAML is a Double in the model and may come back as 99.0.
        assertThat(original.equals(SeedManifestsTest::sameValue, written))
                .as("%s round trip%n  read:    %s%n  written: %s", file, original, written)
                .isTrue();
    }

    private static int sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    }

    @Test
    void aListOfCanariesReadsWithItsOwnListKind() {
        String list =
                "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"CanaryList\",\"metadata\":{\"resourceVersion\":\"7\"},"
                        + "\"items\":[" + Fixtures.SERIALIZATION.asJson(Fixtures.example("canary.yaml", Canary.class))
                        + "]}";
        Object read = Fixtures.SERIALIZATION.unmarshal(list);
        assertThat(read).isInstanceOf(io.sluice.model.flagger.CanaryList.class);
        assertThat(((io.sluice.model.flagger.CanaryList) read).getItems())
                .singleElement()
                .isInstanceOf(Canary.class);
    }

    @Test
    void theSeedsCanaryIsValid() {
        assertThat(CanaryValidator.validate(Fixtures.example("canary.yaml", Canary.class)))
                .isEmpty();
    }

    @Test
    void theSeedsCanaryReadsAsWritten() {
        Canary canary = Fixtures.example("canary.yaml", Canary.class);
        assertThat(canary.getSpec().routeTableRef.name).isEqualTo("podinfo");
        assertThat(canary.getSpec().service.targetPort.getIntVal()).isEqualTo(9898);
        assertThat(canary.getSpec().service.apex.labels).containsEntry("expose", "true");
        assertThat(canary.getSpec().analysis.stepWeight).isEqualTo(30);
        assertThat(canary.getSpec().analysis.metrics.get(1).thresholdRange.max).isEqualTo(500.0);
        assertThat(canary.getSpec().analysis.webhooks.get(0).metadata).containsEntry("type", "bash");
        assertThat(canary.key()).isEqualTo("podinfo.test");
    }

    @Test
    void fieldsFromANewerVersionSurviveAReadAndWrite() {
        String newer = """
                {"apiVersion":"flagger.app/v1beta1","kind":"Canary","metadata":{"name":"podinfo","namespace":"test"},
                 "spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"podinfo"},
                   "futureTopLevel":{"x":1},
                   "service":{"port":9898,"futureServiceField":["a","b"]},
                   "analysis":{"interval":"1m","stepWeight":10,"futureAnalysis":true,
                     "webhooks":[{"name":"h","url":"http://h/","futureHookField":"v"}]}},
                 "status":{"phase":"Progressing","futureStatus":{"nested":{"deep":3}},
                   "admittedRevision":{"revision":"abc","futureAudit":"x"}}}""";
        Canary canary = Fixtures.SERIALIZATION.unmarshal(newer, Canary.class);
        canary.getStatus().canaryWeight = 10;

        JsonNode written = Fixtures.SERIALIZATION.unmarshal(Fixtures.SERIALIZATION.asJson(canary), JsonNode.class);

        assertThat(written.at("/spec/futureTopLevel/x").asInt()).isEqualTo(1);
        assertThat(written.at("/spec/service/futureServiceField/1").asString()).isEqualTo("b");
        assertThat(written.at("/spec/analysis/futureAnalysis").asBoolean()).isTrue();
        assertThat(written.at("/spec/analysis/webhooks/0/futureHookField").asString())
                .isEqualTo("v");
        assertThat(written.at("/status/futureStatus/nested/deep").asInt()).isEqualTo(3);
        assertThat(written.at("/status/admittedRevision/futureAudit").asString())
                .isEqualTo("x");
        assertThat(written.at("/status/canaryWeight").asInt()).isEqualTo(10);
    }

    @Test
    void aStatusWrittenByBothServicesKeepsTheirFields() {
        CanaryStatus status = new CanaryStatus();
        status.phase = "Progressing";
        status.admittedRevision = new CanaryStatus.AdmittedRevision();
        status.admittedRevision.revision = "06ca79376c63846a";
        status.admittedRevision.source = "kubectl";
        status.currentRun = new CanaryStatus.CurrentRun();
        status.currentRun.revision = "06ca79376c63846a";
        JsonNode json = Fixtures.SERIALIZATION.unmarshal(Fixtures.SERIALIZATION.asJson(status), JsonNode.class);
        assertThat(json.at("/admittedRevision/source").asString()).isEqualTo("kubectl");
        assertThat(json.at("/currentRun/revision").asString()).isEqualTo("06ca79376c63846a");
        assertThat(json.has("failedChecks")).as("unset fields are left out").isFalse();
    }
}
