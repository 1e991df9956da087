package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.PromotedCondition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromotedConditionTest {

    @ParameterizedTest(name = "{0} reads {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Initializing|Unknown|New Deployment detected, starting initialization.",
                "Initialized|True|Deployment initialization completed.",
                "Waiting|Unknown|Waiting for approval.",
                "Progressing|Unknown|New revision detected, progressing canary analysis.",
                "WaitingPromotion|Unknown|Waiting for approval.",
                "Promoting|Unknown|Canary analysis completed, starting primary rolling update.",
                "Finalising|Unknown|Canary analysis completed, routing all traffic to primary.",
                "Succeeded|True|Canary analysis completed successfully, promotion finished.",
                "Failed|False|Canary analysis failed, Deployment scaled to zero.",
                "Terminating|Unknown|New Deployment detected, starting initialization."
            })
    void eachPhaseHasItsStatusAndMessage(CanaryPhase phase, String status, String message) {
        List<CanaryCondition> conditions = PromotedCondition.apply(null, phase, "Deployment", "2026-11-26T10:00:00Z");
        assertThat(conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("Promoted");
            assertThat(c.status).isEqualTo(status);
            assertThat(c.reason).isEqualTo(phase.name());
            assertThat(c.message).isEqualTo(message);
        });
    }

    @Test
    void theTransitionTimeIsKeptWhileTheStatusStaysTheSame() {
        List<CanaryCondition> progressing = PromotedCondition.apply(null, CanaryPhase.Progressing, "Deployment", "t1");
        List<CanaryCondition> promoting =
                PromotedCondition.apply(progressing, CanaryPhase.Promoting, "Deployment", "t2");
        CanaryCondition c = PromotedCondition.find(promoting);
        assertThat(c.reason).isEqualTo("Promoting");
        assertThat(c.lastUpdateTime).isEqualTo("t2");
        assertThat(c.lastTransitionTime).isEqualTo("t1");
    }

    @Test
    void theTransitionTimeMovesWhenTheStatusFlips() {
        List<CanaryCondition> finalising = PromotedCondition.apply(null, CanaryPhase.Finalising, "Deployment", "t1");
        CanaryCondition c =
                PromotedCondition.find(PromotedCondition.apply(finalising, CanaryPhase.Succeeded, "Deployment", "t2"));
        assertThat(c.status).isEqualTo("True");
        assertThat(c.lastTransitionTime).isEqualTo("t2");
    }

    @Test
    void theSamePhaseAgainChangesNothing() {
        List<CanaryCondition> once = PromotedCondition.apply(null, CanaryPhase.Progressing, "Deployment", "t1");
        List<CanaryCondition> twice = PromotedCondition.apply(once, CanaryPhase.Progressing, "Deployment", "t2");
        assertThat(PromotedCondition.find(twice)).isSameAs(PromotedCondition.find(once));
    }

    @Test
    void otherConditionTypesAreKept() {
        CanaryCondition other = new CanaryCondition();
        other.type = "InvalidSpec";
        other.status = "True";
        other.reason = "Invalid";
        List<CanaryCondition> result = PromotedCondition.apply(List.of(other), CanaryPhase.Failed, "Deployment", "t");
        assertThat(result).extracting(c -> c.type).containsExactly("InvalidSpec", "Promoted");
    }

    @Test
    void phasesParseByName() {
        assertThat(CanaryPhase.parse("WaitingPromotion")).isEqualTo(CanaryPhase.WaitingPromotion);
        assertThat(CanaryPhase.parse("")).isNull();
        assertThat(CanaryPhase.parse("Paused")).isNull();
        assertThat(CanaryPhase.Promoting.isRunning()).isTrue();
        assertThat(CanaryPhase.Waiting.isRunning()).isFalse();
    }
}
