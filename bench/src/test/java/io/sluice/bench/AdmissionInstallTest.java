package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionInstallTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    private static final String MANIFEST = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: admission
              namespace: delivery
            spec:
              template:
                spec:
                  containers:
                    - name: sidecar
                      image: other
                    - name: admission
                      image: admission
                      args:
                        - --port=9443
                        - --service-name=hook
                      env:
                        - name: POD_NAMESPACE
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.namespace
                        - name: JAVA_TOOL_OPTIONS
                          value: >-
                            -Xmx96m
                            -XX:+UseSerialGC
                      resources:
                        limits:
                          memory: 512Mi
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: admission
            """;

    @Test
    void theInstallIsTheAdmissionContainersArgsEnvironmentAndMemoryLimit() {
        AdmissionInstall install = AdmissionInstall.parse(MANIFEST);

        assertThat(install.args()).containsExactly("--port=9443", "--service-name=hook");
        assertThat(install.env())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("POD_NAMESPACE", "delivery", "JAVA_TOOL_OPTIONS", "-Xmx96m -XX:+UseSerialGC"));
        assertThat(install.memoryLimitBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(install.arg("--service-name")).isEqualTo("hook");
    }

    @Test
    void theCommandSizesTheJvmToTheLimitAndServesOnThisMachinesPortWithCertificateFiles() {
        AdmissionInstall install = AdmissionInstall.parse(MANIFEST);

        List<String> cmd = install.command("cp", 18443, Path.of("t.crt"), Path.of("t.key"), " -Xmx512m ");

        assertThat(cmd)
                .containsExactly(
                        "java",
                        "-XX:MaxRAM=536870912",
                        "-Xmx512m",
                        "-cp",
                        "cp",
                        "io.sluice.admission.Main",
                        "--service-name=hook",
                        "--port=18443",
                        "--bind-address=127.0.0.1",
                        "--tls-cert-file=t.crt",
                        "--tls-key-file=t.key");
        assertThat(install.environment(Path.of("kc")))
                .containsEntry("KUBECONFIG", "kc")
                .containsEntry("JAVA_TOOL_OPTIONS", "-Xmx96m -XX:+UseSerialGC");
    }

    @Test
    void theRepositorysManifestIsReadAsInstalled() {
        AdmissionInstall install = AdmissionInstall.fromRepo(REPO);

        assertThat(install.arg("--service-name")).isEqualTo("sluice-admission");
        assertThat(install.arg("--log-format")).isEqualTo("json");
        assertThat(install.env())
                .containsEntry("POD_NAMESPACE", "sluice-system")
                .containsEntry("MALLOC_ARENA_MAX", "2");
        assertThat(install.env().get("JAVA_TOOL_OPTIONS")).contains("-Xmx96m", "-XX:+ExitOnOutOfMemoryError");
        assertThat(install.memoryLimitBytes()).isEqualTo(336L * 1024 * 1024);
        assertThat(install.command("cp", 1, Path.of("c"), Path.of("k"), ""))
                .contains("-XX:MaxRAM=" + 336L * 1024 * 1024)
                .doesNotContain("--port=8443");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theChartInstallsWhatTheBenchmarkRuns() throws IOException {
        AdmissionInstall install = AdmissionInstall.fromRepo(REPO);
        Map<String, Object> values = new KubernetesSerialization()
                .unmarshal(Files.readString(REPO.resolve("charts/sluice/values.yaml")), Map.class);
        Map<String, Object> admission = (Map<String, Object>) values.get("admission");
        Map<String, Object> limits =
                (Map<String, Object>) ((Map<String, Object>) admission.get("resources")).get("limits");

        assertThat(((String) admission.get("javaToolOptions")).trim())
                .isEqualTo(install.env().get("JAVA_TOOL_OPTIONS"));
        assertThat(Quantity.getAmountInBytes(new Quantity((String) limits.get("memory"))))
                .isEqualByComparingTo(BigDecimal.valueOf(install.memoryLimitBytes()));
    }
}
