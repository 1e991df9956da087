package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatesConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        GatesConfig config = GatesConfig.builder().build();
        assertThat(config.metricsServer()).isEqualTo("http://prometheus:9090");
        assertThat(config.meshProvider()).isEqualTo("gloo-mesh");
        assertThat(config.queryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.clusterLabel()).isEqualTo("destination_cluster");
        assertThat(config.eventWebhookTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.alertTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.backoffMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.backoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.slack().enabled()).isFalse();
    }

    @Test
    void refusesANonPositiveTimeoutNamingIt() {
        assertThatThrownBy(
                        () -> GatesConfig.builder().queryTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queryTimeout must be a positive duration, got PT0S");
    }

    @Test
    void readsTheMinimumRequests() {
        assertThat(GatesConfig.parseMinRequests(" request-success-rate=20, request-duration = 5 "))
                .isEqualTo(Map.of("request-success-rate", 20L, "request-duration", 5L));
        assertThat(GatesConfig.parseMinRequests("")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a custom metric has no guard             | error-rate=5           | --min-requests: \"error-rate=5\" is not <metric>=<requests> with metric request-success-rate or request-duration",
                "an entry without a number is refused     | request-duration       | --min-requests: \"request-duration\" is not <metric>=<requests> with metric request-success-rate or request-duration",
                "a negative number is refused             | request-duration=-1    | --min-requests: \"request-duration=-1\" needs a non-negative whole number of requests",
            })
    void refusesMalformedMinimumRequests(String name, String text, String message) {
        assertThatThrownBy(() -> GatesConfig.parseMinRequests(text)).hasMessage(message);
    }
}
