package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.gates.MetricOutcome.Verdict;
import io.sluice.model.flagger.Canary;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoDataPolicyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "without the annotation the global default applies         | none    | HOLD | HOLD",
        "the annotation hold overrides a global fail               | hold    | FAIL | HOLD",
        "the annotation fail overrides a global hold               | fail    | HOLD | FAIL",
        "the annotation is read case-insensitively                 | ' Hold' | FAIL | HOLD",
        "an annotation naming no policy falls back to the default  | pause   | FAIL | FAIL",
    })
    void resolvesThePolicy(String name, String annotation, NoDataPolicy global, NoDataPolicy expected) {
        Canary canary = Fixtures.podinfo();
        if (annotation != null) {
            canary.getMetadata().setAnnotations(Map.of("sluice.io/no-data-policy", annotation));
        }
        assertThat(NoDataPolicy.resolve(canary, global)).isEqualTo(expected);
    }

    @Test
    void saysWhatIsWrongWithABadAnnotation() {
        Canary canary = Fixtures.podinfo();
        assertThat(NoDataPolicy.annotationProblem(canary)).isEmpty();
        canary.getMetadata().setAnnotations(Map.of("sluice.io/no-data-policy", "pause"));
        assertThat(NoDataPolicy.annotationProblem(canary)).contains("annotation sluice.io/no-data-policy has the value "
                + "\"pause\"; expected fail or hold, using the analyzer's default");
    }

    @ParameterizedTest(name = "under {0} a {1} outcome counts as a failed check: {2}")
    @CsvSource({"FAIL, PASS, false", "FAIL, FAIL, true", "FAIL, NO_DATA, true", "FAIL, ERROR, true",
        "HOLD, PASS, false", "HOLD, FAIL, true", "HOLD, NO_DATA, false", "HOLD, ERROR, false"})
    void decidesWhatCountsAsAFailedCheck(NoDataPolicy policy, Verdict verdict, boolean counts) {
        assertThat(policy.countsAsFailedCheck(new MetricOutcome("m", verdict, null, null))).isEqualTo(counts);
    }

    @Test
    void theHoldDeadlineIsTheGlobalSettingElseTheProgressDeadline() {
        Canary canary = Fixtures.podinfo();
        assertThat(NoDataPolicy.holdDeadline(canary, null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(NoDataPolicy.holdDeadline(canary, Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
        canary.getSpec().progressDeadlineSeconds = null;
        assertThat(NoDataPolicy.holdDeadline(canary, null)).isEqualTo(Duration.ofSeconds(600));
    }
}
