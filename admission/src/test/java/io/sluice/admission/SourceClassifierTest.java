package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class SourceClassifierTest {
    static final SourceClassifier DEFAULTS = SourceClassifier.withDefaults(
            Map.of("system:serviceaccount:gitops:flux-kustomize", "flux"), Map.of("pulumi-kubernetes", "other"));

    static JsonNode managers(String... managerAndTime) {
        StringBuilder json = new StringBuilder("{\"metadata\":{\"managedFields\":[");
        for (int i = 0; i < managerAndTime.length; i += 2) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"manager\":\"")
                    .append(managerAndTime[i])
                    .append("\",\"time\":\"")
                    .append(managerAndTime[i + 1])
                    .append("\"}");
        }
        return Fixtures.json(json.append("]}}").toString());
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "Flux's kustomize-controller is known by its service account",
                        "flux",
                        "system:serviceaccount:flux-system:kustomize-controller",
                        managers()),
                Arguments.of(
                        "Argo CD's controller is known by its service account",
                        "argocd",
                        "system:serviceaccount:argocd:argocd-application-controller",
                        managers()),
                Arguments.of(
                        "a renamed Flux service account is known once configured",
                        "flux",
                        "system:serviceaccount:gitops:flux-kustomize",
                        managers()),
                Arguments.of(
                        "kubectl set image is known by its field manager",
                        "kubectl",
                        "kubernetes-admin",
                        managers(
                                "kubectl-client-side-apply",
                                "2026-11-20T09:12:03Z",
                                "kubectl-set",
                                "2026-11-26T10:02:17Z")),
                Arguments.of(
                        "the newest manager wins over an older known one",
                        "helm",
                        "alice",
                        managers("kubectl-set", "2026-11-20T09:12:03Z", "helm", "2026-11-26T10:02:17Z")),
                Arguments.of(
                        "a known manager wins a tie with an unknown one",
                        "argocd",
                        "alice",
                        managers(
                                "kube-controller-manager",
                                "2026-11-26T10:02:17Z",
                                "argocd-controller",
                                "2026-11-26T10:02:17Z")),
                Arguments.of(
                        "an unknown newest manager is other",
                        "other",
                        "alice",
                        managers("kubectl-set", "2026-11-20T09:12:03Z", "my-operator", "2026-11-26T10:02:17Z")),
                Arguments.of("no managers and an unknown user is other", "other", "alice", managers()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void namesTheToolBehindAChange(String name, String expected, String user, JsonNode object) {
        assertThat(DEFAULTS.classify(user, object)).isEqualTo(expected);
    }
}
