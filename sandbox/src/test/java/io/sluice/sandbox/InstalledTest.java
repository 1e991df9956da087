package io.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InstalledTest {

    static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: sluice-analyzer, namespace: sluice-system}
      spec:
        template:
          spec:
            serviceAccountName: sluice-analyzer
            containers:
              - name: analyzer
                args: ["--log-format=json", "--metrics-server=http://prometheus.istio-system:9090", "--port", "8080"]
                env:
                  - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                  - {name: POD_SERVICE_ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
                  - {name: JAVA_TOOL_OPTIONS, value: "-XX:MaxRAMPercentage=75"}
                resources: {limits: {memory: 512Mi}}
      """;

    @Test
    void readsTheContainersFlagsEnvironmentAndMemoryLimit() {
        Installed installed = Installed.of(Manifests.parse(DEPLOYMENT), "sluice-analyzer");
        assertThat(installed.env())
                .containsEntry("POD_NAMESPACE", "sluice-system")
                .containsEntry("POD_SERVICE_ACCOUNT", "sluice-analyzer")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75");
        assertThat(installed.memoryLimit()).isEqualTo(512L * 1024 * 1024);
    }

    @Test
    void theSandboxsAddressesReplaceTheSameFlagsInEitherForm() {
        Installed installed = Installed.of(Manifests.parse(DEPLOYMENT), "sluice-analyzer");
        assertThat(installed.withFlags(List.of("--metrics-server=http://127.0.0.1:9090", "--port=40000")))
                .containsExactly("--log-format=json", "--metrics-server=http://127.0.0.1:9090", "--port=40000");
    }
}
