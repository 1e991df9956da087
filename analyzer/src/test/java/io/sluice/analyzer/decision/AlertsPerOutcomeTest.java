package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every terminal outcome and every stall sends its alert, exactly once where it happens once (spec §9, plus Sluice's
 * alerts for the stalls Flagger is silent about). Each row starts from an initialized Canary and lists every alert the
 * scenario sends, in order, as {@code SEVERITY [fields] text}.
 */
class AlertsPerOutcomeTest {
    private static final String NEW_REVISION = "INFO fields New revision detected, progressing canary analysis.";
    private static final String NO_DATA = "Halt advancement no values found for istio metric request-success-rate"
            + " probably podinfo.test is not receiving traffic: running query failed: no values found";

    static Arguments row(String name, Consumer<World> scenario, String... alerts) {
        return Arguments.of(name, scenario, List.of(alerts));
    }

    /** Adds a gate hook of {@code type} that refuses as the load tester's closed gate does. */
    static World refusing(World w, String type) {
        w.spec.analysis.webhooks.add(World.hook("gate", type));
        w.hooks = h -> new HookOutcome(h.name, !h.name.equals("gate"), 403, "Forbidden");
        return w;
    }

    /** The no-data policy {@code hold}; a run that reaches weight 30, after which the success rate has no data. */
    static void holdingAfterTheFirstStep(World w, Duration deadline) {
        w.noData = io.sluice.analyzer.decision.NoDataPolicy.HOLD;
        w.noDataDeadline = deadline;
        w.newRevision("rev-2").event();
        w.tick();
        w.metrics = AlertsPerOutcomeTest::noData;
    }

    static MetricOutcome noData(io.sluice.model.flagger.CanaryAnalysis.Metric m) {
        return new MetricOutcome(m.name, MetricOutcome.Verdict.NO_DATA, null, NO_DATA);
    }

    static Stream<Arguments> outcomes() {
        return Stream.of(
                row(
                        "a promotion that completes says so once",
                        w -> {
                            w.newRevision("rev-2").event();
                            w.tickUntil(8, "Succeeded");
                            w.tick();
                        },
                        NEW_REVISION,
                        "INFO Canary analysis completed successfully, promotion finished."),
                row(
                        "skipAnalysis says the analysis was skipped",
                        w -> {
                            w.spec.skipAnalysis = true;
                            w.newRevision("rev-2").event();
                            w.tickUntil(3, "Succeeded");
                        },
                        NEW_REVISION,
                        "INFO Canary analysis was skipped, promotion finished."),
                row(
                        "failed checks reaching the threshold roll back with an error",
                        w -> {
                            w.metrics = CanaryDeciderTest::failRate;
                            w.newRevision("rev-2").event();
                            w.tickUntil(10, "Failed");
                            w.tick();
                        },
                        NEW_REVISION,
                        "ERROR Failed checks threshold reached 5"),
                row(
                        "a failed pre-rollout check warns on every failing tick, then the threshold rollback errs",
                        w -> {
                            w.hooks = h ->
                                    new HookOutcome(h.name, !h.name.equals("acceptance-test"), 500, "exit status 1");
                            w.spec.analysis.threshold = 2;
                            w.newRevision("rev-2").event();
                            w.tickUntil(5, "Failed");
                        },
                        NEW_REVISION,
                        "WARN Pre-rollout check acceptance-test failed: exit status 1",
                        "WARN Pre-rollout check acceptance-test failed: exit status 1",
                        "ERROR Failed checks threshold reached 2"),
                row(
                        "a manual rollback hook warns",
                        w -> {
                            w.spec.analysis.webhooks.add(World.hook("stop", "rollback"));
                            w.newRevision("rev-2").event();
                            w.tickUntil(3, "Failed");
                        },
                        NEW_REVISION,
                        "WARN Rolling back manual webhook invoked"),
                row(
                        "a canary not ready past the progress deadline rolls back with an error",
                        w -> {
                            w.newRevision("rev-2").event();
                            w.target = new Workload("rev-2", 2, null, 3, 3, 2, 2, 0, false);
                            w.tickUntil(6, "Failed");
                        },
                        NEW_REVISION,
                        "ERROR Progress deadline exceeded no progress for 60s: canary deployment podinfo.test"
                                + " not ready: waiting for rollout to finish: 0 of 2 (readyThreshold 100%) updated replicas are"
                                + " available"),
                row(
                        "a canary Kubernetes gave up on rolls back with an error at once",
                        w -> {
                            w.newRevision("rev-2").event();
                            w.target = new Workload("rev-2", 2, null, 3, 3, 2, 2, 0, true);
                            w.tick();
                        },
                        NEW_REVISION,
                        "ERROR Progress deadline exceeded deployment \"podinfo\" exceeded its progress" + " deadline"),
                row(
                        "a primary that never becomes ready after promotion fails the promotion with an error",
                        w -> {
                            w.promotedPrimarySettles = false;
                            w.newRevision("rev-2").event();
                            w.tickUntil(12, "Failed");
                        },
                        NEW_REVISION,
                        "ERROR Promotion failed, primary not ready: no progress for 60s: podinfo-primary.test"
                                + " not ready: waiting for rollout to finish: observed deployment generation less than desired"
                                + " generation"),
                row(
                        "a refused confirm-rollout parks the run and warns once",
                        w -> {
                            refusing(w, "confirm-rollout").newRevision("rev-2").event();
                            w.tick();
                            w.tick();
                        },
                        "WARN Canary is waiting for approval."),
                row(
                        "a refused confirm-traffic-increase warns on every refused step",
                        w -> {
                            refusing(w, "confirm-traffic-increase")
                                    .newRevision("rev-2")
                                    .event();
                            w.tick();
                            w.tick();
                        },
                        NEW_REVISION,
                        "WARN Canary traffic increase is waiting for approval.",
                        "WARN Canary traffic increase is waiting for approval."),
                row(
                        "a refused confirm-promotion parks the run and warns once",
                        w -> {
                            refusing(w, "confirm-promotion")
                                    .newRevision("rev-2")
                                    .event();
                            w.tickUntil(6, "WaitingPromotion");
                            w.tick();
                        },
                        NEW_REVISION,
                        "WARN Canary promotion is waiting for approval."),
                row(
                        "a hold for missing data warns once when it begins, however many ticks it lasts",
                        w -> {
                            holdingAfterTheFirstStep(w, Duration.ofMinutes(10));
                            w.tick();
                            w.event();
                            w.tick();
                            w.tick();
                        },
                        NEW_REVISION,
                        "WARN Canary is holding its weight: " + NO_DATA),
                row(
                        "a second hold after data came back warns again",
                        w -> {
                            w.spec.analysis.maxWeight = 100;
                            w.spec.analysis.stepWeight = 10;
                            holdingAfterTheFirstStep(w, Duration.ofMinutes(10));
                            w.tick();
                            w.metrics = m -> new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
                            w.tick();
                            w.metrics = AlertsPerOutcomeTest::noData;
                            w.tick();
                        },
                        NEW_REVISION,
                        "WARN Canary is holding its weight: " + NO_DATA,
                        "WARN Canary is holding its weight: " + NO_DATA),
                row(
                        "a hold that outlasts its deadline rolls back with an error",
                        w -> {
                            holdingAfterTheFirstStep(w, Duration.ofSeconds(30));
                            w.tickUntil(4, "Failed");
                        },
                        NEW_REVISION,
                        "WARN Canary is holding its weight: " + NO_DATA,
                        "ERROR Rolling back: no metric data for 30s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void alerts(String name, Consumer<World> scenario, List<String> expected) {
        World w = new World().initialized();
        scenario.accept(w);
        assertThat(w.actions)
                .filteredOn(a -> a instanceof Action.SendAlert)
                .map(a -> {
                    Action.SendAlert s = (Action.SendAlert) a;
                    return s.severity() + (s.withMetadata() ? " fields " : " ") + s.message();
                })
                .containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void aHoldIsVisibleInTheStatusOnlyWhileItLasts(String name, Consumer<World> scenario, List<String> expected) {
        World w = new World().initialized();
        scenario.accept(w);
        boolean holdingNow = w.last.actions().stream()
                .anyMatch(a -> a instanceof Action.EmitEvent e
                        && e.message().endsWith("(holding the weight: no-data policy is hold)"));
        List<CanaryCondition> conditions = w.status.conditions == null ? List.of() : w.status.conditions;
        // Written down, not derived from the decision: which scenarios end while a hold lasts.
        boolean endsHolding = ENDS_HOLDING.contains(name);
        assertThat(holdingNow).as("the last tick said it holds").isEqualTo(endsHolding);
        assertThat(conditions.stream()
                        .anyMatch(c ->
                                "Holding".equals(c.type) && "True".equals(c.status) && "NoMetricData".equals(c.reason)))
                .isEqualTo(endsHolding);
    }

    private static final java.util.Set<String> ENDS_HOLDING = java.util.Set.of(
            "a hold for missing data warns once when it begins, however many ticks it lasts",
            "a second hold after data came back warns again");
}
