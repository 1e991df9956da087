package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryDefaults;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The delegate's weights, read every tick, are what a run goes on from (Flagger's GetRoutes): a route that differs from
 * the status is taken as it is and repaired by the next weight write, with no tick lost; a delegate that cannot be read
 * holds the step and is rebuilt with no more canary traffic than the status records.
 */
class RouterWeightsTest {

    static Arguments row(String name, Consumer<World> scenario) {
        return Arguments.of(name, scenario);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behaves(String name, Consumer<World> scenario) {
        scenario.accept(new World());
    }

    /** A run of the seed's Canary at weight 30, routed 70/30 and accepted. */
    static World atThirty(World w) {
        w.initialized().newRevision("rev-2").event();
        w.tick();
        assertThat(w.weight()).isEqualTo(30);
        assertThat(w.routes).isEqualTo(Routes.accepted(70, 30));
        w.events.clear();
        w.actions.clear();
        return w;
    }

    static Routes delegate(Integer primary, Integer canary) {
        return new Routes(null, primary, canary, Routes.Acceptance.ACCEPTED, null, "podinfo-delegate.test", false);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("the next step goes on from the canary weight the delegate routes, not from the status", w -> {
                    atThirty(w);
                    w.routes = Routes.accepted(60, 40);
                    w.tick();
                    assertThat(w.last.consumedTick()).as("no tick held").isTrue();
                    assertThat(w.weight()).isEqualTo(70);
                    assertThat(w.routes).isEqualTo(Routes.accepted(30, 70));
                    assertThat(w.events).containsExactly("Normal Advance podinfo.test canary weight 70");
                    w.tick();
                    assertThat(w.phase()).as("70 is past maxWeight 50").isEqualTo("Promoting");
                }),
                row("a route forced to 60/40 still promotes in as many ticks as an untouched run", w -> {
                    World untouched = new World();
                    untouched.initialized().newRevision("rev-2").event();
                    int plain = 0;
                    while (!"Succeeded".equals(untouched.phase()) && plain < 12) {
                        untouched.tick();
                        plain++;
                    }
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    w.routes = Routes.accepted(60, 40);
                    int forced = 1;
                    while (!"Succeeded".equals(w.phase()) && forced < 12) {
                        w.tick();
                        forced++;
                    }
                    assertThat(w.phase()).isEqualTo("Succeeded");
                    assertThat(forced).isEqualTo(plain);
                    assertThat(w.routes).isEqualTo(Routes.accepted(100, 0));
                }),
                row("between ticks a route that differs from the status is kept as routed", w -> {
                    atThirty(w);
                    w.routes = Routes.accepted(60, 40);
                    w.event();
                    assertThat(w.actions).contains(new Action.SetRoutes(60, 40));
                    assertThat(w.actions).doesNotContain(new Action.SetRoutes(70, 30));
                    assertThat(w.weight())
                            .as("the status changes with a step only")
                            .isEqualTo(30);
                }),
                row("weights that do not add up to 100 are repaired around the canary's", w -> {
                    atThirty(w);
                    w.routes = delegate(50, 40);
                    w.event();
                    assertThat(w.routes).isEqualTo(Routes.accepted(60, 40));
                }),
                row("a missing delegate mid-run holds the step and is rebuilt with the status's weights", w -> {
                    atThirty(w);
                    w.routes = delegate(null, null);
                    w.tick();
                    assertThat(w.last.consumedTick()).as("the tick stays owed").isFalse();
                    assertThat(w.weight()).isEqualTo(30);
                    assertThat(w.events).isEmpty();
                    assertThat(w.routes).isEqualTo(Routes.accepted(70, 30));
                    w.reconcile(true);
                    assertThat(w.weight())
                            .as("the owed tick steps once the delegate is read")
                            .isEqualTo(60);
                }),
                row("a delegate routing 0/0 is unreadable: no step is taken from it and it is repaired", w -> {
                    atThirty(w);
                    w.routes = delegate(0, 0);
                    w.tick();
                    assertThat(w.last.consumedTick()).isFalse();
                    assertThat(w.events).noneMatch(e -> e.contains("Starting canary analysis"));
                    assertThat(w.routes).isEqualTo(Routes.accepted(70, 30));
                }),
                row("a readable delegate Gloo Mesh has not accepted yet still holds the step", w -> {
                    atThirty(w);
                    w.routes =
                            new Routes(null, 60, 40, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", false);
                    w.tick();
                    assertThat(w.last.consumedTick()).isFalse();
                    assertThat(w.actions)
                            .as("the pending weights are kept, not reverted to the status's")
                            .contains(new Action.SetRoutes(60, 40));
                }),
                row("the promotion steps back from the canary weight the delegate routes", w -> {
                    w.spec.analysis.stepWeight = 100;
                    w.spec.analysis.maxWeight = null;
                    w.spec.analysis.stepWeightPromotion = 30;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(5, "Promoting");
                    assertThat(w.routes).isEqualTo(Routes.accepted(0, 100));
                    w.routes = Routes.accepted(20, 80);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.routes).isEqualTo(Routes.accepted(50, 50));
                    assertThat(w.weight()).isEqualTo(50);
                    assertThat(w.events).last().isEqualTo("Normal Advance podinfo.test primary weight 50");
                }),
                row("a route moved off 100/0 while finalising is repaired before the canary is scaled down", w -> {
                    w.spec.analysis.stepWeight = 100;
                    w.spec.analysis.maxWeight = null;
                    w.initialized().newRevision("rev-2").event();
                    w.tickUntil(5, "Finalising");
                    w.routes = Routes.accepted(60, 40);
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Finalising");
                    assertThat(w.routes).isEqualTo(Routes.accepted(100, 0));
                    assertThat(w.target.specReplicas())
                            .as("not scaled down yet")
                            .isPositive();
                    w.reconcile(true);
                    assertThat(w.phase()).isEqualTo("Succeeded");
                }),
                row("a new run does not inherit the weights of the run before: its first step waits for 100/0", w -> {
                    atThirty(w);
                    w.newRevision("rev-3").event();
                    assertThat(w.weight()).isZero();
                    // The restart's status was written, its routes were not (a crash in between).
                    w.routes = Routes.accepted(40, 60);
                    w.events.clear();
                    w.tick();
                    assertThat(w.last.consumedTick()).isFalse();
                    assertThat(w.events).isEmpty();
                    assertThat(w.routes).isEqualTo(Routes.accepted(100, 0));
                    w.reconcile(true);
                    assertThat(w.events)
                            .containsSubsequence(
                                    "Normal Starting canary analysis for podinfo.test",
                                    "Normal Advance podinfo.test canary weight 30");
                }),
                row("a step whose route write was lost is not taken twice: the delegate is routed to the status", w -> {
                    atThirty(w);
                    w.tick();
                    assertThat(w.weight()).isEqualTo(60);
                    w.routes = Routes.accepted(70, 30); // the status write landed, the route write did not
                    w.events.clear();
                    w.event();
                    assertThat(w.routes).isEqualTo(Routes.accepted(40, 60));
                    w.tick();
                    assertThat(w.phase()).isEqualTo("Promoting");
                    assertThat(w.events).noneMatch(e -> e.contains("canary weight"));
                }),
                row(
                        "a route write of Sluice's own lost past the progress deadline is repaired, never rolled back",
                        w -> {
                            atThirty(w);
                            w.tick();
                            assertThat(w.weight()).isEqualTo(60);
                            // The status write landed, the route write did not, and the retry came after the deadline
                            // (an
                            // API server too slow to answer the status write within the client's timeout).
                            w.routes = Routes.accepted(70, 30);
                            w.now = w.now.plusSeconds(CanaryDefaults.progressDeadlineSeconds(w.spec) + 60);
                            w.events.clear();
                            w.tick();
                            assertThat(w.phase()).isEqualTo("Progressing");
                            assertThat(w.events).noneMatch(e -> e.contains("Rolling back"));
                            assertThat(w.last.consumedTick())
                                    .as("the step stays owed")
                                    .isFalse();
                            assertThat(w.routes).isEqualTo(Routes.accepted(40, 60));
                            w.reconcile(true);
                            assertThat(w.phase()).isEqualTo("Promoting");
                        }),
                row("a step Gloo Mesh does not accept within the progress deadline still rolls back", w -> {
                    atThirty(w);
                    w.routes =
                            new Routes(null, 70, 30, Routes.Acceptance.PENDING, null, "podinfo-delegate.test", false);
                    w.now = w.now.plusSeconds(CanaryDefaults.progressDeadlineSeconds(w.spec) + 60);
                    w.tick();
                    assertThat(w.events)
                            .anyMatch(e -> e.contains("Rolling back")
                                    && e.contains("RouteTable podinfo-delegate.test not accepted at weight 30"));
                }),
                row("a first step whose route write was lost does not start the analysis again", w -> {
                    w.initialized().newRevision("rev-2").event();
                    w.tick();
                    assertThat(w.weight()).isEqualTo(30);
                    w.routes = Routes.accepted(100, 0);
                    w.events.clear();
                    w.tick();
                    assertThat(w.events).noneMatch(e -> e.contains("Starting canary analysis"));
                    assertThat(w.routes).isEqualTo(Routes.accepted(70, 30));
                    w.reconcile(true);
                    assertThat(w.weight()).isEqualTo(60);
                }),
                row("outside a run the status is the intent: a Succeeded Canary's routes go back to 100/0", w -> {
                    w.initialized();
                    w.routes = Routes.accepted(60, 40);
                    w.event();
                    assertThat(w.routes).isEqualTo(Routes.accepted(100, 0));
                }));
    }
}
