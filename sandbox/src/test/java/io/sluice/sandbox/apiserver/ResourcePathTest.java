package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResourcePathTest {

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of(
                        "/apis/apps/v1/namespaces/test/deployments/podinfo/status",
                        new ResourcePath("apps", "v1", "test", "deployments", "podinfo", "status")),
                Arguments.of(
                        "/apis/flagger.app/v1beta1/namespaces/test/canaries",
                        new ResourcePath("flagger.app", "v1beta1", "test", "canaries", null, null)),
                Arguments.of("/api/v1/namespaces/test", new ResourcePath("", "v1", null, "namespaces", "test", null)),
                Arguments.of(
                        "/api/v1/namespaces/test/status",
                        new ResourcePath("", "v1", null, "namespaces", "test", "status")),
                Arguments.of("/api/v1/namespaces", new ResourcePath("", "v1", null, "namespaces", null, null)),
                Arguments.of(
                        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/sluice",
                        new ResourcePath(
                                "admissionregistration.k8s.io",
                                "v1",
                                null,
                                "mutatingwebhookconfigurations",
                                "sluice",
                                null)),
                Arguments.of("/api/v1/events", new ResourcePath("", "v1", null, "events", null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void parses(String path, ResourcePath expected) {
        assertThat(ResourcePath.parse(path)).contains(expected);
    }

    @org.junit.jupiter.api.Test
    void discoveryPathsAreNotResources() {
        assertThat(ResourcePath.parse("/apis/apps/v1")).isEqualTo(Optional.empty());
        assertThat(ResourcePath.parse("/version")).isEqualTo(Optional.empty());
    }
}
