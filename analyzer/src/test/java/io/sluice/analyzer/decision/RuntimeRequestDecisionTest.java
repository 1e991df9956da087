package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runtime requests (promote, abort, retry, pause, resume) as the decision carries them out: each action in a phase it
 * fits and in one it does not, a recorded request the annotation no longer backs, and a pause across ticks.
 */
class RuntimeRequestDecisionTest {

    static Arguments row(String name, Consumer<World> scenario) {
        return Arguments.of(name, scenario);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("behaviours")
    void behaves(String name, Consumer<World> scenario) {
        scenario.accept(new World());
    }

    /** A run of rev-2 at canary weight 30. */
    static World atWeight30(World w) {
        w.initialized().newRevision("rev-2").event();
        w.tick();
        assertThat(w.weight()).isEqualTo(30);
        w.events.clear();
        w.calls.clear();
        w.actions.clear();
        return w;
    }

    static World failed(World w) {
        atWeight30(w).request("abort", "rev-2", "alice", "kubectl").event();
        assertThat(w.phase()).isEqualTo("Failed");
        w.event(); // the routes are at 100/0 now: the canary goes to 0
        assertThat(w.target.specReplicas()).isZero();
        w.events.clear();
        w.calls.clear();
        w.actions.clear();
        return w;
    }

    static void handled(World w, String action, String revision, String outcome, String message) {
        CanaryStatus.HandledRequest h = w.status.requestHandled;
        assertThat(h).isNotNull();
        assertThat(List.of(h.uid, h.action, h.revision, h.outcome))
                .containsExactly(w.status.request.uid, action, revision, outcome);
        assertThat(h.message).isEqualTo(message);
        assertThat(h.handledAt)
                .isEqualTo(
                        w.now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    }

    static CanaryCondition condition(World w, String type) {
        return CanaryDeciderTest.condition(w, type);
    }

    static Stream<Arguments> behaviours() {
        return Stream.of(
                row("promote mid-run skips the remaining steps and promotes at once, on the watch event", w -> {
                    atWeight30(w).request("promote", "rev-2", "alice", "kubectl-sluice");
                    w.event();
                    assertThat(w.events)
                            .containsExactly(
                                    "Normal Promotion requested by alice via kubectl-sluice",
                                    "Normal Copying podinfo.test template spec to podinfo-primary.test");
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.primary.revision()).isEqualTo("rev-2");
                    assertThat(w.calls).as("no check runs").isEmpty();
                    handled(w, "promote", "rev-2", "done", "Promotion requested by alice via kubectl-sluice");
                    assertThat(w.status.lastTransitionTime)
                            .isEqualTo(w.now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                                    .toString());
                    w.tickUntil(5, "Succeeded");
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Routing all traffic to primary",
                                    "Normal Promotion completed! Scaling down podinfo.test");
                    assertThat(w.target.specReplicas()).isZero();
                    assertThat(w.status.lastPromotedSpec).isEqualTo("rev-2");
                }),
                row("promote skips the confirm-promotion hooks that hold a run in WaitingPromotion", w -> {
                    w.spec.analysis.webhooks.add(World.hook("approve", "confirm-promotion"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("approve"), 403, "denied");
                    atWeight30(w).tickUntil(5, "WaitingPromotion");
                    w.calls.clear();
                    w.request("promote", "rev-2", "alice", "argocd").event();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.calls).isEmpty();
                    w.tickUntil(5, "Succeeded");
                    assertThat(w.calls).noneMatch(c -> c.startsWith("hook/confirm-promotion"));
                }),
                row("promote in Waiting promotes the target's template without running it", w -> {
                    w.spec.analysis.webhooks.add(World.hook("gate", "confirm-rollout"));
                    w.hooks = h -> new HookOutcome(h.name, !h.name.equals("gate"), 403, "denied");
                    w.initialized().newRevision("rev-2").event();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    w.request("promote", "rev-1", "alice", "kubectl").event();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.status.lastAppliedSpec).isEqualTo("rev-2");
                    w.tickUntil(5, "Succeeded");
                    assertThat(w.primary.revision()).isEqualTo("rev-2");
                }),
                row("promote or abort of a run waiting for a slot of the budget is rejected with its place", w -> {
                    w.initialized();
                    w.standing = new ProgressBudget.Standing(1, 2, 2);
                    w.newRevision("rev-2").event();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    String place = condition(w, ProgressBudget.QUEUED_CONDITION).message;
                    for (String action : List.of("promote", "abort")) {
                        w.events.clear();
                        w.request(action, "rev-1", "alice", "kubectl").event();
                        assertThat(w.events)
                                .containsExactly("Warning Request to " + action + " by alice via kubectl rejected:"
                                        + " waiting for a slot of the concurrency budget: " + place);
                        handled(
                                w,
                                action,
                                "rev-1",
                                "rejected",
                                "waiting for a slot of the concurrency budget: " + place);
                        assertThat(w.phase()).isEqualTo("Waiting");
                        assertThat(w.actions).noneMatch(a -> a instanceof Action.PromoteTemplate);
                    }
                }),
                row("promote after the run ended is rejected with the reason and a Warning", w -> {
                    w.initialized()
                            .request("promote", "rev-1", "alice", "kubectl")
                            .event();
                    String reason = "promote needs a run in progress before promotion (Waiting, Progressing or"
                            + " WaitingPromotion), and the canary is in phase Initialized";
                    assertThat(w.events)
                            .containsExactly("Warning Request to promote by alice via kubectl rejected: " + reason);
                    assertThat(w.phase()).isEqualTo("Initialized");
                    handled(w, "promote", "rev-1", "rejected", reason);
                    assertThat(w.actions).noneMatch(a -> a instanceof Action.PromoteTemplate);
                }),
                row("abort mid-run routes 100/0 first and scales the canary down once the routes show it", w -> {
                    atWeight30(w).request("abort", "rev-2", "alice", "kubectl").event();
                    assertThat(w.phase()).isEqualTo("Failed");
                    assertThat(w.events)
                            .containsExactly(
                                    "Warning Abort requested by alice via kubectl",
                                    "Warning Canary failed! Scaling down podinfo.test");
                    assertThat(w.actions)
                            .contains(
                                    new Action.SetRoutes(100, 0),
                                    new Action.SendAlert(
                                            "Rolling back: abort requested by alice via kubectl", Severity.WARN, false))
                            .doesNotContain(new Action.ScaleTarget(0));
                    assertThat(w.calls).containsExactly("call/post-rollout@Failed");
                    handled(w, "abort", "rev-2", "done", "Abort requested by alice via kubectl");
                    w.actions.clear();
                    w.event();
                    assertThat(w.actions).contains(new Action.ScaleTarget(0));
                    assertThat(w.status.lastAppliedSpec).isEqualTo("rev-2");
                    assertThat(w.status.lastPromotedSpec).isEqualTo("rev-1");
                }),
                row("abort of a run that already failed is rejected", w -> {
                    failed(w).request("abort", "rev-2", "bob", "kubectl").event();
                    assertThat(w.events)
                            .containsExactly("Warning Request to abort by bob via kubectl rejected: abort needs a run"
                                    + " in progress before promotion (Waiting, Progressing or WaitingPromotion), and"
                                    + " the canary is in phase Failed");
                    assertThat(w.status.requestHandled.outcome).isEqualTo("rejected");
                }),
                row("retry runs the failed revision again as a new run of the requester", w -> {
                    failed(w).request("retry", "rev-2", "bob", "kubectl-sluice").event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events)
                            .containsExactly(
                                    "Normal Retry requested by bob via kubectl-sluice",
                                    "Normal New revision detected! Scaling up podinfo.test");
                    assertThat(w.target.specReplicas()).isEqualTo(2);
                    assertThat(w.status.currentRun.revision).isEqualTo("rev-2");
                    assertThat(List.of(w.status.currentRun.user, w.status.currentRun.source))
                            .containsExactly("bob", "kubectl-sluice");
                    assertThat(w.failedChecks()).isZero();
                    handled(w, "retry", "rev-2", "done", "Retry requested by bob via kubectl-sluice");
                    w.tickUntil(10, "Succeeded");
                }),
                row("a retry that waits for a slot of the budget starts later as the requester's run", w -> {
                    failed(w);
                    w.standing = new ProgressBudget.Standing(1, 2, 2);
                    w.request("retry", "rev-2", "bob", "kubectl-sluice").event();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    assertThat(w.events).first().isEqualTo("Normal Retry requested by bob via kubectl-sluice");
                    w.standing = new ProgressBudget.Standing(1, 2, 2);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    w.actions.clear();

                    w.standing = ProgressBudget.Standing.FREE;
                    w.event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.status.currentRun.revision).isEqualTo("rev-2");
                    assertThat(java.util.Arrays.asList(w.status.currentRun.user, w.status.currentRun.source))
                            .containsExactly("bob", "kubectl-sluice");
                    assertThat(w.actions)
                            .filteredOn(a -> a instanceof Action.EmitEvent)
                            .map(a -> (Action.EmitEvent) a)
                            .singleElement()
                            .satisfies(e -> {
                                assertThat(e.message()).isEqualTo("New revision detected! Scaling up podinfo.test");
                                assertThat(e.annotations())
                                        .containsEntry("sluice.io/user", "bob")
                                        .containsEntry("sluice.io/source", "kubectl-sluice")
                                        .containsEntry("sluice.io/revision", "rev-2");
                            });
                }),
                row("a new revision that waits for a slot after a retry ran is not the retry's", w -> {
                    failed(w).request("retry", "rev-2", "bob", "kubectl-sluice").event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    w.tickUntil(10, "Succeeded");
                    w.standing = new ProgressBudget.Standing(1, 2, 2);
                    w.newRevision("rev-3").event();
                    assertThat(w.phase()).isEqualTo("Waiting");
                    w.standing = ProgressBudget.Standing.FREE;
                    w.event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.status.currentRun.revision).isEqualTo("rev-3");
                    assertThat(w.status.currentRun.user).isNull();
                }),
                row("retry of a run in progress is rejected", w -> {
                    atWeight30(w).request("retry", "rev-2", "bob", "kubectl").event();
                    assertThat(w.events)
                            .containsExactly("Warning Request to retry by bob via kubectl rejected: retry needs a"
                                    + " failed run, and the canary is in phase Progressing");
                    assertThat(w.weight()).isEqualTo(30);
                }),
                row("retry after the target changed is rejected: the new revision runs instead", w -> {
                    failed(w)
                            .request("retry", "rev-2", "bob", "kubectl")
                            .newRevision("rev-3")
                            .event();
                    assertThat(w.events)
                            .containsExactly(
                                    "Warning Request to retry by bob via kubectl rejected: the target's template"
                                            + " changed since (revision rev-3), which gets a run of its own",
                                    "Normal New revision detected! Scaling up podinfo.test");
                    assertThat(w.status.currentRun.revision).isEqualTo("rev-3");
                    assertThat(w.status.currentRun.user).isNull();
                }),
                row("a promote pending while a new revision arrives is rejected and the run restarts", w -> {
                    atWeight30(w)
                            .request("promote", "rev-2", "alice", "kubectl")
                            .newRevision("rev-3")
                            .event();
                    assertThat(w.events)
                            .containsExactly(
                                    "Warning Request to promote by alice via kubectl rejected: the target's template"
                                            + " changed since (revision rev-3), which gets a run of its own",
                                    "Normal New revision detected! Restarting analysis for podinfo.test");
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.actions).noneMatch(a -> a instanceof Action.PromoteTemplate);
                }),
                row("pause holds the weight across ticks: no step, no check, no failed check", w -> {
                    atWeight30(w).request("pause", "rev-2", "carol", "flux").event();
                    assertThat(w.events).containsExactly("Normal Pause requested by carol via flux");
                    handled(w, "pause", "rev-2", "done", "Pause requested by carol via flux");
                    assertThat(condition(w, "Paused").message)
                            .isEqualTo("Pause requested by carol via flux; held at canary weight 30 until a resume"
                                    + " request (sluice.io/request=resume)");
                    w.metrics = CanaryDeciderTest::failRate;
                    w.events.clear();
                    for (int i = 0; i < 8; i++) {
                        w.tick();
                    }
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.failedChecks()).isZero();
                    assertThat(w.calls).isEmpty();
                    assertThat(w.events).isEmpty();
                    assertThat(w.routes.canary()).isEqualTo(30);
                    assertThat(w.phase()).isEqualTo("Progressing");
                }),
                row("a paused run with a canary not ready past the progress deadline is not rolled back", w -> {
                    atWeight30(w).request("pause", "rev-2", "carol", "kubectl").event();
                    w.target = CanaryDeciderTest.notReady("rev-2", Instant.parse("2025-01-01T00:00:00Z"));
                    for (int i = 0; i < 30; i++) {
                        w.tick(); // 30 intervals of a minute: three times the 600 s deadline
                    }
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events).noneMatch(e -> e.contains("Rolling back") || e.contains("not ready"));
                    assertThat(condition(w, "WorkloadNotReady")).isNull();
                }),
                row("resume continues the run from its weight", w -> {
                    atWeight30(w).request("pause", "rev-2", "carol", "kubectl").event();
                    w.tick();
                    w.tick();
                    w.request("resume", "rev-2", "dave", "argocd").event();
                    assertThat(w.events).endsWith("Normal Resume requested by dave via argocd");
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(condition(w, "Paused")).isNull();
                    handled(w, "resume", "rev-2", "done", "Resume requested by dave via argocd");
                    w.tick();
                    assertThat(w.weight()).isEqualTo(60);
                    w.tickUntil(5, "Succeeded");
                }),
                row("pause outside a run and resume of a run not paused are rejected", w -> {
                    w.initialized()
                            .request("pause", "rev-1", "carol", "kubectl")
                            .event();
                    assertThat(w.status.requestHandled.outcome).isEqualTo("rejected");
                    assertThat(w.status.requestHandled.message).contains("pause needs a run in progress");
                    atWeight30(w).request("resume", "rev-2", "carol", "kubectl").event();
                    assertThat(w.events)
                            .containsExactly(
                                    "Warning Request to resume by carol via kubectl rejected: the run is not paused");
                    w.tick();
                    assertThat(w.weight()).isEqualTo(60);
                }),
                row("a recorded request the annotation does not back is not acted on", w -> {
                    atWeight30(w).request("abort", "rev-2", "alice", "kubectl");
                    w.requestAnnotation = null;
                    w.event();
                    w.requestAnnotation = "promote";
                    w.event();
                    w.requestAnnotation = "abort@rev-1";
                    w.event();
                    w.requestAnnotation = "abort@";
                    w.event();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events).isEmpty();
                    assertThat(w.status.requestHandled).isNull();
                    w.requestAnnotation = "abort@rev-2";
                    w.event();
                    assertThat(w.phase()).isEqualTo("Failed");
                }),
                row("a recorded pause the annotation no longer backs keeps a resume pending, and the run paused", w -> {
                    atWeight30(w).request("pause", "rev-2", "carol", "kubectl").event();
                    w.request("resume", "rev-2", "dave", "kubectl");
                    w.requestAnnotation = "pause";
                    w.tick();
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(condition(w, "Paused")).isNotNull();
                }),
                row("a handled request is never carried out again", w -> {
                    atWeight30(w)
                            .request("promote", "rev-2", "alice", "kubectl")
                            .event();
                    w.tickUntil(5, "Succeeded");
                    w.newRevision("rev-3").event();
                    w.tick();
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Progressing");
                    assertThat(w.events.stream().filter(e -> e.contains("Promotion requested")))
                            .hasSize(1);
                    assertThat(w.status.requestHandled.uid).isEqualTo(w.status.request.uid);
                }));
    }
}
