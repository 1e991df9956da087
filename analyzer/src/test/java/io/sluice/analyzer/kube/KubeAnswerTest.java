package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KubeAnswerTest {
    private static Kube.Answer scan(String body) throws Exception {
        return Kube.scan(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_top_level_resource_version_and_count_are_read_and_nested_ones_ignored() throws Exception {
        Kube.Answer a = scan("{\"kind\":\"Event\",\"involvedObject\":{\"resourceVersion\":\"3\",\"count\":9},"
                + "\"metadata\":{\"name\":\"x\",\"labels\":{\"resourceVersion\":\"4\"},\"resourceVersion\":\"42\"},"
                + "\"count\":5}");
        assertThat(a.resourceVersion()).isEqualTo("42");
        assertThat(a.count()).isEqualTo(5);
    }

    @Test
    void an_answer_nested_as_deep_as_the_api_server_stores_is_scanned() throws Exception {
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        Kube.Answer a = scan("{\"spec\":{\"preserved\":" + deep + "},\"metadata\":{\"resourceVersion\":\"7\"}}");
        assertThat(a.resourceVersion()).isEqualTo("7");
        assertThat(a.count()).isNull();
    }

    @Test
    void an_answer_that_is_not_an_object_is_refused_by_name() {
        assertThatThrownBy(() -> scan("[1,2]"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessage("the API server answered a write with no object");
    }
}
