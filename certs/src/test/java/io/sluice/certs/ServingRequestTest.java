package io.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingRequestTest {

    @Test
    void namesTheServiceThreeWaysThenTheExtrasWithoutDuplicates() {
        ServingRequest request = ServingRequest.of("webhook", "ns")
                .withExtraDnsNames(List.of("LocalHost", "webhook.ns.svc", "localhost"))
                .withIpAddresses(List.of("127.0.0.1"));

        assertThat(request.dnsNames()).containsExactly("webhook", "webhook.ns", "webhook.ns.svc", "localhost");
        assertThat(request.requiredNames())
                .containsExactlyInAnyOrder("webhook", "webhook.ns", "webhook.ns.svc", "localhost", "127.0.0.1");
        assertThat(request.serviceHostname()).isEqualTo("webhook.ns.svc");
    }

    @Test
    void rejectsNamesKubernetesWouldNotAccept() {
        assertThatThrownBy(() -> ServingRequest.of("Webhook", "ns"))
                .hasMessageContaining("service must be a lowercase RFC 1123 label");
        assertThatThrownBy(() -> ServingRequest.of("webhook", "ns.x"))
                .hasMessageContaining("namespace must be a lowercase RFC 1123 label");
        assertThatThrownBy(() -> ServingRequest.of("webhook", "ns").withExtraDnsNames(List.of("bad name")))
                .hasMessageContaining("not a DNS name: 'bad name'");
        assertThatThrownBy(() -> ServingRequest.of("webhook", "ns").withIpAddresses(List.of("localhost")))
                .hasMessageContaining("not an IPv4 or IPv6 address: 'localhost'");
        assertThatThrownBy(() -> ServingRequest.of("webhook", "ns").withValidity(Duration.ZERO))
                .hasMessageContaining("validity must be positive");
    }
}
