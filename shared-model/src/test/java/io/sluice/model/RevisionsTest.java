package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionsTest {
    /** A pod template with the fields a real API server returns, unknown ones included. */
    static final String TEMPLATE = """
            {"metadata":{"creationTimestamp":null,"labels":{"app":"podinfo"},
              "annotations":{"prometheus.io/scrape":"true"}},
             "spec":{"containers":[{"name":"podinfod","image":"ghcr.io/stefanprodan/podinfo:6.0.0",
                "ports":[{"name":"http","containerPort":9898,"protocol":"TCP"}],
                "env":[{"name":"PODINFO_UI_COLOR","value":"#34577c"}],
                "resources":{"limits":{"cpu":"2000m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},
                "terminationMessagePath":"/dev/termination-log","imagePullPolicy":"IfNotPresent",
                "futureField":{"enabled":true}}],
              "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
              "securityContext":{},"schedulerName":"default-scheduler"}}""";

    @Test
    void goldenValuesMatchSha256OfTheCanonicalJson() {
        // Expected values computed outside Java: printf '%s' '<canonical json>' | sha256sum | cut -c1-16
        assertThat(Revisions.ofTemplate("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"}]}}"))
                .isEqualTo("c4c711d9b9ddb473");
        assertThat(Revisions.ofTemplate("""
                {"metadata":{"labels":{"app":"podinfo"},"annotations":{}},
                 "spec":{"containers":[{"name":"podinfod","image":"ghcr.io/stefanprodan/podinfo:6.0.0",
                   "ports":[{"containerPort":9898,"name":"http","protocol":"TCP"}],"env":[]}]}}"""))
                .isEqualTo("06ca79376c63846a");
        assertThat(Revisions.ofTemplate("{}")).isEqualTo("44136fa355b3678a");
    }

    @Test
    void canonicalJsonSortsKeysAndDropsEmptyValues() {
        assertThat(Revisions.canonicalJson(Fixtures.SERIALIZATION.unmarshal(
                "{\"b\":1,\"a\":{\"z\":null,\"y\":\"\",\"x\":[],\"w\":{}},\"c\":[{\"k\":\"v\"}],\"d\":false}",
                tools.jackson.databind.JsonNode.class)))
                .isEqualTo("{\"b\":1,\"c\":[{\"k\":\"v\"}],\"d\":false}");
    }

    @Test
    void keyOrderDoesNotMatter() {
        String reordered = """
                {"spec":{"schedulerName":"default-scheduler","securityContext":{},"dnsPolicy":"ClusterFirst",
                  "terminationGracePeriodSeconds":30,"restartPolicy":"Always",
                  "containers":[{"futureField":{"enabled":true},"imagePullPolicy":"IfNotPresent",
                    "terminationMessagePath":"/dev/termination-log",
                    "resources":{"requests":{"memory":"64Mi","cpu":"100m"},"limits":{"memory":"512Mi","cpu":"2000m"}},
                    "env":[{"value":"#34577c","name":"PODINFO_UI_COLOR"}],
                    "ports":[{"protocol":"TCP","containerPort":9898,"name":"http"}],
                    "image":"ghcr.io/stefanprodan/podinfo:6.0.0","name":"podinfod"}]},
                 "metadata":{"annotations":{"prometheus.io/scrape":"true"},"labels":{"app":"podinfo"}}}""";
        assertThat(Revisions.ofTemplate(reordered)).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void absentNullAndEmptyFieldsAreTheSame() {
        String withNulls = TEMPLATE.replace("\"restartPolicy\":\"Always\"",
                "\"restartPolicy\":\"Always\",\"nodeSelector\":null,\"volumes\":[],\"hostname\":\"\",\"affinity\":{}");
        assertThat(Revisions.ofTemplate(withNulls)).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void numbersAreComparedByValue() {
        assertThat(Revisions.ofTemplate(TEMPLATE.replace("\"terminationGracePeriodSeconds\":30",
                "\"terminationGracePeriodSeconds\":30.0"))).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void aRoundTripThroughTheFabric8ModelKeepsTheRevision() {
        String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"podinfo\"},"
                + "\"spec\":{\"template\":" + TEMPLATE.replace(",\n                \"futureField\":{\"enabled\":true}", "")
                + "}}";
        Deployment typed = Fixtures.SERIALIZATION.unmarshal(deployment, Deployment.class);
        String roundTripped = Fixtures.SERIALIZATION.asJson(typed);

        assertThat(roundTripped).isNotEqualTo(deployment);
        assertThat(Revisions.ofDeployment(roundTripped)).isEqualTo(Revisions.ofDeployment(deployment));
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("a new image", TEMPLATE.replace("podinfo:6.0.0", "podinfo:6.0.1")),
                Arguments.of("a changed env value", TEMPLATE.replace("#34577c", "#ff0000")),
                Arguments.of("a new pod annotation", TEMPLATE.replace("\"prometheus.io/scrape\":\"true\"",
                        "\"prometheus.io/scrape\":\"true\",\"restartedAt\":\"2026-11-26T10:00:00Z\"")),
                Arguments.of("a changed resource limit", TEMPLATE.replace("\"memory\":\"512Mi\"", "\"memory\":\"1Gi\"")),
                Arguments.of("a changed label", TEMPLATE.replace("\"app\":\"podinfo\"", "\"app\":\"podinfo-v2\"")),
                Arguments.of("a boolean turned off", TEMPLATE.replace("\"enabled\":true", "\"enabled\":false")));
    }

    @ParameterizedTest(name = "the revision changes with {0}")
    @MethodSource("changes")
    void theRevisionChanges(String change, String changed) {
        assertThat(Revisions.ofTemplate(changed)).isNotEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void theTemplateOfADeploymentIsWhatCounts() {
        String a = "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1,\"template\":"
                + TEMPLATE + "}}";
        String b = "{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":0,\"template\":"
                + TEMPLATE + "},\"status\":{\"replicas\":0}}";
        assertThat(Revisions.ofDeployment(a)).isEqualTo(Revisions.ofDeployment(b)).isEqualTo(Revisions.ofTemplate(TEMPLATE));
    }

    @Test
    void imagesAreListedByContainer() {
        assertThat(Revisions.images(Fixtures.SERIALIZATION.unmarshal(TEMPLATE, tools.jackson.databind.JsonNode.class)))
                .containsExactly(java.util.Map.entry("podinfod", "ghcr.io/stefanprodan/podinfo:6.0.0"));
    }

    @Test
    void malformedJsonIsAClearError() {
        assertThatThrownBy(() -> Revisions.ofTemplate("{\"spec\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pod template is not valid JSON");
    }
}
