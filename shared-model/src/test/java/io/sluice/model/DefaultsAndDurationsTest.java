package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefaultsAndDurationsTest {

    @ParameterizedTest(name = "\"{0}\" is {1} ms")
    @CsvSource({
        "30s,30000",
        "1m,60000",
        "1m30s,90000",
        "1.5h,5400000",
        "500ms,500",
        "2h45m,9900000",
        "0,0",
        "-1m,-60000"
    })
    void goDurationsParse(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "\"{0}\" is not a duration")
    @CsvSource({"20", "1x", "m", "1..5s", "''", "1m 30s"})
    void malformedDurationsDoNotParse(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest(name = "interval \"{0}\" becomes {1}s")
    @CsvSource({"'',60", "junk,60", "20s,20", "5s,10", "2m,120"})
    void theIntervalDefaultsTo60sWithA10sFloor(String interval, long seconds) {
        CanaryAnalysis analysis = new CanaryAnalysis();
        analysis.interval = interval;
        assertThat(CanaryDefaults.interval(analysis)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void defaultsMatchFlagger() {
        CanaryAnalysis empty = new CanaryAnalysis();
        CanarySpec spec = new CanarySpec();
        assertThat(CanaryDefaults.threshold(empty)).isEqualTo(1);
        assertThat(CanaryDefaults.maxWeight(empty)).isEqualTo(100);
        assertThat(CanaryDefaults.progressDeadlineSeconds(spec)).isEqualTo(600);
        assertThat(CanaryDefaults.primaryReadyThreshold(empty)).isEqualTo(100);
        assertThat(CanaryDefaults.canaryReadyThreshold(empty)).isEqualTo(100);
        assertThat(CanaryDefaults.metricInterval(new CanaryAnalysis.Metric())).isEqualTo("1m");
        assertThat(CanaryDefaults.webhookTimeout(new CanaryAnalysis.Webhook())).isEqualTo(Duration.ofSeconds(10));
        assertThat(CanaryDefaults.webhookType(new CanaryAnalysis.Webhook())).isEqualTo("rollout");
        assertThat(CanaryDefaults.alertSeverity(new CanaryAnalysis.Alert())).isEqualTo("info");
    }

    @Test
    void stepWeightsSetTheMaxWeightCappedAt100() {
        CanaryAnalysis analysis = new CanaryAnalysis();
        analysis.maxWeight = 50;
        analysis.stepWeights = List.of(1, 2, 10, 80);
        assertThat(CanaryDefaults.maxWeight(analysis)).isEqualTo(80);
        analysis.stepWeights = List.of(1, 2, 10, 200);
        assertThat(CanaryDefaults.maxWeight(analysis)).isEqualTo(100);
    }

    @Test
    void theServiceNameFallsBackToTheTarget() {
        CanarySpec spec = new CanarySpec();
        spec.targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", "podinfo");
        assertThat(CanaryDefaults.serviceName(spec)).isEqualTo("podinfo");
        assertThat(CanaryDefaults.skipAnalysis(spec))
                .as("no analysis at all means skip")
                .isTrue();
    }
}
