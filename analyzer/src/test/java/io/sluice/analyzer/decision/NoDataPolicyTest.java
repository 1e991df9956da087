package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.testing.Seed;
import io.sluice.model.flagger.Canary;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoDataPolicyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "without the annotation the global default applies         | none    | HOLD | HOLD",
                "the annotation hold overrides a global fail               | hold    | FAIL | HOLD",
                "the annotation fail overrides a global hold               | fail    | HOLD | FAIL",
                "the annotation is read case-insensitively                 | ' Hold' | FAIL | HOLD",
                "an annotation naming no policy falls back to the default  | pause   | FAIL | FAIL",
            })
    void resolvesThePolicy(String name, String annotation, NoDataPolicy global, NoDataPolicy expected) {
        assertThat(NoDataPolicy.resolve(annotation, global)).isEqualTo(expected);
    }

    @Test
    void saysWhatIsWrongWithABadAnnotation() {
        assertThat(NoDataPolicy.annotationProblem(null)).isEmpty();
        assertThat(NoDataPolicy.annotationProblem("pause"))
                .contains("annotation sluice.io/no-data-policy has the value "
                        + "\"pause\"; expected fail or hold, using the analyzer's default");
    }

    @ParameterizedTest(name = "under {0} a {1} outcome counts as a failed check: {2}")
    @CsvSource({
        "FAIL, PASS, false",
        "FAIL, FAIL, true",
        "FAIL, NO_DATA, true",
        "FAIL, ERROR, true",
        "HOLD, PASS, false",
        "HOLD, FAIL, true",
        "HOLD, NO_DATA, false",
        "HOLD, ERROR, false"
    })
    void decidesWhatCountsAsAFailedCheck(NoDataPolicy policy, Verdict verdict, boolean counts) {
        assertThat(policy.countsAsFailedCheck(new MetricOutcome("m", verdict, null, null)))
                .isEqualTo(counts);
    }

    @Test
    void theHoldDeadlineIsTheGlobalSettingElseTheProgressDeadline() {
        Canary canary = Seed.canary();
        assertThat(NoDataPolicy.holdDeadline(canary.getSpec(), null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(NoDataPolicy.holdDeadline(canary.getSpec(), Duration.ofMinutes(15)))
                .isEqualTo(Duration.ofMinutes(15));
        canary.getSpec().progressDeadlineSeconds = null;
        assertThat(NoDataPolicy.holdDeadline(canary.getSpec(), null)).isEqualTo(Duration.ofSeconds(600));
    }
}
