package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.PromotedCondition;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ready, Reconciling and Stalled per phase, as Flux's kstatus and {@code kubectl wait} read them. */
class KstatusConditionsTest {
    static final String T0 = "2026-01-01T00:00:00Z";
    static final String T1 = "2026-01-01T00:01:00Z";

    static String status(List<CanaryCondition> conditions, String type) {
        CanaryCondition c = KstatusConditions.find(conditions, type);
        return c.status + "/" + c.reason;
    }

    @ParameterizedTest(name = "{0}: Ready {1}, Reconciling {2}, Stalled {3}")
    @CsvSource({
        "Initializing, False, True, False",
        "Initialized, True, False, False",
        "Waiting, False, True, False",
        "Progressing, False, True, False",
        "WaitingPromotion, False, True, False",
        "Promoting, False, True, False",
        "Finalising, False, True, False",
        "Succeeded, True, False, False",
        "Failed, False, False, True",
        "Terminating, False, True, False",
    })
    void perPhase(CanaryPhase phase, String ready, String reconciling, String stalled) {
        List<CanaryCondition> c = KstatusConditions.apply(null, phase, "Deployment", null, T0);
        assertThat(List.of(status(c, "Ready"), status(c, "Reconciling"), status(c, "Stalled")))
                .containsExactly(ready + "/" + phase, reconciling + "/" + phase, stalled + "/" + phase);
        assertThat(KstatusConditions.find(c, "Ready").message)
                .isEqualTo(PromotedCondition.messageFor(phase, "Deployment"));
    }

    @Test
    @DisplayName("a halted Canary is Stalled with the reason and the Warning's text, whatever its phase")
    void halted() {
        List<CanaryCondition> c = KstatusConditions.apply(
                null,
                CanaryPhase.Succeeded,
                "Deployment",
                new KstatusConditions.Halt("TargetNotFound", "podinfo.test not found"),
                T0);
        assertThat(List.of(status(c, "Ready"), status(c, "Reconciling"), status(c, "Stalled")))
                .containsExactly("False/TargetNotFound", "False/TargetNotFound", "True/TargetNotFound");
        assertThat(KstatusConditions.find(c, "Stalled").message).isEqualTo("podinfo.test not found");
    }

    @Test
    @DisplayName("unchanged conditions are left as they are; a flip moves the transition time, a new reason does not")
    void transitions() {
        List<CanaryCondition> progressing =
                KstatusConditions.apply(null, CanaryPhase.Progressing, "Deployment", null, T0);
        assertThat(KstatusConditions.apply(progressing, CanaryPhase.Progressing, "Deployment", null, T1))
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(progressing);
        List<CanaryCondition> promoting =
                KstatusConditions.apply(progressing, CanaryPhase.Promoting, "Deployment", null, T1);
        CanaryCondition reconciling = KstatusConditions.find(promoting, "Reconciling");
        assertThat(List.of(reconciling.reason, reconciling.lastTransitionTime, reconciling.lastUpdateTime))
                .containsExactly("Promoting", T0, T1);
        List<CanaryCondition> succeeded =
                KstatusConditions.apply(promoting, CanaryPhase.Succeeded, "Deployment", null, T1);
        assertThat(KstatusConditions.find(succeeded, "Ready").lastTransitionTime)
                .isEqualTo(T1);
        assertThat(succeeded).extracting(x -> x.type).containsExactly("Ready", "Reconciling", "Stalled");
    }

    @Test
    @DisplayName("through a run: Reconciling while it runs, Ready once promoted, Stalled after a rollback or on a"
            + " missing target; the status is not rewritten while nothing changes")
    void throughRuns() {
        World w = new World().initialized();
        assertThat(status(w.status.conditions, "Ready")).isEqualTo("True/Initialized");
        w.newRevision("rev-2").event();
        assertThat(status(w.status.conditions, "Reconciling")).isEqualTo("True/Progressing");
        assertThat(status(w.status.conditions, "Ready")).isEqualTo("False/Progressing");
        w.tickUntil(10, "Succeeded");
        assertThat(status(w.status.conditions, "Ready")).isEqualTo("True/Succeeded");
        assertThat(status(w.status.conditions, "Reconciling")).isEqualTo("False/Succeeded");
        List<CanaryCondition> before = w.status.conditions;
        w.tick();
        assertThat(w.status.conditions)
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyElementsOf(before);

        w.metrics = CanaryDeciderTest::failRate;
        w.newRevision("rev-3").event();
        w.tickUntil(10, "Failed");
        assertThat(status(w.status.conditions, "Stalled")).isEqualTo("True/Failed");
        assertThat(status(w.status.conditions, "Ready")).isEqualTo("False/Failed");

        w.target = null;
        w.tick();
        assertThat(status(w.status.conditions, "Stalled")).isEqualTo("True/TargetNotFound");
        assertThat(KstatusConditions.find(w.status.conditions, "Stalled").message)
                .isEqualTo("deployment podinfo.test get query error: deployments.apps \"podinfo\" not found");
    }

    @Test
    @DisplayName("an invalid spec is Stalled until it is fixed")
    void invalidSpec() {
        World w = new World().initialized();
        w.violations = List.of("spec.analysis.interval: not a duration");
        w.tick();
        assertThat(status(w.status.conditions, "Stalled")).isEqualTo("True/ValidationFailed");
        w.violations = List.of();
        w.tick();
        assertThat(status(w.status.conditions, "Stalled")).isEqualTo("False/Initialized");
        assertThat(status(w.status.conditions, "Ready")).isEqualTo("True/Initialized");
    }
}
