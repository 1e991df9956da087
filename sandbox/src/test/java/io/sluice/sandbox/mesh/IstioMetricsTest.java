package io.sluice.sandbox.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {

    @Test
    void countsAndBucketsRequestsPerResponseCode() {
        IstioMetrics m =
                new IstioMetrics(Map.of("destination_workload", "podinfo", "destination_workload_namespace", "test"));
        m.record("istio-ingressgateway", "istio-gateways", 200, 3.0);
        m.record("istio-ingressgateway", "istio-gateways", 200, 700.0);
        m.record("istio-ingressgateway", "istio-gateways", 500, 1.0);
        String text = m.scrape();
        assertThat(text)
                .containsPattern(
                        "istio_requests_total\\{[^}]*reporter=\"destination\"[^}]*response_code=\"200\"[^}]*} 2\n")
                .containsPattern("istio_requests_total\\{[^}]*response_code=\"500\"[^}]*} 1\n")
                .containsPattern(
                        "istio_request_duration_milliseconds_bucket\\{[^}]*response_code=\"200\"[^}]*le=\"5\"} 1\n")
                .containsPattern(
                        "istio_request_duration_milliseconds_bucket\\{[^}]*response_code=\"200\"[^}]*le=\"1000\"} 2\n")
                .containsPattern("istio_request_duration_milliseconds_count\\{[^}]*response_code=\"200\"[^}]*} 2\n");
    }

    @Test
    void podinfoVersionIsTheImageTag() {
        assertThat(Podinfo.tag("ghcr.io/stefanprodan/podinfo:6.0.1")).isEqualTo("6.0.1");
        assertThat(Podinfo.tag("localhost:5000/podinfo")).isEqualTo("latest");
        assertThat(Podinfo.tag("ghcr.io/stefanprodan/podinfo:6.0.2@sha256:abc")).isEqualTo("6.0.2");
    }
}
