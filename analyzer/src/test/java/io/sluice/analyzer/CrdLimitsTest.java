package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Limits;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The installed Canary CRD bounds every list and string the analyzer iterates, so the API server refuses absurd specs. */
class CrdLimitsTest {

    static JSONSchemaProps at(String path) throws Exception {
        CustomResourceDefinition crd;
        try (InputStream in = new FileInputStream(
                Path.of("../manifests/crds/canaries.flagger.app.yaml").toFile())) {
            crd = new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        JSONSchemaProps p = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        for (String part : path.split("\\.")) {
            p = part.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(part);
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "spec.analysis.metrics, " + Limits.METRICS,
        "spec.analysis.webhooks, " + Limits.WEBHOOKS,
        "spec.analysis.alerts, " + Limits.ALERTS,
        "spec.analysis.stepWeights, " + Limits.STEP_WEIGHTS,
        "spec.analysis.match, " + Limits.MATCHES,
        "spec.canaryAnalysis.metrics, " + Limits.METRICS,
        "spec.service.match, " + Limits.MATCHES
    })
    void lists_have_max_items(String path, long max) throws Exception {
        assertThat(at(path).getMaxItems()).isEqualTo(max);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "spec.analysis.interval, " + Limits.SHORT,
        "spec.analysis.metrics.[].name, " + Limits.NAME,
        "spec.analysis.metrics.[].query, " + Limits.QUERY,
        "spec.analysis.webhooks.[].url, " + Limits.URL,
        "spec.analysis.webhooks.[].name, " + Limits.NAME,
        "spec.analysis.alerts.[].name, " + Limits.NAME
    })
    void strings_have_max_length(String path, long max) throws Exception {
        assertThat(at(path).getMaxLength()).isEqualTo(max);
    }
}
