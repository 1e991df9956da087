package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.flagger.HttpMatch;
import io.sluice.model.flagger.PromotedCondition;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One named case per behaviour of the state machine (spec §2–3), plus each of Sluice's deliberate differences. */
class CanaryDeciderTest {

    private static final String FAILING_RATE = "Halt podinfo.test advancement success rate 89.02% < 99%";

    static Arguments row(String name, Consumer<World> scenario) {
        return Arguments.of(name, scenario);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("behaviours")
    void behaves(String name, Consumer<World> scenario) {
        scenario.accept(new World());
    }

    static MetricOutcome failRate(CanaryAnalysis.Metric m) {
        return m.name.equals("request-success-rate")
                ? new MetricOutcome(m.name, MetricOutcome.Verdict.FAIL, 89.02, FAILING_RATE)
                : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 1.0, null);
    }

    /** The canary rolled out but none of its pods available; its Deployment says since when, or nothing. */
    static Workload notReady(String revision, java.time.Instant unavailableSince) {
        return new Workload(revision, 2, null, 3, 3, 2, 2, 0, false, unavailableSince);
    }

    static CanaryCondition condition(World w, String type) {
        return w.status.conditions == null
                ? null
                : w.status.conditions.stream()
                        .filter(c -> type.equals(c.type))
                        .findFirst()
                        .orElse(null);
    }

    static Stream<Arguments> behaviours() {
        return Stream.of(
                row("an invalid spec only gets the InvalidSpec condition and a Warning once per interval", w -> {
                    w.initialized();
                    w.violations = List.of("spec.analysis.interval: not a duration");
                    w.tick();
                    String text = "invalid canary podinfo.test: spec.analysis.interval: not a duration";
                    assertThat(w.events).containsExactly("Warning " + text);
                    assertThat(w.last.actions())
                            .containsExactly(new Action.EmitEvent(
                                    Action.EmitEvent.Type.Warning,
                                    text,
                                    java.util.Map.of(),
                                    io.sluice.model.flagger.CanaryPhase.Initialized));
                    assertThat(w.last.consumedTick()).isTrue();
                    CanaryCondition c = w.status.conditions.stream()
                            .filter(x -> "InvalidSpec".equals(x.type))
                            .findFirst()
                            .orElseThrow();
                    assertThat(List.of(c.status, c.reason, c.message))
                            .containsExactly("True", "ValidationFailed", text);
                    assertThat(w.phase()).isEqualTo("Initialized");
                    w.event();
                    assertThat(w.events).hasSize(1);
                    w.violations = List.of();
                    w.tick();
                    assertThat(w.status.conditions).noneMatch(x -> "InvalidSpec".equals(x.type));
                }),
                row("a second Canary on a managed target only gets the TargetConflict condition and a Warning", w -> {
                    w.olderOnTarget = "podinfo-a.test";
                    w.tick();
                    String text = "canary podinfo.test targets Deployment podinfo.test, which canary podinfo-a.test"
                            + " already manages: nothing is done until one of them is deleted or retargeted";
                    assertThat(w.events).containsExactly("Warning " + text);
                    assertThat(w.phase()).isNull();
                    assertThat(w.status.conditions)
                            .extracting(x -> x.type + "/" + x.status + "/" + x.reason)
                            .containsExactly(
                                    "TargetConflict/True/TargetConflict",
                                    "Ready/False/TargetConflict",
                                    "Reconciling/False/TargetConflict",
                                    "Stalled/True/TargetConflict");
                    w.event();
                    assertThat(w.events).hasSize(1);
                }),
                row("a no-data annotation that names no policy is said once per interval", w -> {
                    w.noDataAnnotation = "pause";
                    w.initialized();
                    w.tick();
                    w.event();
                    assertThat(w.events)
                            .containsExactly("Warning annotation sluice.io/no-data-policy has the value"
                                    + " \"pause\"; expected fail or hold, using the analyzer's default");
                }),
                row("a new Canary goes through Initializing to Initialized with the target scaled to zero", w -> {
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Initializing");
                    assertThat(w.actions).contains(new Action.EnsurePrimary(), new Action.ReconcileServices(false));
                    w.event();
                    assertThat(w.phase()).isEqualTo("Initialized");
                    assertThat(w.target.specReplicas()).isZero();
                    assertThat(w.routes.primary()).isEqualTo(100);
                    assertThat(w.status.lastAppliedSpec).isEqualTo("rev-1").isEqualTo(w.status.lastPromotedSpec);
                    assertThat(w.events)
                            .containsExactly(
                                    "Normal all the metrics providers are available!",
                                    "Normal Initialization done! podinfo.test");
                    CanaryCondition c = PromotedCondition.find(w.status.conditions);
                    assertThat(c.status).isEqualTo("True");
                    assertThat(c.message).isEqualTo("Deployment initialization completed.");
                }),
                row("an unreachable metrics provider is reported while initializing and does not block it", w -> {
                    w.providers = new io.sluice.analyzer.decision.ProviderAvailability(
                            false, "Error checking metric providers: prometheus not avaiable: connection refused");
                    w.tick();
                    w.event();
                    assertThat(w.phase()).isEqualTo("Initialized");
                    assertThat(w.events)
                            .containsExactly(
                                    "Warning Error checking metric providers: prometheus not"
                                            + " avaiable: connection refused",
                                    "Normal Initialization done! podinfo.test");
                }),
                row("bootstrap waits for the primary and says why", w -> {
                    w.tick();
                    w.primary = new Workload("rev-1", 2, null, 1, 1, 0, 2, 0, false);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Initializing");
                    assertThat(w.events)
                            .containsExactly(
                                    "Normal all the metrics providers are available!",
                                    "Normal all the metrics providers are available!",
                                    "Warning podinfo-primary.test not ready: waiting for rollout"
                                            + " to finish: 0 out of 2 new replicas have been updated");
                }),
                row("bootstrap fails when the primary makes no progress for the deadline", w -> {
                    w.tick();
                    w.primary = new Workload("rev-1", 2, null, 1, 1, 0, 2, 0, false);
                    w.tick(); // the first not-ready reading starts the deadline
                    w.tick();
                    w.tick();
                    w.tick();
                    assertThat(w.phase()).as("not ready for 60 s").isEqualTo("Initializing");
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.events)
                            .anyMatch(
                                    e -> e.startsWith(
                                            "Warning Rolling back podinfo.test progress deadline exceeded no progress for 60s"));
                    String ready = "Warning podinfo-primary.test not ready: waiting for rollout to finish: 0 out of 2"
                            + " new replicas have been updated";
                    int deadline = w.events.indexOf(w.events.stream()
                            .filter(e -> e.startsWith("Warning Rolling back"))
                            .findFirst()
                            .orElseThrow());
                    assertThat(w.events.get(deadline - 1))
                            .as("Flagger's readiness Warning first")
                            .isEqualTo(ready);
                }),
                row("a new revision starts the run at once on a watch event, not at the next interval", w -> {
                    w.initialized().newRevision("rev-2").event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events).containsExactly("Normal New revision detected! Scaling up podinfo.test");
                    assertThat(w.target.specReplicas()).isEqualTo(2);
                    assertThat(w.status.lastAppliedSpec).isEqualTo("rev-2");
                    assertThat(w.status.currentRun.revision).isEqualTo("rev-2");
                    assertThat(w.last.consumedTick()).isTrue();
                }),
                row("the run records user and source of an admitted revision that the Deployment confirms", w -> {
                    w.initialized();
                    w.status.admittedRevision = admitted("rev-2", "jane", "kubectl");
                    w.newRevision("rev-2").event();
                    assertThat(w.status.currentRun.user).isEqualTo("jane");
                    assertThat(w.status.currentRun.source).isEqualTo("kubectl");
                    Action.EmitEvent e = (Action.EmitEvent) w.actions.stream()
                            .filter(a -> a instanceof Action.EmitEvent)
                            .findFirst()
                            .orElseThrow();
                    assertThat(e.annotations())
                            .containsEntry("sluice.io/user", "jane")
                            .containsEntry("sluice.io/source", "kubectl")
                            .containsEntry("sluice.io/revision", "rev-2");
                }),
                row("an admitted revision the Deployment does not have yet starts nothing", w -> {
                    w.initialized();
                    w.status.admittedRevision = admitted("rev-9", "jane", "flux");
                    w.event();
                    assertThat(w.phase()).isEqualTo("Initialized");
                    assertThat(w.events).isEmpty();
                }),
                row("scaling up honours the desired-replicas annotation first", w -> {
                    w.initialized();
                    w.target = new Workload("rev-2", 0, 5, 2, 2, 0, 0, 0, false);
                    w.event();
                    assertThat(w.actions).contains(new Action.ScaleTarget(5));
                }),
                row("without the annotation a target at zero is scaled to the primary's replicas", w -> {
                    w.initialized();
                    w.target = new Workload("rev-2", 0, null, 2, 2, 0, 0, 0, false);
                    w.event();
                    assertThat(w.actions).contains(new Action.ScaleTarget(2));
                }),
                row("a failing confirm-rollout hook parks the run in Waiting and warns once", w -> {
                    w.spec.analysis.webhooks.add(World.hook("gate", "confirm-rollout"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("gate"), 403, "denied");
                    w.initialized().newRevision("rev-2").event();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    w.tick();
                    assertThat(w.events)
                            .containsExactly("Warning Halt podinfo.test advancement waiting for approval gate");
                    assertThat(w.calls)
                            .containsExactly(
                                    "hook/confirm-rollout/gate@Initialized", "hook/confirm-rollout/gate@Waiting");
                    assertThat(w.status.lastAppliedSpec)
                            .as("not synced while waiting")
                            .isEqualTo("rev-1");
                }),
                row("Waiting starts the run once the confirm-rollout hooks pass", w -> {
                    w.spec.analysis.webhooks.add(World.hook("gate", "confirm-rollout"));
                    w.hooks = h -> new HookOutcome(h.name, false, 403, "denied");
                    w.initialized().newRevision("rev-2").event();
                    w.hooks = h -> new HookOutcome(h.name, true, 200, null);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events)
                            .endsWith(
                                    "Normal Confirm-rollout check gate passed",
                                    "Normal New revision detected! Scaling up podinfo.test");
                }),
                row("a failing pre-rollout hook counts a failed check and the start is retried", w -> {
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("acceptance-test"), 500, "exit status 1");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.failedChecks()).isEqualTo(2);
                    assertThat(w.weight()).isZero();
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Starting canary analysis for podinfo.test",
                                    "Warning Halt podinfo.test advancement pre-rollout check acceptance-test failed exit status 1",
                                    "Normal Starting canary analysis for podinfo.test");
                }),
                row("the alerts opening a bootstrap and a run carry the canary's fields; the others do not", w -> {
                    w.initialized();
                    w.actions.clear();
                    w.tick();
                    w.newRevision("rev-2").event();
                    assertThat(w.actions)
                            .contains(new Action.SendAlert(
                                    "New revision detected, progressing canary analysis.",
                                    io.sluice.analyzer.decision.Severity.INFO,
                                    true));
                    w.metrics = CanaryDeciderTest::failRate;
                    w.tickUntil(10, "Failed");
                    assertThat(w.actions)
                            .contains(new Action.SendAlert(
                                    "Failed checks threshold reached 5",
                                    io.sluice.analyzer.decision.Severity.ERROR,
                                    false));
                }),
                row("a failing rollout webhook halts advancement with its error and counts", w -> {
                    w.hooks =
                            h -> new HookOutcome(h.name, !h.name.equals("load-test"), 500, "500 Internal Server Error");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.events)
                            .last()
                            .isEqualTo(
                                    "Warning Halt podinfo.test advancement external check load-test failed 500 Internal Server Error");
                    assertThat(w.failedChecks()).isEqualTo(1);
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.calls).doesNotContain("metric/request-success-rate");
                }),
                row("rolls back when failed checks reach the threshold at the start of the next tick", w -> {
                    w.spec.analysis.threshold = 1;
                    w.metrics = CanaryDeciderTest::failRate;
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.failedChecks()).isEqualTo(1);
                    w.calls.clear();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.calls)
                            .as("the final tick runs no analysis")
                            .containsExactly("call/post-rollout@Failed");
                    assertThat(w.events)
                            .endsWith(
                                    "Warning Rolling back podinfo.test failed checks threshold reached 1",
                                    "Warning Canary failed! Scaling down podinfo.test");
                    assertThat(w.forwarded)
                            .as("the event webhooks' phases, as Flagger sends them")
                            .endsWith(
                                    "(Progressing, Rolling back podinfo.test failed checks threshold reached 1)",
                                    "(Failed, Canary failed! Scaling down podinfo.test)");
                    assertThat(w.routes.canary()).isZero();
                    assertThat(w.target.specReplicas())
                            .as("the routes were 70/30 when the rollback was decided")
                            .isEqualTo(2);
                    w.event();
                    assertThat(w.target.specReplicas())
                            .as("once read back at 100/0, accepted")
                            .isZero();
                }),
                row(
                        "a canary whose routes Gloo Mesh has not accepted at 100/0 keeps its pods after a rollback, with"
                                + " a Warning at each interval",
                        w -> {
                            w.metrics = CanaryDeciderTest::failRate;
                            w.initialized().newRevision("rev-2").event();
                            w.tickUntil(10, "Failed");
                            w.routes = new Routes(
                                    null, 100, 0, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", false);
                            w.tick();
                            assertThat(w.last.actions()).doesNotContain(new Action.ScaleTarget(0));
                            assertThat(w.events)
                                    .last()
                                    .isEqualTo(
                                            "Warning Scaling down podinfo.test waits until RouteTable"
                                                    + " podinfo-delegate.test routes all traffic to the primary and Gloo Mesh accepted it");
                            w.routes = Routes.accepted(100, 0);
                            w.event();
                            assertThat(w.target.specReplicas()).isZero();
                        }),
                row("Finalising scales the target down only once Gloo Mesh accepted all traffic on the primary", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(10, "Finalising");
                    w.routes =
                            new Routes(null, 100, 0, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", false);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Finalising");
                    assertThat(w.last.actions()).doesNotContain(new Action.ScaleTarget(0));
                    w.routes = Routes.accepted(100, 0);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Succeeded");
                    assertThat(w.target.specReplicas()).isZero();
                }),
                row("failedChecks keeps the count that caused the rollback (Sluice quirk)", w -> {
                    w.metrics = CanaryDeciderTest::failRate;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(10, "Failed");
                    assertThat(w.failedChecks()).isEqualTo(5);
                    assertThat(w.weight()).isZero();
                    CanaryCondition c = PromotedCondition.find(w.status.conditions);
                    assertThat(c.status).isEqualTo("False");
                    assertThat(c.message).isEqualTo("Canary analysis failed, Deployment scaled to zero.");
                }),
                row("a failing confirm-traffic-increase hook holds the weight without counting", w -> {
                    w.spec.analysis.webhooks.add(World.hook("more", "confirm-traffic-increase"));
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("more"), 403, "no");
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.failedChecks()).isZero();
                    assertThat(w.events)
                            .last()
                            .isEqualTo(
                                    "Warning Halt podinfo.test advancement waiting for traffic increase approval more");
                }),
                row(
                        "a failing confirm-promotion hook parks the run in WaitingPromotion showing the routed weight"
                                + " (Sluice quirk)",
                        w -> {
                            w.spec.analysis.webhooks.add(World.hook("promote", "confirm-promotion"));
                            w.hooks = h -> new HookOutcome(h.name, !h.name.equals("promote"), 403, "no");
                            w.initialized().newRevision("rev-2").event();
                            w.tickUntil(6, "WaitingPromotion");
                            assertThat(w.weight()).isEqualTo(60);
                            assertThat(w.routes.canary()).isEqualTo(60);
                            assertThat(w.status.iterations)
                                    .as("analysis.iterations - 1, as Flagger writes it")
                                    .isEqualTo(-1);
                            w.tick();
                            assertThat(w.status.iterations).isEqualTo(-1);
                            assertThat(w.events)
                                    .last()
                                    .isEqualTo(
                                            "Warning Halt podinfo.test advancement waiting for promotion approval promote");
                            w.hooks = h -> new HookOutcome(h.name, true, 200, null);
                            w.tick();
                            assertThat(w.phase()).isEqualTo("Promoting");
                            assertThat(w.events)
                                    .endsWith(
                                            "Normal Confirm-promotion check promote passed",
                                            "Normal Copying podinfo.test template spec to podinfo-primary.test");
                        }),
                row("checks keep running in WaitingPromotion and failures still count", w -> {
                    w.spec.analysis.webhooks.add(World.hook("promote", "confirm-promotion"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("promote"), 403, "no");
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(6, "WaitingPromotion");
                    w.metrics = CanaryDeciderTest::failRate;
                    w.tick();
                    assertThat(w.phase()).isEqualTo("WaitingPromotion");
                    assertThat(w.failedChecks()).isEqualTo(1);
                }),
                row("the event webhooks get each Event with the phase the run is in when it is emitted", w -> {
                    w.spec.analysis.stepWeight = 100;
                    w.spec.analysis.maxWeight = null;
                    w.spec.analysis.stepWeightPromotion = 50;
                    w.spec.analysis.webhooks.add(World.hook("confirm-rollout", "confirm-rollout"));
                    w.spec.analysis.webhooks.add(World.hook("confirm-traffic", "confirm-traffic-increase"));
                    w.spec.analysis.webhooks.add(World.hook("confirm-promotion", "confirm-promotion"));
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(8, "Succeeded");
                    assertThat(w.forwarded)
                            .containsSubsequence(
                                    "(Initialized, Confirm-rollout check confirm-rollout passed)",
                                    "(Progressing, New revision detected! Scaling up podinfo.test)",
                                    "(Progressing, Starting canary analysis for podinfo.test)",
                                    "(Progressing, Pre-rollout check acceptance-test passed)",
                                    "(Progressing, Confirm-traffic-increase check confirm-traffic passed)",
                                    "(Progressing, Advance podinfo.test canary weight 100)",
                                    "(Progressing, Confirm-promotion check confirm-promotion passed)",
                                    "(Progressing, Copying podinfo.test template spec to podinfo-primary.test)",
                                    "(Promoting, Advance podinfo.test primary weight 50)",
                                    "(Promoting, Advance podinfo.test primary weight 100)",
                                    "(Succeeded, Promotion completed! Scaling down podinfo.test)");
                }),
                row(
                        "only ticks that reach the analysis are timed, as Flagger times flagger_canary_duration_seconds",
                        w -> {
                            w.metrics = CanaryDeciderTest::failRate;
                            w.initialized();
                            assertThat(w.last.analysed())
                                    .as("initialized, idle")
                                    .isFalse();
                            w.newRevision("rev-2").event();
                            assertThat(w.last.analysed()).as("the run starts").isFalse();
                            w.tick();
                            assertThat(w.last.analysed())
                                    .as("the first analysis")
                                    .isTrue();
                            w.tick();
                            assertThat(w.phase()).isEqualTo("Progressing");
                            assertThat(w.last.analysed()).isTrue();
                            w.tickUntil(6, "Failed");
                            assertThat(w.last.analysed())
                                    .as("the threshold's rollback comes before the analysis")
                                    .isFalse();
                        }),
                row("stepWeightPromotion moves traffic back to the primary in steps", w -> {
                    w.spec.analysis.stepWeight = 100;
                    w.spec.analysis.maxWeight = null;
                    w.spec.analysis.stepWeightPromotion = 50;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(5, "Promoting");
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.weight()).isEqualTo(50);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Finalising");
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Succeeded");
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Advance podinfo.test primary weight 50",
                                    "Normal Advance podinfo.test primary weight 100",
                                    "Normal Promotion completed! Scaling down podinfo.test");
                }),
                row("a new revision mid-run restarts the analysis from weight 0", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    w.newRevision("rev-3").event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.weight()).isZero();
                    assertThat(w.routes.canary()).isZero();
                    assertThat(w.status.lastAppliedSpec).isEqualTo("rev-3");
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Normal New revision detected! Restarting analysis for podinfo.test");
                }),
                row("a new revision while promoting is not a restart", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(5, "Promoting");
                    w.newRevision("rev-3").event();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    w.tickUntil(4, "Succeeded");
                    assertThat(w.status.lastPromotedSpec).isEqualTo("rev-2");
                    w.event();
                    assertThat(w.phase())
                            .as("picked up as a new run after Succeeded")
                            .isEqualTo("Progressing");
                }),
                row("skipAnalysis promotes at the first tick once the canary is ready", w -> {
                    w.spec.skipAnalysis = true;
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Succeeded");
                    assertThat(w.primary.revision()).isEqualTo("rev-2");
                    assertThat(w.calls)
                            .doesNotContain("hook/pre-rollout/acceptance-test@Progressing")
                            .contains("call/post-rollout@Succeeded");
                    assertThat(w.events)
                            .endsWith(
                                    "Normal Copying podinfo.test template spec to podinfo-primary.test",
                                    "Normal Promotion completed! Canary analysis was skipped for podinfo.test");
                }),
                row("a suspended Canary only reports that it is skipped", w -> {
                    w.initialized();
                    w.spec.suspend = true;
                    w.newRevision("rev-2").tick();
                    assertThat(w.phase()).isEqualTo("Initialized");
                    assertThat(w.events).containsExactly("Normal skipping canary run as object is suspended");
                }),
                row(
                        "a suspended run writes nothing, not even the route repair, and resumes from the weight the"
                                + " delegate routes",
                        w -> {
                            w.initialized().newRevision("rev-2").event();
                            w.tick();
                            assertThat(w.weight()).isEqualTo(30);
                            w.spec.suspend = true;
                            w.spec.revertOnDeletion = true;
                            w.routes = Routes.accepted(60, 40);
                            w.actions.clear();
                            w.events.clear();
                            var before = w.status;
                            w.tick();
                            w.event();
                            assertThat(w.actions).allMatch(a -> a instanceof Action.EmitEvent);
                            assertThat(w.events).containsExactly("Normal skipping canary run as object is suspended");
                            assertThat(w.status).usingRecursiveComparison().isEqualTo(before);
                            w.spec.suspend = false;
                            w.event();
                            assertThat(w.routes.canary())
                                    .as("the router's weights are kept")
                                    .isEqualTo(40);
                            w.tick();
                            assertThat(w.weight())
                                    .as("one step on from the weight routed")
                                    .isEqualTo(70);
                        }),
                row("a passing rollback hook rolls the run back at once", w -> {
                    w.spec.analysis.webhooks.add(World.hook("stop", "rollback"));
                    w.hooks = h -> new HookOutcome(h.name, true, 200, null);
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Warning Rollback check stop passed",
                                    "Warning Rolling back podinfo.test manual webhook invoked",
                                    "Warning Canary failed! Scaling down podinfo.test");
                }),
                row("a rollback hook that does not signal is reported and the run goes on", w -> {
                    w.spec.analysis.webhooks.add(World.hook("stop", "rollback"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("stop"), 404, "no");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.events).contains("Normal Rollback hook stop not signaling a rollback");
                }),
                row("a canary that is not ready holds the run and warns", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.target = new Workload("rev-2", 2, null, 3, 3, 2, 2, 0, false);
                    w.tick();
                    assertThat(w.weight()).isZero();
                    assertThat(w.events)
                            .last()
                            .isEqualTo(
                                    "Warning canary deployment podinfo.test not ready: waiting"
                                            + " for rollout to finish: 0 of 2 (readyThreshold 100%) updated replicas are available");
                }),
                row("a canary not ready for longer than the progress deadline rolls back and says so", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.target = new Workload("rev-2", 2, null, 3, 3, 2, 2, 0, false);
                    w.tickUntil(5, "Failed");
                    assertThat(w.events)
                            .anyMatch(e -> e.startsWith("Warning Rolling back podinfo.test progress"
                                    + " deadline exceeded no progress for 60s: canary deployment"));
                    String ready = "Warning canary deployment podinfo.test not ready: waiting for rollout to finish:"
                            + " 0 of 2 (readyThreshold 100%) updated replicas are available";
                    assertThat(w.events.subList(w.events.size() - 3, w.events.size()))
                            .as("the last tick")
                            .containsExactly(
                                    ready,
                                    "Warning Rolling back podinfo.test progress deadline exceeded no"
                                            + " progress for 60s: " + ready.substring("Warning ".length()),
                                    "Warning Canary failed! Scaling down podinfo.test");
                }),
                row("after a long wait for approval one not-ready reading is retried, not rolled back", w -> {
                    w.spec.analysis.webhooks.add(World.hook("promote", "confirm-promotion"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("promote"), 403, "no");
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(6, "WaitingPromotion");
                    for (int i = 0; i < 10; i++) {
                        w.tick(); // 200 s waiting for approval, far past the 60 s deadline
                    }
                    assertThat(w.phase()).isEqualTo("WaitingPromotion");
                    w.target = notReady("rev-2", null); // a pod evicted
                    w.tick();
                    assertThat(w.phase()).isEqualTo("WaitingPromotion");
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning canary deployment podinfo.test not ready: waiting for rollout to"
                                    + " finish: 0 of 2 (readyThreshold 100%) updated replicas are available");
                    assertThat(condition(w, CanaryDecider.NOT_READY_CONDITION)).isNotNull();
                    w.target = Workload.settled("rev-2", 2);
                    w.hooks = h -> new HookOutcome(h.name, true, 200, null);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(condition(w, CanaryDecider.NOT_READY_CONDITION))
                            .as("the wait is over")
                            .isNull();
                }),
                row("an analysis interval longer than the deadline does not roll back on the first not-ready", w -> {
                    w.spec.analysis.interval = "5m";
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    w.target = notReady("rev-2", null);
                    w.tick();
                    assertThat(w.phase()).as("first not-ready reading").isEqualTo("Progressing");
                    assertThat(w.weight()).isEqualTo(30);
                    w.tick();
                    assertThat(w.phase())
                            .as("not ready for one interval, longer than the deadline")
                            .isEqualTo("Failed");
                }),
                row("a canary its Deployment reports unavailable for longer than the deadline rolls back", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.target = notReady("rev-2", w.now.minusSeconds(30));
                    w.tick();
                    assertThat(w.phase()).as("unavailable for 50 s of 60").isEqualTo("Progressing");
                    w.target = notReady("rev-2", w.now.minusSeconds(61));
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                }),
                row("a metric check that breaks inside the analyzer is a failed check, not a retried reconcile", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.metrics = m -> {
                        throw new ArithmeticException("long overflow");
                    };
                    w.tick();
                    assertThat(w.failedChecks()).isEqualTo(1);
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning Metric check request-success-rate failed: long overflow");
                    w.tickUntil(6, "Failed");
                }),
                row("a webhook check that breaks inside the analyzer is a failed check", w -> {
                    w.spec.analysis.webhooks.add(World.hook("load", "rollout"));
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.hooks = h -> {
                        throw new IllegalStateException("no client");
                    };
                    w.tick();
                    assertThat(w.failedChecks()).isEqualTo(1);
                }),
                row("a run whose target lost its scale-up scales it up again and takes no step meanwhile", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.target = Workload.settled("rev-2", 0);
                    w.actions.clear();
                    w.calls.clear();
                    w.tick();
                    assertThat(w.weight()).isZero();
                    assertThat(w.actions).contains(new Action.ScaleTarget(2));
                    assertThat(w.calls).as("no analysis without pods").isEmpty();
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning canary deployment podinfo.test not ready: waiting"
                                    + " for rollout to finish: 0 replicas desired, scaling up");
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                }),
                row("a canary Kubernetes gave up on rolls back at once", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.target = new Workload("rev-2", 2, null, 3, 3, 2, 2, 0, true);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                }),
                row("a primary that never becomes ready after promotion fails with all traffic on the canary", w -> {
                    w.promotedPrimarySettles = false;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(5, "Promoting");
                    w.tickUntil(6, "Failed");
                    assertThat(w.weight()).isEqualTo(100);
                    assertThat(w.routes.canary()).isEqualTo(100);
                    assertThat(w.target.specReplicas())
                            .as("the canary keeps serving")
                            .isEqualTo(2);
                    assertThat(w.events)
                            .anyMatch(e ->
                                    e.startsWith("Warning Promotion of podinfo.test failed," + " primary not ready: "));
                }),
                row("Blue/Green runs its iterations, routes all traffic to the canary, then promotes", w -> {
                    w.spec.analysis.stepWeight = null;
                    w.spec.analysis.maxWeight = null;
                    w.spec.analysis.iterations = 2;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(6, "Promoting");
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Advance podinfo.test canary iteration 1/2",
                                    "Normal Advance podinfo.test canary iteration 2/2",
                                    "Normal Routing all traffic to canary",
                                    "Normal Copying podinfo.test template spec to podinfo-primary.test");
                    w.tickUntil(3, "Succeeded");
                    assertThat(w.routes.primary()).isEqualTo(100);
                }),
                row("A/B testing sends matching traffic to the canary for each iteration, then promotes", w -> {
                    w.spec.analysis.stepWeight = null;
                    w.spec.analysis.maxWeight = null;
                    w.spec.analysis.iterations = 2;
                    HttpMatch m = new HttpMatch();
                    m.headers = Map.of("x-canary", HttpMatch.StringMatch.exact("insider"));
                    w.spec.analysis.match = List.of(m);
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.routes.canary()).isEqualTo(100);
                    w.tickUntil(5, "Promoting");
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Advance podinfo.test canary iteration 1/2",
                                    "Normal Advance podinfo.test canary iteration 2/2",
                                    "Normal Copying podinfo.test template spec to podinfo-primary.test");
                    assertThat(w.events).doesNotContain("Normal Routing all traffic to canary");
                }),
                row(
                        "an A/B run leaves status.canaryWeight at 0 through its iterations and its promotion, as"
                                + " Flagger does, while the match route sends the canary everything",
                        w -> {
                            w.spec.analysis.stepWeight = null;
                            w.spec.analysis.maxWeight = null;
                            w.spec.analysis.iterations = 2;
                            HttpMatch m = new HttpMatch();
                            m.headers = Map.of("x-canary", HttpMatch.StringMatch.exact("insider"));
                            w.spec.analysis.match = List.of(m);
                            w.initialized().newRevision("rev-2").event();
                            List<String> seen = new java.util.ArrayList<>();
                            for (int i = 0; i < 10 && !"Succeeded".equals(w.phase()); i++) {
                                w.tick();
                                seen.add(w.phase() + " " + w.weight());
                            }
                            assertThat(w.phase()).isEqualTo("Succeeded");
                            assertThat(seen)
                                    .containsExactly(
                                            "Progressing 0",
                                            "Progressing 0",
                                            "Promoting 0",
                                            "Finalising 0",
                                            "Succeeded 0");
                            assertThat(w.actions).contains(new Action.SetRoutes(0, 100));
                            assertThat(w.routes).isEqualTo(Routes.accepted(100, 0));
                        }),
                row(
                        "an A/B promotion with stepWeightPromotion steps back from the match route's 100 and writes"
                                + " the weight left, as Flagger's promotion does",
                        w -> {
                            w.spec.analysis.stepWeight = null;
                            w.spec.analysis.maxWeight = null;
                            w.spec.analysis.iterations = 1;
                            w.spec.analysis.stepWeightPromotion = 60;
                            HttpMatch m = new HttpMatch();
                            m.headers = Map.of("x-canary", HttpMatch.StringMatch.exact("insider"));
                            w.spec.analysis.match = List.of(m);
                            w.initialized().newRevision("rev-2").event();
                            w.tickUntil(6, "Promoting");
                            assertThat(w.weight()).isZero();
                            w.tick();
                            assertThat(w.phase()).isEqualTo("Promoting");
                            assertThat(w.routes).isEqualTo(Routes.accepted(60, 40));
                            assertThat(w.weight()).isEqualTo(40);
                            w.tick();
                            assertThat(w.phase()).isEqualTo("Finalising");
                            assertThat(w.weight()).isZero();
                            assertThat(w.events)
                                    .containsSubsequence(
                                            "Normal Advance podinfo.test primary weight 60",
                                            "Normal Advance podinfo.test primary weight 100");
                        }),
                row("a step waits until Gloo Mesh accepted the new weights", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.routes =
                            new Routes(null, 70, 30, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", false);
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.last.consumedTick()).as("the tick stays owed").isFalse();
                    w.routes = Routes.accepted(70, 30);
                    w.event();
                    assertThat(w.weight())
                            .as("a due tick left owed runs on the next event")
                            .isEqualTo(30);
                    w.reconcile(true);
                    assertThat(w.weight()).isEqualTo(60);
                }),
                row("a rejected RouteTable holds the run with a Warning", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.routes = new Routes(
                            null,
                            70,
                            30,
                            Routes.Acceptance.REJECTED,
                            "INVALID: bad weights",
                            "podinfo-delegate.test",
                            false);
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning RouteTable podinfo-delegate.test not accepted by"
                                    + " Gloo Mesh: INVALID: bad weights");
                }),
                row("a missing parent RouteTable is a Warning and bootstrap waits", w -> {
                    w.routes =
                            Routes.broken("RouteTable podinfo.test not found: the routeTableRef names no RouteTable");
                    w.tick();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Initializing");
                    assertThat(w.events)
                            .filteredOn(e -> e.startsWith("Warning"))
                            .containsExactly(
                                    "Warning RouteTable podinfo.test not found: the routeTableRef names no RouteTable");
                }),
                row("metrics without data count as failed checks by default", w -> {
                    w.metrics = m -> new MetricOutcome(
                            m.name,
                            MetricOutcome.Verdict.NO_DATA,
                            null,
                            "Halt advancement no"
                                    + " values found for istio metric request-success-rate probably podinfo.test is not"
                                    + " receiving traffic: running query failed: no values found");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.failedChecks()).isEqualTo(1);
                    assertThat(w.events).last().asString().startsWith("Warning Halt advancement no values found");
                }),
                row("metrics without data under the hold policy keep the weight and count nothing", w -> {
                    w.noData = io.sluice.analyzer.decision.NoDataPolicy.HOLD;
                    w.metrics = m -> new MetricOutcome(
                            m.name, MetricOutcome.Verdict.ERROR, null, "Prometheus query failed: connection refused");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.failedChecks()).isZero();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning Prometheus query failed: connection refused"
                                    + " (holding the weight: no-data policy is hold)");
                    w.tickUntil(5, "Failed");
                    assertThat(w.events)
                            .anyMatch(
                                    e -> e.startsWith("Warning Rolling back podinfo.test progress deadline exceeded"));
                }),
                row("template metrics run after the builtins whatever their place in the list (Flagger's order)", w -> {
                    CanaryAnalysis.Metric tpl = new CanaryAnalysis.Metric();
                    tpl.name = "errors";
                    tpl.templateRef = new CanaryAnalysis.TemplateReference("errors", null);
                    w.spec.analysis.metrics.add(0, tpl);
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.calls.clear();
                    w.tick();
                    assertThat(w.calls)
                            .containsExactly(
                                    "hook/rollout/load-test@Progressing",
                                    "metric/request-success-rate",
                                    "metric/request-duration",
                                    "metric/errors/template");
                }),
                row(
                        "a builtin with a templateRef runs its query with the builtins and its template with the templates",
                        w -> {
                            CanaryAnalysis.Metric tpl = new CanaryAnalysis.Metric();
                            tpl.name = "errors";
                            tpl.templateRef = new CanaryAnalysis.TemplateReference("errors", null);
                            w.spec.analysis.metrics.add(tpl);
                            w.spec.analysis.metrics.get(0).templateRef =
                                    new CanaryAnalysis.TemplateReference("success-rate", null);
                            w.initialized().newRevision("rev-2").event();
                            w.tick();
                            w.calls.clear();
                            w.tick();
                            assertThat(w.calls)
                                    .containsExactly(
                                            "hook/rollout/load-test@Progressing",
                                            "metric/request-success-rate",
                                            "metric/request-duration",
                                            "metric/request-success-rate/template",
                                            "metric/errors/template");
                        }),
                row("the template part of a builtin failing stops the checks after it, and is the Event", w -> {
                    w.spec.analysis.metrics.get(0).templateRef =
                            new CanaryAnalysis.TemplateReference("success-rate", null);
                    w.spec.analysis.metrics.get(0).query = null;
                    w.metricParts = (m, part) -> part == io.sluice.analyzer.decision.MetricPart.TEMPLATE
                            ? new MetricOutcome(
                                    m.name,
                                    MetricOutcome.Verdict.FAIL,
                                    42.0,
                                    "Halt podinfo.test advancement request-success-rate 42 < 99")
                            : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.calls.clear();
                    w.tick();
                    assertThat(w.calls)
                            .containsExactly(
                                    "hook/rollout/load-test@Progressing",
                                    "metric/request-success-rate",
                                    "metric/request-duration",
                                    "metric/request-success-rate/template");
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning Halt podinfo.test advancement request-success-rate 42 < 99");
                    assertThat(w.failedChecks()).isEqualTo(1);
                }),
                row("under the hold policy a breach on a later metric still counts", w -> {
                    w.noData = io.sluice.analyzer.decision.NoDataPolicy.HOLD;
                    w.metrics = m -> m.name.equals("request-success-rate")
                            ? new MetricOutcome(m.name, MetricOutcome.Verdict.NO_DATA, null, "no values")
                            : new MetricOutcome(
                                    m.name,
                                    MetricOutcome.Verdict.FAIL,
                                    1.515,
                                    "Halt podinfo.test advancement request duration 1.515s > 500ms");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.calls).contains("metric/request-success-rate", "metric/request-duration");
                    assertThat(w.failedChecks()).isEqualTo(1);
                    assertThat(w.events)
                            .last()
                            .isEqualTo("Warning Halt podinfo.test advancement request duration 1.515s > 500ms");
                    assertThat(w.status.conditions).noneMatch(c -> CanaryDecider.HOLDING_CONDITION.equals(c.type));
                }),
                row("two metrics of the same name are two checks: a twin that passes hides no missing data", w -> {
                    w.noData = io.sluice.analyzer.decision.NoDataPolicy.HOLD;
                    CanaryAnalysis.Metric twin = new CanaryAnalysis.Metric();
                    twin.name = "request-success-rate";
                    twin.interval = "1m";
                    twin.query = "sum(up)";
                    twin.threshold = 1.0;
                    w.spec.analysis.metrics = new java.util.ArrayList<>(w.spec.analysis.metrics);
                    w.spec.analysis.metrics.add(twin);
                    w.metrics = m -> m != twin && m.name.equals("request-success-rate")
                            ? new MetricOutcome(m.name, MetricOutcome.Verdict.NO_DATA, null, "no values")
                            : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 1.0, null);
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.weight()).as("held at the first step").isEqualTo(30);
                    assertThat(w.status.conditions).anyMatch(c -> CanaryDecider.HOLDING_CONDITION.equals(c.type));
                }),
                row("the hold policy rolls back after its own deadline when one is set", w -> {
                    w.noData = io.sluice.analyzer.decision.NoDataPolicy.HOLD;
                    w.noDataDeadline = java.time.Duration.ofSeconds(30);
                    w.metrics = m -> new MetricOutcome(m.name, MetricOutcome.Verdict.NO_DATA, null, "no values");
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.tick();
                    assertThat(w.phase())
                            .as("20s without progress: still holding")
                            .isEqualTo("Progressing");
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.events)
                            .contains("Warning Rolling back podinfo.test progress deadline exceeded no"
                                    + " progress for 30s: no values");
                    assertThat(w.actions)
                            .contains(new Action.SendAlert(
                                    "Rolling back: no metric data for 30s",
                                    io.sluice.analyzer.decision.Severity.ERROR,
                                    false));
                }),
                row("lastTransitionTime only moves when the status changes (Sluice quirk)", w -> {
                    w.metrics = CanaryDeciderTest::failRate;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(10, "Failed");
                    String failedAt = w.status.lastTransitionTime;
                    w.tick();
                    w.tick();
                    assertThat(w.status.lastTransitionTime).isEqualTo(failedAt);
                    assertThat(w.last.actions()).noneMatch(a -> a instanceof Action.EmitEvent);
                }),
                row("watch events between intervals run no checks and take no step", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.calls.clear();
                    w.event();
                    w.event();
                    assertThat(w.calls).isEmpty();
                    assertThat(w.weight()).isZero();
                }),
                row("reverting a failed release to the promoted revision starts no run", w -> {
                    w.metrics = CanaryDeciderTest::failRate;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(10, "Failed");
                    w.events.clear();
                    w.newRevision("rev-1").event();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.events).isEmpty();
                }),
                row("a change of a tracked ConfigMap starts a run", w -> {
                    w.configs = Map.of("configmap/podinfo-config", "aaaa");
                    w.initialized();
                    w.configs = Map.of("configmap/podinfo-config", "bbbb");
                    w.event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.status.trackedConfigs).containsEntry("configmap/podinfo-config", "bbbb");
                }),
                row("someone scaling the idle target back up is undone", w -> {
                    w.initialized();
                    w.target = Workload.settled("rev-1", 3);
                    w.event();
                    assertThat(w.target.specReplicas()).isZero();
                }),
                row(
                        "revertOnDeletion adds the finalizer; deletion restores the target and hands the routes back to"
                                + " the apex Service",
                        w -> {
                            w.spec.revertOnDeletion = true;
                            w.initialized();
                            assertThat(w.finalizer).isTrue();
                            w.deleting = true;
                            w.event();
                            assertThat(w.phase()).isEqualTo("Terminating");
                            assertThat(w.target.specReplicas()).isEqualTo(2);
                            w.event();
                            assertThat(w.actions)
                                    .containsSubsequence(new Action.RestoreApexService(), new Action.HandBackRoutes());
                            w.event();
                            assertThat(w.finalizer).isFalse();
                            assertThat(w.events)
                                    .containsExactly(
                                            "Normal Terminating canary podinfo.test",
                                            "Normal Terminated canary podinfo.test");
                        }),
                row("on deletion the finalizer stays until Gloo Mesh accepted the routes handed back", w -> {
                    w.spec.revertOnDeletion = true;
                    w.initialized();
                    w.deleting = true;
                    w.event();
                    w.event();
                    w.routes = new Routes(
                            null, null, null, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", true);
                    w.event();
                    assertThat(w.finalizer).isTrue();
                    assertThat(w.last.actions()).doesNotContain(new Action.RemoveFinalizer());
                    w.routes = Routes.handedBackAccepted();
                    w.event();
                    assertThat(w.finalizer).isFalse();
                }),
                row("the Promoted condition keeps its transition time while its status holds", w -> {
                    w.initialized().newRevision("rev-2").event();
                    String since = PromotedCondition.find(w.status.conditions).lastTransitionTime;
                    w.tick();
                    w.tick();
                    CanaryCondition c = PromotedCondition.find(w.status.conditions);
                    assertThat(c.reason).isEqualTo("Progressing");
                    assertThat(c.lastTransitionTime).isEqualTo(since);
                }),
                row("the seed's successful run emits Flagger's events in order", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(10, "Succeeded");
                    assertThat(w.events).containsExactlyElementsOf(io.sluice.analyzer.SeedEvents.PROMOTION);
                    assertThat(w.target.specReplicas()).isZero();
                    assertThat(w.calls)
                            .containsSubsequence(
                                    "hook/pre-rollout/acceptance-test@Progressing",
                                    "hook/rollout/load-test@Progressing",
                                    "metric/request-success-rate",
                                    "metric/request-duration",
                                    "call/post-rollout@Succeeded");
                }));
    }

    private static CanaryStatus.AdmittedRevision admitted(String revision, String user, String source) {
        CanaryStatus.AdmittedRevision a = new CanaryStatus.AdmittedRevision();
        a.revision = revision;
        a.user = user;
        a.source = source;
        return a;
    }
}
