package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {

    @Test
    void noProxyConfiguredMeansDirectConnections() {
        assertThat(ProxySettings.fromEnvironment(Map.of()).proxy()).isEmpty();
    }

    @Test
    void httpProxyAndNoProxyAreRead() {
        ProxySettings s = ProxySettings.fromEnvironment(Map.of(
                "HTTP_PROXY",
                "http://user:pw@proxy.internal:3128",
                "NO_PROXY",
                "127.0.0.1, localhost,.svc.cluster.local,prometheus:9090"));
        assertThat(s.proxy()).hasValueSatisfying(p -> {
            assertThat(p.getHost()).isEqualTo("proxy.internal");
            assertThat(p.getPort()).isEqualTo(3128);
            assertThat(p.getUsername()).isEqualTo("user");
            assertThat(p.getPassword()).isEqualTo("pw");
        });
        assertThat(s.nonProxyHosts())
                .containsExactly(
                        "127.0.0.1",
                        "localhost",
                        "*.localhost",
                        "svc.cluster.local",
                        "*.svc.cluster.local",
                        "prometheus",
                        "*.prometheus");
    }

    @Test
    void lowerCaseNamesWorkAndAPortDefaultsTo80() {
        ProxySettings s = ProxySettings.fromEnvironment(Map.of("http_proxy", "proxy.internal"));
        assertThat(s.proxy()).hasValueSatisfying(p -> assertThat(p.getPort()).isEqualTo(80));
    }

    @Test
    void aProxyWithoutAHostIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> ProxySettings.fromEnvironment(Map.of("HTTP_PROXY", "http://:secret@")))
                .hasMessageNotContaining("secret")
                .hasMessageContaining("HTTP_PROXY");
    }
}
