package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AlertsTest {

    @Test
    void flaggersAlertsKeepTheirTextsAndSeverities() {
        assertThat(Alerts.initialized("Deployment"))
                .isEqualTo(new Alerts.Alert("New Deployment detected, initialization completed.", Severity.INFO, true));
        assertThat(Alerts.thresholdReached(5))
                .isEqualTo(new Alerts.Alert("Failed checks threshold reached 5", Severity.ERROR, false));
        assertThat(Alerts.WAITING_FOR_APPROVAL.severity()).isEqualTo(Severity.WARN);
        assertThat(Alerts.NEW_REVISION.withMetadata()).isTrue();
    }

    @Test
    void theHoldDeadlineAlertIsAnErrorWithoutTheCanarysFields() {
        assertThat(Alerts.holdDeadlineExceeded(java.time.Duration.ofSeconds(60)))
                .isEqualTo(new Alerts.Alert("Rolling back: no metric data for 1m0s", Severity.ERROR, false));
    }

    static Stream<Arguments> holds() {
        return Stream.of(
                Arguments.of("seconds alone print as seconds", 30L, "Rolling back: no metric data for 30s"),
                Arguments.of(
                        "minutes keep their zero seconds as Go prints them",
                        600L,
                        "Rolling back: no metric data for 10m0s"),
                Arguments.of(
                        "hours keep their zero minutes and seconds", 3600L, "Rolling back: no metric data for 1h0m0s"),
                Arguments.of("mixed units print every part", 3725L, "Rolling back: no metric data for 1h2m5s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("holds")
    void holdDeadlineInGoDurationFormat(String name, long seconds, String expected) {
        assertThat(Alerts.holdDeadlineExceeded(java.time.Duration.ofSeconds(seconds))
                        .message())
                .isEqualTo(expected);
    }
}
