package io.sluice.chart;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@link Manifests} reads manifests/ exactly as kubectl kustomize renders it, so ManifestDriftTest compares the chart
 * with what {@code kubectl apply -k manifests} installs. */
class KustomizeIT {
    private static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    }

    @Test
    void plainReadingEqualsKubectlKustomize() throws Exception {
        require(
                Files.isExecutable(Path.of("/usr/bin/kubectl"))
                        || Files.isExecutable(Path.of("/usr/local/bin/kubectl")),
                "kubectl",
                "kubernetes-client");
        Process p = new ProcessBuilder("kubectl", "kustomize", Rendered.MANIFESTS.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();

        Rendered kustomize = new Rendered(Rendered.parse(out));
        Rendered plain = Manifests.render();

        assertThat(plain.all()).hasSameSizeAs(kustomize.all());
        for (JsonNode expected : kustomize.all()) {
            String kind = expected.path("kind").asString();
            String name = expected.path("metadata").path("name").asString();
            // kustomize writes 100.0 as 100: numbers are compared by value.
            assertThat(plain.get(kind, name).equals(KustomizeIT::compare, expected))
                    .as("%s %s as read from the files equals kubectl kustomize's", kind, name)
                    .isTrue();
        }
    }
}
