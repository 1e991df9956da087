package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.PromotedCondition;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed scenario, tick by tick, against the mock API server (spec §10.2, DESIGN.md's flow). After each reconcile the
 * test plays the Deployment controller ({@link MockCluster#settle()}) and the garbage collector
 * ({@link MockCluster#collectGarbage()}).
 */
class SeedScenarioTest {
    static final Duration INTERVAL = Duration.ofSeconds(20);
    /** Analysis ticks from the seed's detected revision to Succeeded: 30, 60, promote, route to primary, scale down. */
    static final int SEED_RUN_TICKS = 5;

    MockCluster cluster;
    Vertx vertx;
    WorkerExecutor pool;
    final TestGates gates = new TestGates();
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-17T08:09:51Z"));
    Reconciler reconciler;

    @BeforeEach
    void start() {
        cluster = new MockCluster().seed();
        vertx = Vertx.vertx();
        pool = vertx.createSharedWorkerExecutor(Controller.POOL, 4);
        reconciler = newReconciler();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        await(vertx.close());
    }

    final List<String> phasesSeen = new java.util.concurrent.CopyOnWriteArrayList<>();

    Reconciler newReconciler() {
        return newReconciler(Settings.defaults());
    }

    Reconciler newReconciler(Settings settings) {
        return new Reconciler(
                        new Kube(cluster.client, pool, () -> true),
                        cluster.caches(),
                        settings,
                        gates,
                        gates,
                        gates,
                        clock)
                .listener(new ReconcileListener() {
                    @Override
                    public void reconciled(
                            Canary canary,
                            io.sluice.model.flagger.CanaryStatus before,
                            io.sluice.model.flagger.CanaryStatus after,
                            Duration took) {
                        if (phasesSeen.isEmpty()
                                || !java.util.Objects.equals(phasesSeen.get(phasesSeen.size() - 1), after.phase)) {
                            phasesSeen.add(after.phase);
                        }
                    }

                    @Override
                    public void failed(String key, Throwable error, Duration took) {
                        phasesSeen.add("error: " + error);
                    }

                    @Override
                    public void forgotten(String key) {}
                });
    }

    Reconciler.Outcome tick() throws Exception {
        clock.advance(INTERVAL);
        cluster.awaitCaches();
        Reconciler.Outcome o = await(reconciler.reconcile("test", "podinfo", true));
        cluster.settle();
        cluster.collectGarbage();
        return o;
    }

    Reconciler.Outcome watchEvent() throws Exception {
        clock.advance(Duration.ofMillis(50));
        cluster.awaitCaches();
        Reconciler.Outcome o = await(reconciler.reconcile("test", "podinfo", false));
        cluster.settle();
        cluster.collectGarbage();
        return o;
    }

    String phase() {
        return cluster.canary().getStatus().phase;
    }

    void bootstrap() throws Exception {
        tick();
        watchEvent();
        assertThat(phase()).isEqualTo("Initialized");
    }

    String image(String deployment) {
        return cluster.deployment(deployment)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage();
    }

    @Test
    @DisplayName(
            "bootstrap creates the primary, the three Services and the delegate RouteTable, then scales the target to 0")
    void bootstrapCreatesTheOwnedObjects() throws Exception {
        tick();
        assertThat(phase()).isEqualTo("Initializing");
        watchEvent();

        Canary canary = cluster.canary();
        assertThat(canary.getStatus().phase).isEqualTo("Initialized");
        assertThat(canary.getStatus().canaryWeight).isZero();
        CanaryCondition promoted = PromotedCondition.find(canary.getStatus().conditions);
        assertThat(promoted.status).isEqualTo("True");
        assertThat(promoted.reason).isEqualTo("Initialized");

        Deployment primary = cluster.deployment("podinfo-primary");
        assertThat(primary.getSpec().getSelector().getMatchLabels())
                .containsExactlyEntriesOf(MockCluster.map("app", "podinfo-primary"));
        assertThat(primary.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "podinfo-primary");
        assertThat(primary.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();

        for (String[] svc : new String[][] {
            {"podinfo", "podinfo-primary"}, {"podinfo-primary", "podinfo-primary"}, {"podinfo-canary", "podinfo"}
        }) {
            Service s = cluster.client
                    .services()
                    .inNamespace("test")
                    .withName(svc[0])
                    .get();
            assertThat(s.getSpec().getSelector()).containsExactlyEntriesOf(MockCluster.map("app", svc[1]));
            assertThat(s.getMetadata().getLabels())
                    .containsEntry("expose", "true")
                    .containsEntry("app", svc[0]);
            assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(9898);
        }

        RouteTable delegate = cluster.delegate();
        assertThat(delegate.getMetadata().getLabels()).containsEntry("expose", "true");
        assertThat(delegate.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Canary");
            assertThat(o.getController()).isTrue();
        });
        assertThat(delegate.getSpec().hosts).as("a child carries no hosts").isNull();
        var route = delegate.getSpec().http.get(0);
        assertThat(route.name).isEqualTo("weighted-route");
        assertThat(route.forwardTo.destinations)
                .extracting(d -> d.ref.name, d -> d.port.number, d -> d.weight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("podinfo-primary", 9898, 100),
                        org.assertj.core.groups.Tuple.tuple("podinfo-canary", 9898, 0));

        List<Event> events = cluster.events();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getMessage()).isEqualTo("Initialization done! podinfo.test");
            assertThat(e.getReason()).isEqualTo("Synced");
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getSource().getComponent()).isEqualTo("sluice");
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Canary");
        });
    }

    @Test
    @DisplayName("a set image is promoted through weights 30 and 60 with the seed's Events in order")
    void promotesTheSeedRelease() throws Exception {
        bootstrap();
        gates.events.clear();
        cluster.setImage("6.0.1");
        watchEvent();
        assertThat(phase())
                .as("detected on the watch event, before any interval")
                .isEqualTo("Progressing");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);

        List<List<Integer>> weights = new ArrayList<>();
        for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
            tick();
            weights.add(cluster.weights());
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(weights).hasSize(SEED_RUN_TICKS);
        assertThat(weights).containsSubsequence(List.of(70, 30), List.of(40, 60), List.of(100, 0));
        assertThat(image("podinfo-primary")).endsWith(":6.0.1");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        assertThat(gates.events).containsExactlyElementsOf(SeedEvents.PROMOTION);
        assertThat(phasesSeen)
                .containsExactly("Initializing", "Initialized", "Progressing", "Promoting", "Finalising", "Succeeded");
        Canary canary = cluster.canary();
        assertThat(canary.getStatus().lastPromotedSpec).isEqualTo(canary.getStatus().lastAppliedSpec);
        assertThat(canary.getStatus().currentRun.revision).isEqualTo(canary.getStatus().lastAppliedSpec);
    }

    @Test
    @DisplayName("the delegate forced to 60/40 mid-run, as Flagger's promotion test does, is the router's truth: it is"
            + " kept between ticks, the next step goes on from 40, and the release promotes in as many ticks as an"
            + " untouched one")
    void routeForcedMidRunIsTakenAsRouted() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        tick();
        assertThat(cluster.weights()).containsExactly(70, 30);
        RouteTable d = cluster.delegate();
        d.getSpec().http.get(0).forwardTo.destinations.get(0).weight = 60;
        d.getSpec().http.get(0).forwardTo.destinations.get(1).weight = 40;
        cluster.client
                .resources(RouteTable.class)
                .inNamespace("test")
                .resource(d)
                .update();
        watchEvent();
        assertThat(cluster.weights()).as("not reverted to the status's 70/30").containsExactly(60, 40);
        assertThat(cluster.canary().getStatus().canaryWeight).isEqualTo(30);

        List<List<Integer>> weights = new ArrayList<>();
        weights.add(List.of(70, 30));
        for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
            tick();
            weights.add(cluster.weights());
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(weights).as("ticks, the first one included").hasSize(SEED_RUN_TICKS);
        assertThat(weights.get(1)).as("one step of 30 on from the forced 40").containsExactly(30, 70);
        assertThat(weights).last().isEqualTo(List.of(100, 0));
        assertThat(gates.events).contains("Normal Advance podinfo.test canary weight 70");
        assertThat(image("podinfo-primary")).endsWith(":6.0.1");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
    }

    @Test
    @DisplayName("a template changed during the promotion tick's checks is not copied: the primary keeps the old"
            + " template and the run restarts")
    void templateChangedDuringPromotionIsNotCopied() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        for (int i = 0; i < 4 && !cluster.weights().equals(List.of(40, 60)); i++) {
            tick();
        }
        assertThat(cluster.weights()).containsExactly(40, 60);
        String analysed = cluster.canary().getStatus().lastAppliedSpec;
        java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
        gates.metrics = m -> {
            if (changed.compareAndSet(false, true)) {
                cluster.setImage("6.0.2");
                // The promotion reads the target from the cache: the change must have reached it, as it has in a
                // cluster when a check takes longer than a watch round trip.
                cluster.awaitCaches();
            }
            return new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
        };
        tick();
        assertThat(changed).isTrue();
        assertThat(image("podinfo-primary"))
                .as("the unanalysed template is not promoted")
                .endsWith(":6.0.0");
        assertThat(gates.events)
                .anyMatch(e -> e.startsWith("Warning Promotion of podinfo.test skipped: its template" + " changed"));
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
        assertThat(cluster.canary().getStatus().lastAppliedSpec).isNotEqualTo(analysed);
        assertThat(cluster.canary().getStatus().canaryWeight).isZero();
        assertThat(gates.events).last().isEqualTo("Normal New revision detected! Restarting analysis for podinfo.test");
        assertThat(image("podinfo-primary")).endsWith(":6.0.0");
    }

    @Test
    @DisplayName("failing success rate rolls the release back after five failed checks")
    void rollsBackOnFailingChecks() throws Exception {
        bootstrap();
        cluster.setImage("6.0.2");
        watchEvent();
        gates.events.clear();
        gates.metrics = m -> m.name.equals("request-success-rate")
                ? new MetricOutcome(
                        m.name,
                        MetricOutcome.Verdict.FAIL,
                        89.02,
                        "Halt podinfo.test advancement success rate 89.02% < 99%")
                : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 10.0, null);
        for (int i = 0; i < 10 && !"Failed".equals(phase()); i++) {
            tick();
        }
        Canary canary = cluster.canary();
        assertThat(canary.getStatus().phase).isEqualTo("Failed");
        assertThat(canary.getStatus().failedChecks)
                .as("kept after the rollback")
                .isEqualTo(5);
        assertThat(canary.getStatus().canaryWeight).isZero();
        assertThat(cluster.weights()).containsExactly(100, 0);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("not before the routes are read back")
                .isEqualTo(2);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        assertThat(image("podinfo-primary")).endsWith(":6.0.0");
        assertThat(gates.events)
                .containsExactlyElementsOf(
                        SeedEvents.rollback("Halt podinfo.test advancement success rate 89.02% < 99%"));
    }

    @Test
    @DisplayName("a failed delegate RouteTable write during a rollback still says Canary failed and calls the"
            + " post-rollout hooks; the routes are repaired on the next reconcile")
    void failedRouteWriteDuringRollbackDropsNothing() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    var h = new io.sluice.model.flagger.CanaryAnalysis.Webhook();
                    h.name = "notify";
                    h.type = "post-rollout";
                    h.url = "http://flagger-loadtester.test/";
                    c.getSpec().analysis.webhooks.add(h);
                    return c;
                });
        bootstrap();
        cluster.setImage("6.0.2");
        watchEvent();
        gates.metrics = m -> m.name.equals("request-success-rate")
                ? new MetricOutcome(
                        m.name,
                        MetricOutcome.Verdict.FAIL,
                        89.02,
                        "Halt podinfo.test advancement success rate 89.02% < 99%")
                : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 10.0, null);
        for (int i = 0; i < 10 && cluster.canary().getStatus().failedChecks < 5; i++) {
            tick();
        }
        assertThat(cluster.weights()).containsExactly(70, 30);
        gates.events.clear();
        gates.calls.clear();
        cluster.conflictOnce.set("/apis/networking.gloo.solo.io/v2/namespaces/test/routetables/podinfo-delegate");
        org.assertj.core.api.Assertions.assertThatThrownBy(this::tick)
                .as("reported for backoff")
                .satisfies(e -> {
                    Throwable c = e;
                    while (c != null && !(c instanceof Reconciler.ActionsFailed)) {
                        c = c.getCause();
                    }
                    assertThat(c)
                            .as("the failure carries what the written status decided")
                            .isNotNull();
                    assertThat(((Reconciler.ActionsFailed) c).outcome().status().phase())
                            .isEqualTo(CanaryPhase.Failed);
                    assertThat(io.sluice.analyzer.kube.Kube.isConflict(c)).isTrue();
                });
        assertThat(cluster.conflictOnce.get()).as("the conflict was served").isNull();
        assertThat(phase()).isEqualTo("Failed");
        assertThat(gates.events).contains("Warning Canary failed! Scaling down podinfo.test");
        assertThat(gates.calls).contains("hook/notify@Failed");
        assertThat(cluster.weights()).as("not written yet").containsExactly(70, 30);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("not scaled down while the canary still gets traffic")
                .isEqualTo(2);
        watchEvent();
        assertThat(cluster.weights()).containsExactly(100, 0);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
    }

    /** Bootstrap, a new revision, and failing checks until the next tick rolls back at 70/30. */
    void failingRunAtThreshold() throws Exception {
        bootstrap();
        cluster.setImage("6.0.2");
        watchEvent();
        gates.metrics = m -> m.name.equals("request-success-rate")
                ? new MetricOutcome(
                        m.name,
                        MetricOutcome.Verdict.FAIL,
                        89.02,
                        "Halt podinfo.test advancement success rate 89.02% < 99%")
                : new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 10.0, null);
        for (int i = 0; i < 10 && cluster.canary().getStatus().failedChecks < 5; i++) {
            tick();
        }
        assertThat(cluster.weights()).containsExactly(70, 30);
    }

    @Test
    @DisplayName(
            "a RouteTable write Gloo's validation refuses (422) during a rollback leaves the canary running and says"
                    + " why in Warning Events; once the routes are written the canary is scaled down")
    void refusedRouteWriteDuringRollbackKeepsTheCanary() throws Exception {
        failingRunAtThreshold();
        gates.events.clear();
        cluster.refuseRouteTables.set(422);
        for (int i = 0; i < 2; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(this::tick)
                    .as("reported for backoff")
                    .hasMessageContaining("code=422");
            assertThat(phase()).isEqualTo("Failed");
            assertThat(cluster.weights()).containsExactly(70, 30);
            assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                    .as("the canary still gets 30% of the traffic")
                    .isEqualTo(2);
        }
        assertThat(gates.events)
                .anyMatch(e -> e.startsWith("Warning RouteTable podinfo-delegate.test not written: ")
                        && e.contains("denied the request: weights do not add up"));
        assertThat(gates.events)
                .contains("Warning Scaling down podinfo.test waits until RouteTable"
                        + " podinfo-delegate.test routes all traffic to the primary and Gloo Mesh accepted it");

        cluster.refuseRouteTables.set(null);
        watchEvent();
        assertThat(cluster.weights()).containsExactly(100, 0);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("routed, not yet read back")
                .isEqualTo(2);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
    }

    @Test
    @DisplayName("after a rollback the canary is scaled down only once Gloo Mesh accepted the 100/0 routes")
    void rollbackScalesDownOnlyAfterGlooAccepted() throws Exception {
        failingRunAtThreshold();
        cluster.glooStatus(true);
        tick();
        assertThat(phase()).isEqualTo("Failed");
        assertThat(cluster.weights()).containsExactly(100, 0);
        cluster.glooStatus(false);
        watchEvent();
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("written, not accepted")
                .isEqualTo(2);
        cluster.glooStatus(true);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
    }

    @Test
    @DisplayName("the repair after a crash mid-rollback (status Failed, routes still 70/30) routes first and scales"
            + " down after")
    void repairAfterCrashMidRollbackRoutesFirst() throws Exception {
        failingRunAtThreshold();
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .editStatus(c -> {
                    c.getStatus().phase = "Failed";
                    c.getStatus().canaryWeight = 0;
                    return c;
                });
        watchEvent();
        assertThat(cluster.weights()).containsExactly(100, 0);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
    }

    @Test
    @DisplayName("a suspended Canary is not written to (no status, no routes, no scaling, no finalizer): only Flagger's"
            + " Event; resumed, the run goes on from the weight the delegate routes")
    void suspendedCanaryIsNotWrittenTo() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        tick();
        assertThat(cluster.weights()).containsExactly(70, 30);
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().suspend = true;
                    c.getSpec().revertOnDeletion = true;
                    return c;
                });
        cluster.client
                .resources(RouteTable.class)
                .inNamespace("test")
                .withName("podinfo-delegate")
                .edit(t -> {
                    t.getSpec().http.get(0).forwardTo.destinations.get(0).weight = 60;
                    t.getSpec().http.get(0).forwardTo.destinations.get(1).weight = 40;
                    return t;
                });
        String status = cluster.client
                .getKubernetesSerialization()
                .asJson(cluster.canary().getStatus());
        int from = cluster.requests.size();
        watchEvent();
        tick();
        tick();
        assertThat(cluster.requestsSince(from))
                .filteredOn(r -> !r.startsWith("GET "))
                .filteredOn(r -> !r.matches("PUT .*/deployments/[^/]+/status"))
                .as("besides the test's settle()")
                .isNotEmpty()
                .allMatch(r -> r.contains("/events"), "only Events");
        assertThat(cluster.client
                        .getKubernetesSerialization()
                        .asJson(cluster.canary().getStatus()))
                .isEqualTo(status);
        assertThat(cluster.weights()).as("left as someone set it").containsExactly(60, 40);
        assertThat(cluster.canary().getMetadata().getFinalizers()).isNullOrEmpty();
        assertThat(gates.events).last().isEqualTo("Normal skipping canary run as object is suspended");

        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().suspend = false;
                    return c;
                });
        watchEvent();
        assertThat(cluster.weights()).as("the router is the truth").containsExactly(60, 40);
        tick();
        assertThat(cluster.weights()).as("one step on from 40").containsExactly(30, 70);
        assertThat(phase()).isEqualTo("Progressing");
    }

    @Test
    @DisplayName("a second analyzer started mid-run continues from the status without repeating a step")
    void restartContinuesFromStatus() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        tick();
        assertThat(cluster.weights()).containsExactly(70, 30);

        reconciler = newReconciler();
        clock.advance(Duration.ofSeconds(5));
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo", null));
        assertThat(cluster.weights())
                .as("first sight, interval not up: no early step")
                .containsExactly(70, 30);
        clock.advance(Duration.ofSeconds(15));
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo", null));
        assertThat(cluster.weights()).containsExactly(40, 60);
        for (int i = 0; i < 6 && !"Succeeded".equals(phase()); i++) {
            tick();
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(gates.events).filteredOn(e -> e.contains("canary weight 30")).hasSize(1);
        assertThat(gates.events).filteredOn(e -> e.contains("canary weight 60")).hasSize(1);
        assertThat(gates.events).filteredOn(e -> e.startsWith("Normal Copying")).hasSize(1);
    }

    @Test
    @DisplayName("a missing parent RouteTable is a Warning Event, not a crash")
    void missingParentIsAWarning() throws Exception {
        cluster.client
                .resources(RouteTable.class)
                .inNamespace("test")
                .withName("podinfo")
                .delete();
        tick();
        watchEvent();
        tick();
        assertThat(phase()).isEqualTo("Initializing");
        assertThat(gates.events)
                .contains("Warning RouteTable podinfo.test not found: spec.routeTableRef must name the"
                        + " parent RouteTable that delegates to the RouteTable Sluice manages");
        assertThat(cluster.delegate()).isNull();
    }

    @Test
    @DisplayName("Services found as they should be are remembered and not looked at again, yet a hand edit of one,"
            + " or a change of the Canary's service port, is still brought back at the next reconcile")
    void convergedServicesStillRepaired() throws Exception {
        bootstrap();
        watchEvent();
        assertThat(reconciler.convergedServices().size()).isEqualTo(1);

        Service primary = cluster.client
                .services()
                .inNamespace("test")
                .withName("podinfo-primary")
                .get();
        primary.getSpec().setSelector(Map.of("app", "someone-else"));
        cluster.client.services().inNamespace("test").resource(primary).update();
        watchEvent();
        assertThat(cluster.client
                        .services()
                        .inNamespace("test")
                        .withName("podinfo-primary")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsExactly(Map.entry("app", "podinfo-primary"));

        Canary c = cluster.canary();
        c.getSpec().service.port = 9999;
        cluster.client.resources(Canary.class).inNamespace("test").resource(c).update();
        watchEvent();
        for (String name : List.of("podinfo", "podinfo-canary", "podinfo-primary")) {
            assertThat(cluster.client
                            .services()
                            .inNamespace("test")
                            .withName(name)
                            .get()
                            .getSpec()
                            .getPorts()
                            .get(0)
                            .getPort())
                    .as(name)
                    .isEqualTo(9999);
        }
    }

    @Test
    @DisplayName("drift in the delegate RouteTable is corrected and the weights are kept")
    void driftIsCorrected() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        tick();
        RouteTable d = cluster.delegate();
        d.getSpec().http.get(0).name = "renamed-by-hand";
        d.getSpec().http.get(0).forwardTo.destinations.get(1).weight = 100;
        d.getSpec().http.get(0).forwardTo.destinations.get(0).weight = 0;
        cluster.client
                .resources(RouteTable.class)
                .inNamespace("test")
                .resource(d)
                .update();
        watchEvent();
        assertThat(cluster.delegate().getSpec().http)
                .singleElement()
                .satisfies(r -> assertThat(r.name).isEqualTo("weighted-route"));
        assertThat(cluster.weights()).containsExactly(70, 30);
    }

    @Test
    @DisplayName("a tracked ConfigMap gets a -primary copy, and a change to it starts a run but reaches the primary"
            + " only at promotion")
    void configTracking() throws Exception {
        cluster.client
                .configMaps()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("podinfo-config")
                        .withNamespace("test")
                        .endMetadata()
                        .addToData("color", "blue")
                        .build())
                .create();
        cluster.useConfigMap("podinfo-config");
        bootstrap();
        var copy = cluster.client
                .configMaps()
                .inNamespace("test")
                .withName("podinfo-config-primary")
                .get();
        assertThat(copy.getData()).containsEntry("color", "blue");
        assertThat(copy.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
        assertThat(cluster.deployment("podinfo-primary")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnvFrom()
                        .get(0)
                        .getConfigMapRef()
                        .getName())
                .isEqualTo("podinfo-config-primary");
        assertThat(cluster.canary().getStatus().trackedConfigs).containsKey("configmap/podinfo-config");

        cluster.client
                .configMaps()
                .inNamespace("test")
                .withName("podinfo-config")
                .edit(cm -> {
                    cm.getData().put("color", "green");
                    return cm;
                });
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
        assertThat(cluster.client
                        .configMaps()
                        .inNamespace("test")
                        .withName("podinfo-config-primary")
                        .get()
                        .getData())
                .as("not before promotion")
                .containsEntry("color", "blue");
        for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
            tick();
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(cluster.client
                        .configMaps()
                        .inNamespace("test")
                        .withName("podinfo-config-primary")
                        .get()
                        .getData())
                .containsEntry("color", "green");
    }

    @Test
    @DisplayName("a Canary the analyzer cannot decode (a wrong type, nesting deeper than it reads) is skipped with a"
            + " Warning Event; the informers sync and the good Canary progresses")
    void undecodableCanariesAreSkipped() throws Exception {
        String good = cluster.client.getKubernetesSerialization().asJson(example("canary.yaml"));
        post(good.replace("\"name\":\"podinfo\"", "\"name\":\"wrong\"")
                .replace("\"progressDeadlineSeconds\":60", "\"progressDeadlineSeconds\":\"soon\""));
        post(good.replace("\"name\":\"podinfo\"", "\"name\":\"deep\"")
                .replace("\"spec\":{", "\"spec\":{\"extra\":" + "[".repeat(150) + "]".repeat(150) + ","));
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
        for (String name : List.of("wrong", "deep")) {
            assertThat(cluster.caches().canary("test", name))
                    .isInstanceOf(io.sluice.analyzer.kube.UndecodableCanary.class);
            Throwable failed = reconciler
                    .reconcile("test", name, true)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .handle((o, err) -> err)
                    .get();
            assertThat(failed).isInstanceOf(Reconciler.Undecodable.class);
        }
        assertThat(cluster.events())
                .filteredOn(e -> e.getInvolvedObject().getName().equals("wrong"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage())
                            .startsWith("Canary wrong.test skipped: the analyzer cannot decode it: Cannot deserialize"
                                    + " value of type `java.lang.Integer` from String \"soon\"");
                });
        assertThat(cluster.events())
                .filteredOn(e -> e.getInvolvedObject().getName().equals("deep"))
                .extracting(Event::getMessage)
                .containsExactly(
                        "Canary deep.test skipped: the analyzer cannot decode it: nested deeper than 100 levels");
        tick();
        assertThat(cluster.canary().getStatus().canaryWeight)
                .as("the good one goes on")
                .isEqualTo(30);
    }

    /** Creates a Canary from raw JSON, as kubectl would send what the client's model cannot express. */
    private void post(String json) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var created = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                cluster.client.getMasterUrl() + "apis/flagger.app/v1beta1/namespaces/test/canaries"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    @DisplayName("a -primary config copy two Canaries' targets share carries both owners, so deleting one Canary"
            + " leaves the copy the other's primary mounts")
    void sharedConfigCopyHasBothOwners() throws Exception {
        // Another Canary, whose target uses the same ConfigMap, bootstrapped first and created the copy.
        Canary other = example("canary.yaml");
        other.getMetadata().setName("other");
        other.getSpec().targetRef.name = "other";
        other.getSpec().suspend = true;
        other = cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .resource(other)
                .create();
        cluster.client
                .configMaps()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("shared")
                        .endMetadata()
                        .addToData("color", "blue")
                        .build())
                .create();
        cluster.client
                .configMaps()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("shared-primary")
                        .withOwnerReferences(io.sluice.analyzer.kube.Workloads.ownerRef(other))
                        .endMetadata()
                        .addToData("color", "blue")
                        .build())
                .create();
        cluster.useConfigMap("shared");
        bootstrap();
        var owners = cluster.client
                .configMaps()
                .inNamespace("test")
                .withName("shared-primary")
                .get()
                .getMetadata()
                .getOwnerReferences();
        assertThat(owners)
                .extracting(o -> o.getName() + " controller=" + o.getController())
                .containsExactly("other controller=true", "podinfo controller=false");

        cluster.client.resource(other).withGracePeriod(0).delete();
        cluster.collectGarbage();
        assertThat(cluster.client
                        .configMaps()
                        .inNamespace("test")
                        .withName("shared-primary")
                        .get())
                .as("podinfo-primary still mounts it")
                .isNotNull();
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .withGracePeriod(0)
                .delete();
        cluster.collectGarbage();
        assertThat(cluster.client
                        .configMaps()
                        .inNamespace("test")
                        .withName("shared-primary")
                        .get())
                .as("gone with its last owner")
                .isNull();
    }

    @Test
    @DisplayName("revertOnDeletion: after the Canary and what it owned are gone, the target serves again and every"
            + " destination of the delegate is a Service that exists and selects ready pods")
    void revertOnDeletion() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().revertOnDeletion = true;
                    return c;
                });
        bootstrap();
        watchEvent();
        assertThat(cluster.canary().getMetadata().getFinalizers()).contains("finalizer.flagger.app");
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .delete();
        assertThat(cluster.canary()).as("held by the finalizer").isNotNull();
        for (int i = 0; i < 8 && cluster.canary() != null; i++) {
            watchEvent();
        }
        assertThat(cluster.canary()).isNull();
        assertThat(cluster.deployment("podinfo-primary"))
                .as("owned by the Canary: collected")
                .isNull();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);
        assertThat(cluster.delegate()).as("released, not collected").isNotNull();
        assertThat(cluster.delegate().getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertDestinationsServe();
        assertThat(gates.events)
                .contains("Normal Terminating canary podinfo.test", "Normal Terminated canary podinfo.test");
    }

    @Test
    @DisplayName("revertOnDeletion with an apex Service that existed before: its selector goes back to the target's"
            + " pods, and it keeps its own owners")
    void revertOnDeletionRestoresAPreexistingApex() throws Exception {
        cluster.client
                .services()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName("podinfo")
                        .withNamespace("test")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "podinfo")
                        .addNewPort()
                        .withName("http")
                        .withPort(9898)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().revertOnDeletion = true;
                    return c;
                });
        bootstrap();
        watchEvent();
        assertThat(cluster.client
                        .services()
                        .inNamespace("test")
                        .withName("podinfo")
                        .get()
                        .getSpec()
                        .getSelector())
                .containsEntry("app", "podinfo-primary");
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .delete();
        for (int i = 0; i < 8 && cluster.canary() != null; i++) {
            watchEvent();
        }
        assertThat(cluster.canary()).isNull();
        Service apex = cluster.client
                .services()
                .inNamespace("test")
                .withName("podinfo")
                .get();
        assertThat(apex.getSpec().getSelector()).containsExactlyEntriesOf(MockCluster.map("app", "podinfo"));
        assertDestinationsServe();
    }

    /** Every destination of the delegate is a Service that exists and whose selector matches ready pods. */
    void assertDestinationsServe() {
        RouteTable delegate = cluster.delegate();
        assertThat(delegate).isNotNull();
        List<io.sluice.model.gloo.RouteTableSpec.DestinationReference> destinations = new ArrayList<>();
        delegate.getSpec().http.forEach(r -> destinations.addAll(r.forwardTo.destinations));
        assertThat(destinations).isNotEmpty();
        for (var d : destinations) {
            Service s = cluster.client
                    .services()
                    .inNamespace("test")
                    .withName(d.ref.name)
                    .get();
            assertThat(s).as("destination %s exists", d.ref.name).isNotNull();
            var selector = s.getSpec().getSelector();
            assertThat(cluster.client
                            .apps()
                            .deployments()
                            .inNamespace("test")
                            .list()
                            .getItems())
                    .as("ready pods behind %s (selector %s)", d.ref.name, selector)
                    .anySatisfy(dep -> {
                        assertThat(dep.getSpec().getTemplate().getMetadata().getLabels())
                                .containsAllEntriesOf(selector);
                        assertThat(dep.getStatus().getReadyReplicas()).isPositive();
                    });
        }
    }

    @Test
    @DisplayName("with --no-cross-namespace-refs, a Canary naming a webhook Service of another namespace halts with"
            + " InvalidSpec; without the flag it runs")
    void crossNamespaceRefsHaltWhenRefused() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().analysis.webhooks.get(0).url = "http://flagger-loadtester.loadtest/";
                    return c;
                });
        reconciler = newReconciler(Settings.defaults().withNoCrossNamespaceRefs(true));
        tick();
        CanaryCondition invalid = cluster.canary().getStatus().conditions.stream()
                .filter(c -> c.type.equals("InvalidSpec"))
                .findFirst()
                .orElseThrow();
        assertThat(invalid.message)
                .startsWith("invalid canary podinfo.test: spec.analysis.webhooks[0].url")
                .contains("namespace loadtest", "--no-cross-namespace-refs");
        assertThat(cluster.deployment("podinfo-primary")).isNull();

        reconciler = newReconciler(Settings.defaults());
        tick();
        assertThat(cluster.canary().getStatus().conditions).noneMatch(c -> c.type.equals("InvalidSpec"));
        assertThat(cluster.deployment("podinfo-primary")).isNotNull();
    }

    @Test
    @DisplayName("a Canary that bypassed the webhook invalid gets an InvalidSpec condition and nothing is created")
    void invalidSpec() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().analysis.stepWeights = List.of(10, 20);
                    c.getSpec().analysis.iterations = 3;
                    return c;
                });
        tick();
        Canary canary = cluster.canary();
        CanaryCondition invalid = canary.getStatus().conditions.stream()
                .filter(c -> c.type.equals("InvalidSpec"))
                .findFirst()
                .orElseThrow();
        assertThat(invalid.status).isEqualTo("True");
        assertThat(invalid.message).startsWith("invalid canary podinfo.test: spec.analysis");
        assertThat(gates.events).singleElement().asString().startsWith("Warning invalid canary podinfo.test: ");
        assertThat(cluster.deployment("podinfo-primary")).isNull();

        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().analysis.stepWeights = null;
                    c.getSpec().analysis.iterations = null;
                    return c;
                });
        tick();
        assertThat(cluster.canary().getStatus().conditions)
                .extracting(c -> c.type + "/" + c.status)
                .containsExactlyInAnyOrder("Promoted/Unknown", "Ready/False", "Reconciling/True", "Stalled/False");
    }

    @Test
    @DisplayName("a no-data policy annotation that names no policy is a Warning at each interval, and the flag's"
            + " policy applies")
    void unknownNoDataPolicyAnnotationIsAWarning() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getMetadata()
                            .setAnnotations(
                                    java.util.Map.of(io.sluice.model.WellKnown.NO_DATA_POLICY_ANNOTATION, "maybe"));
                    return c;
                });
        bootstrap();
        String warning = "Warning annotation sluice.io/no-data-policy has the value \"maybe\"; expected fail or hold,"
                + " using the analyzer's default";
        assertThat(gates.events).as("said on the tick, not on the watch event").containsOnlyOnce(warning);
        tick();
        assertThat(gates.events).filteredOn(warning::equals).hasSize(2);
    }

    @Test
    @DisplayName("the same Warning said on two ticks is one Event with count 2, not two objects")
    void repeatedEventsAreAggregated() throws Exception {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getMetadata()
                            .setAnnotations(
                                    java.util.Map.of(io.sluice.model.WellKnown.NO_DATA_POLICY_ANNOTATION, "maybe"));
                    return c;
                });
        bootstrap();
        tick();
        String text = "annotation sluice.io/no-data-policy has the value \"maybe\"; expected fail or hold, using the"
                + " analyzer's default";
        assertThat(gates.events).filteredOn(("Warning " + text)::equals).hasSize(2);
        List<Event> same = cluster.events().stream()
                .filter(e -> text.equals(e.getMessage()))
                .toList();
        assertThat(same).singleElement().satisfies(e -> {
            assertThat(e.getCount()).isEqualTo(2);
            assertThat(e.getLastTimestamp()).isGreaterThan(e.getFirstTimestamp());
            assertThat(e.getType()).isEqualTo("Warning");
        });
        assertThat(cluster.events())
                .filteredOn(e -> e.getMessage().startsWith("Initialization done!"))
                .singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
    }

    @Test
    @DisplayName("a second Canary on the same target does nothing but say so, with a condition, while the first runs")
    void aYoungerCanaryOnTheSameTargetStaysIdle() throws Exception {
        Canary second = cluster.example("canary.yaml", Canary.class);
        second.getMetadata().setName("podinfo-b");
        second.getSpec().service.name = "podinfo-b";
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .resource(second)
                .create();
        reconciler.siblings(c -> cluster.client
                .resources(Canary.class)
                .inNamespace(c.getMetadata().getNamespace())
                .list()
                .getItems());
        clock.advance(INTERVAL);
        cluster.awaitCaches();
        await(reconciler.reconcile("test", "podinfo-b", true));
        Canary b = cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo-b")
                .get();
        assertThat(b.getStatus().phase).as("nothing decided").isNull();
        assertThat(b.getStatus().conditions)
                .extracting(c -> c.type + "/" + c.status)
                .containsExactly("TargetConflict/True", "Ready/False", "Reconciling/False", "Stalled/True");
        assertThat(b.getStatus().conditions)
                .allSatisfy(c -> assertThat(c.message).contains("canary podinfo.test already manages"));
        assertThat(gates.events)
                .containsExactly("Warning canary podinfo-b.test targets Deployment podinfo.test,"
                        + " which canary podinfo.test already manages: nothing is done until one of them is deleted or"
                        + " retargeted");
        assertThat(cluster.deployment("podinfo-primary")).isNull();
        assertThat(cluster.client
                        .services()
                        .inNamespace("test")
                        .withName("podinfo-b-canary")
                        .get())
                .isNull();

        bootstrap();
        assertThat(cluster.deployment("podinfo-primary"))
                .as("the first one runs")
                .isNotNull();
    }

    @Test
    @DisplayName("a Canary of another provider is left to it (no status, finalizer, Event or object); switched to"
            + " gloo-mesh, or its provider removed, it is picked up")
    void anotherProvidersCanaryIsLeftAlone() throws Exception {
        for (String switchedTo : java.util.Arrays.asList("gloo-mesh", null)) {
            Canary legacy = example("canary.yaml");
            legacy.getMetadata().setName("legacy");
            legacy.getSpec().provider = "istio";
            legacy.getSpec().targetRef.name = "legacy";
            legacy.getSpec().service.name = "legacy";
            legacy.getSpec().revertOnDeletion = true;
            cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .resource(legacy)
                    .create();
            cluster.client
                    .apps()
                    .deployments()
                    .inNamespace("test")
                    .resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(MockCluster.podinfo("6.0.0"))
                            .editMetadata()
                            .withName("legacy")
                            .endMetadata()
                            .build())
                    .create();
            cluster.settle();
            int from = cluster.requests.size();
            for (Boolean due : java.util.Arrays.asList(null, true, false, true)) {
                clock.advance(INTERVAL);
                cluster.awaitCaches();
                assertThat(await(reconciler.reconcile("test", "legacy", due)).gone())
                        .as("nothing kept about it")
                        .isTrue();
            }
            assertThat(cluster.requestsSince(from))
                    .as("no write, not even a read of its objects (the lists are the test's awaitCaches)")
                    .allMatch(r -> r.startsWith("GET ") && !r.contains("legacy"));
            Canary left = cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .withName("legacy")
                    .get();
            assertThat(left.getStatus()).isNull();
            assertThat(left.getMetadata().getFinalizers()).isNullOrEmpty();
            assertThat(gates.events).isEmpty();
            assertThat(cluster.events()).isEmpty();
            assertThat(cluster.deployment("legacy-primary")).isNull();
            assertThat(cluster.deployment("legacy").getSpec().getReplicas()).isEqualTo(2);

            cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .withName("legacy")
                    .edit(c -> {
                        c.getSpec().provider = switchedTo;
                        return c;
                    });
            clock.advance(INTERVAL);
            cluster.awaitCaches();
            await(reconciler.reconcile("test", "legacy", null));
            cluster.settle();
            assertThat(cluster.client
                            .resources(Canary.class)
                            .inNamespace("test")
                            .withName("legacy")
                            .get()
                            .getStatus()
                            .phase)
                    .as("provider %s is Sluice's", switchedTo)
                    .isEqualTo("Initializing");
            assertThat(cluster.deployment("legacy-primary")).isNotNull();

            cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .withName("legacy")
                    .edit(c -> {
                        c.getMetadata().setFinalizers(null);
                        return c;
                    });
            cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .withName("legacy")
                    .withGracePeriod(0)
                    .delete();
            cluster.client
                    .apps()
                    .deployments()
                    .inNamespace("test")
                    .withName("legacy")
                    .delete();
            cluster.collectGarbage();
            cluster.client.v1().events().inNamespace("test").delete();
            gates.events.clear();
        }
    }

    @Test
    @DisplayName("a Canary of another provider the analyzer cannot decode is left alone too, without a Warning")
    void anotherProvidersUndecodableCanaryIsLeftAlone() throws Exception {
        String good = cluster.client.getKubernetesSerialization().asJson(example("canary.yaml"));
        post(good.replace("\"name\":\"podinfo\"", "\"name\":\"legacy\"")
                .replace("\"provider\":\"gloo-mesh\"", "\"provider\":\"istio\"")
                .replace("\"progressDeadlineSeconds\":60", "\"progressDeadlineSeconds\":\"soon\""));
        cluster.awaitCaches();
        assertThat(cluster.caches().canary("test", "legacy"))
                .isInstanceOf(io.sluice.analyzer.kube.UndecodableCanary.class);
        assertThat(await(reconciler.reconcile("test", "legacy", true)).gone()).isTrue();
        assertThat(cluster.events()).isEmpty();
    }

    @Test
    @DisplayName("an older Canary of another provider on the same target is no conflict")
    void anotherProvidersCanaryIsNoTargetConflict() throws Exception {
        Canary flaggers = example("canary.yaml");
        flaggers.getMetadata().setName("flaggers");
        flaggers.getMetadata().setNamespace("test");
        flaggers.getMetadata().setCreationTimestamp("2020-01-01T00:00:00Z");
        flaggers.getSpec().provider = "istio";
        reconciler.siblings(c -> List.of(flaggers, c));
        bootstrap();
        assertThat(cluster.canary().getStatus().conditions).noneMatch(c -> "TargetConflict".equals(c.type));
        assertThat(cluster.deployment("podinfo-primary")).isNotNull();
    }

    @Test
    @DisplayName("a status write that conflicts is decided again from a fresh read, with each Event said once")
    void conflictingStatusWriteIsDecidedAgain() throws Exception {
        bootstrap();
        gates.events.clear();
        cluster.setImage("6.0.1");
        String path = "/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo/status";
        cluster.conflictOnce.set(path);
        watchEvent();
        assertThat(cluster.conflictOnce.get()).as("the conflict was served").isNull();
        assertThat(phase()).isEqualTo("Progressing");
        assertThat(gates.events).containsExactly("Normal New revision detected! Scaling up podinfo.test");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    @DisplayName("an autoscalerRef naming a missing HPA halts the Canary with Flagger's Warning until the HPA exists")
    void missingAutoscalerHalts() throws Exception {
        useAutoscaler();
        tick();
        watchEvent();
        tick();
        assertThat(gates.events)
                .containsOnly("Warning HorizontalPodAutoscaler podinfo.test get query error:"
                        + " horizontalpodautoscalers.autoscaling \"podinfo\" not found");
        assertThat(cluster.canary().getStatus().phase).isIn(null, "Initializing");
        assertThat(cluster.deployment("podinfo-primary")).isNull();
        assertThat(hpa("podinfo-primary")).isNull();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);

        createHpa(Map.of(), Map.of());
        bootstrap();
        assertThat(hpa("podinfo-primary")).isNotNull();
    }

    @Test
    @DisplayName(
            "the primary HPA is created with the target HPA's labels and takes its labels and annotations, filtered"
                    + " by --include-label-prefix, when a promotion updates it")
    void primaryAutoscalerMetadata() throws Exception {
        reconciler = newReconciler(new Settings(
                List.of("app"),
                List.of("team", "autoscaler.example.com/"),
                true,
                false,
                io.sluice.analyzer.decision.NoDataPolicy.FAIL,
                null,
                Duration.ofMinutes(5),
                Duration.ofMinutes(2),
                "sluice-analyzer",
                100,
                250,
                0,
                0,
                Settings.MAX_CONCURRENT_RECONCILES,
                false));
        createHpa(
                Map.of("team", "web", "tier", "front", "kustomize.toolkit.fluxcd.io/name", "apps"),
                Map.of("autoscaler.example.com/note", "copied", "other.example.com/note", "left out"));
        useAutoscaler();
        bootstrap();
        assertThat(hpa("podinfo-primary").getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of("team", "web", "tier", "front"));
        cluster.setImage("6.0.1");
        watchEvent();
        for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
            tick();
        }
        assertThat(phase()).isEqualTo("Succeeded");
        var primary = hpa("podinfo-primary");
        assertThat(primary.getMetadata().getAnnotations())
                .containsExactlyEntriesOf(Map.of("autoscaler.example.com/note", "copied"));
        assertThat(primary.getMetadata().getLabels()).containsExactlyEntriesOf(Map.of("team", "web"));
    }

    private io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa(String name) {
        return cluster.client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace("test")
                .withName(name)
                .get();
    }

    private void useAutoscaler() {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().autoscalerRef = new io.sluice.model.flagger.CanarySpec.AutoscalerReference();
                    c.getSpec().autoscalerRef.apiVersion = "autoscaling/v2";
                    c.getSpec().autoscalerRef.kind = "HorizontalPodAutoscaler";
                    c.getSpec().autoscalerRef.name = "podinfo";
                    return c;
                });
    }

    private void createHpa(Map<String, String> labels, Map<String, String> annotations) {
        cluster.client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                        .withNewMetadata()
                        .withName("podinfo")
                        .withNamespace("test")
                        .withLabels(labels)
                        .withAnnotations(annotations)
                        .endMetadata()
                        .withNewSpec()
                        .withMinReplicas(2)
                        .withMaxReplicas(4)
                        .withNewScaleTargetRef()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName("podinfo")
                        .endScaleTargetRef()
                        .endSpec()
                        .build())
                .create();
    }

    @Test
    @DisplayName("with an autoscalerRef the primary gets its own HPA and the canary is scaled up to the HPA's minimum")
    void primaryAutoscaler() throws Exception {
        cluster.client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                        .withNewMetadata()
                        .withName("podinfo")
                        .withNamespace("test")
                        .endMetadata()
                        .withNewSpec()
                        .withMinReplicas(3)
                        .withMaxReplicas(6)
                        .withNewScaleTargetRef()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName("podinfo")
                        .endScaleTargetRef()
                        .endSpec()
                        .build())
                .create();
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getSpec().autoscalerRef = new io.sluice.model.flagger.CanarySpec.AutoscalerReference();
                    c.getSpec().autoscalerRef.apiVersion = "autoscaling/v2";
                    c.getSpec().autoscalerRef.kind = "HorizontalPodAutoscaler";
                    c.getSpec().autoscalerRef.name = "podinfo";
                    return c;
                });
        bootstrap();
        var hpa = cluster.client
                .autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace("test")
                .withName("podinfo-primary")
                .get();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("podinfo-primary");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Canary"));
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();

        cluster.setImage("6.0.1");
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(3);
    }

    private Canary example(String file) {
        return cluster.example(file, Canary.class);
    }

    /** Another Canary of the cluster, as the informer's store would list it, in {@code phase}. */
    static Canary otherCanary(String name, String phase) {
        Canary c = new Canary();
        c.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .withNamespace("other")
                .build());
        c.setStatus(new io.sluice.model.flagger.CanaryStatus());
        c.getStatus().phase = phase;
        return c;
    }

    @Test
    @DisplayName("--max-progressing-canaries 1: a new revision waits in Waiting while another Canary runs, keeps its"
            + " place across a restart of the analyzer, and starts once that run ended")
    void concurrencyBudget() throws Exception {
        List<Canary> others = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Supplier<Reconciler> budgeted =
                () -> newReconciler(Settings.defaults().withMaxProgressingCanaries(1))
                        .all(() -> {
                            List<Canary> all = new ArrayList<>(others);
                            all.add(cluster.canary());
                            return all;
                        });
        reconciler = budgeted.get();
        bootstrap();
        others.add(otherCanary("busy", "Progressing"));
        cluster.setImage("6.0.1");
        watchEvent();
        assertThat(phase()).isEqualTo("Waiting");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        String text =
                "Waiting for a free slot of the cluster: 1 canaries progressing, at most 1 (--max-progressing-canaries);"
                        + " place 1 in the cluster's queue";
        assertThat(gates.events).last().isEqualTo("Normal " + text);
        CanaryCondition queued = cluster.canary().getStatus().conditions.stream()
                .filter(c -> "Queued".equals(c.type))
                .findFirst()
                .orElseThrow();
        assertThat(queued.message).isEqualTo(text);

        reconciler = budgeted.get(); // a restart: nothing but the statuses is kept
        tick();
        tick();
        assertThat(phase()).isEqualTo("Waiting");
        assertThat(cluster.canary().getStatus().conditions)
                .filteredOn(c -> "Queued".equals(c.type))
                .singleElement()
                .satisfies(c -> assertThat(c.lastTransitionTime).isEqualTo(queued.lastTransitionTime));

        others.set(0, otherCanary("busy", "Succeeded"));
        watchEvent();
        assertThat(phase()).isEqualTo("Progressing");
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);
        assertThat(cluster.canary().getStatus().conditions).noneMatch(c -> "Queued".equals(c.type));
    }

    /**
     * What the admission service does with a runtime request: it records the request in the status (the status write
     * comes first, and may outlive an update that fails later), then the API server stores the annotation.
     */
    void recordRequest(String action, String user, String source) {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .editStatus(c -> {
                    var r = new io.sluice.model.flagger.CanaryStatus.RecordedRequest();
                    r.action = action;
                    r.revision = io.sluice.model.control.RuntimeRequests.runRevision(c.getStatus());
                    r.user = user;
                    r.source = source;
                    r.requestedAt = clock.instant().toString();
                    r.uid = "uid-" + action;
                    c.getStatus().request = r;
                    return c;
                });
    }

    void annotateRequest(String value) {
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .edit(c -> {
                    c.getMetadata().getAnnotations().put(io.sluice.model.WellKnown.REQUEST_ANNOTATION, value);
                    return c;
                });
    }

    /** A run of 6.0.1 at 70/30. */
    void runAt30() throws Exception {
        bootstrap();
        cluster.setImage("6.0.1");
        watchEvent();
        tick();
        assertThat(cluster.weights()).containsExactly(70, 30);
        gates.events.clear();
        gates.alerts.clear();
        gates.calls.clear();
    }

    @Test
    @DisplayName("promote: acted on at the watch event once the annotation asks for it, then Promoting and"
            + " Finalising as every promotion, with the requester in the Event and status.requestHandled")
    void promoteRequest() throws Exception {
        runAt30();
        recordRequest("promote", "alice", "kubectl-sluice");
        watchEvent();
        assertThat(phase())
                .as("the record alone is a hint: the annotation has not asked yet")
                .isEqualTo("Progressing");
        assertThat(cluster.canary().getStatus().requestHandled).isNull();
        annotateRequest("promote");
        watchEvent();
        assertThat(phase()).isEqualTo("Promoting");
        assertThat(image("podinfo-primary")).endsWith(":6.0.1");
        var handled = cluster.canary().getStatus().requestHandled;
        assertThat(List.of(handled.uid, handled.action, handled.outcome, handled.message))
                .containsExactly("uid-promote", "promote", "done", "Promotion requested by alice via kubectl-sluice");
        assertThat(handled.revision).isEqualTo(cluster.canary().getStatus().lastAppliedSpec);
        assertThat(cluster.canary().getStatus().request.user)
                .as("the admission's record is kept")
                .isEqualTo("alice");
        for (int i = 0; i < 4 && !"Succeeded".equals(phase()); i++) {
            tick();
        }
        assertThat(phase()).isEqualTo("Succeeded");
        assertThat(cluster.weights()).containsExactly(100, 0);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        assertThat(gates.events)
                .containsExactly(
                        "Normal Promotion requested by alice via kubectl-sluice",
                        "Normal Copying podinfo.test template spec to podinfo-primary.test",
                        "Normal Routing all traffic to primary",
                        "Normal Promotion completed! Scaling down podinfo.test");
        assertThat(gates.calls).noneMatch(c -> c.startsWith("metric") || c.contains("load-test"));
        assertThat(cluster.events()).anySatisfy(e -> {
            assertThat(e.getMessage()).isEqualTo("Promotion requested by alice via kubectl-sluice");
            assertThat(e.getType()).isEqualTo("Normal");
        });
        int promotions = gates.events.size();
        tick();
        watchEvent();
        assertThat(gates.events).as("acted on once").hasSize(promotions);
    }

    @Test
    @DisplayName("abort: routes 100/0 first, scales the canary down once they are read back, Failed with the alert")
    void abortRequest() throws Exception {
        runAt30();
        annotateRequest("abort");
        watchEvent();
        recordRequest("abort", "bob", "argocd");
        int from = cluster.requests.size();
        watchEvent();
        assertThat(phase()).isEqualTo("Failed");
        assertThat(cluster.weights()).containsExactly(100, 0);
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas())
                .as("not before the routes are read back")
                .isEqualTo(2);
        watchEvent();
        assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
        List<String> writes = cluster.requestsSince(from).stream()
                .filter(r -> !r.startsWith("GET "))
                .filter(r -> r.contains("/routetables/podinfo-delegate")
                        || r.matches("\\S+ /apis/apps/v1/namespaces/test/deployments/podinfo(/scale)?"))
                .toList();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0)).contains("/routetables/podinfo-delegate");
        assertThat(writes.get(1)).contains("/deployments/podinfo");
        assertThat(gates.events)
                .containsExactly(
                        "Warning Abort requested by bob via argocd",
                        "Warning Canary failed! Scaling down podinfo.test");
        assertThat(gates.alerts).anyMatch(a -> a.contains("Rolling back: abort requested by bob via argocd"));
        assertThat(image("podinfo-primary")).endsWith(":6.0.0");
        assertThat(cluster.canary().getStatus().requestHandled.outcome).isEqualTo("done");
    }

    /**
     * Canaries whose status Flagger wrote: Sluice's first reconcile records its revisions, keeps the phase and says so
     * in one Event, and starts no run. Flagger's state is made from Sluice's own: its hashes in place of Sluice's
     * revisions, no {@code currentRun}, and a primary without Sluice's record of what it copied.
     */
    @org.junit.jupiter.api.Nested
    class FlaggerTakeover {
        static final String FLAGGER_APPLIED = "6d9b7f45c";
        static final String FLAGGER_PROMOTED = "5f7b4d9c8";

        /** Leaves the Canary and its primary as Flagger would have, from the state Sluice reached. */
        void asFlaggerLeftIt(boolean promoted) {
            cluster.client
                    .resources(Canary.class)
                    .inNamespace("test")
                    .withName("podinfo")
                    .editStatus(c -> {
                        c.getStatus().lastAppliedSpec = promoted ? FLAGGER_PROMOTED : FLAGGER_APPLIED;
                        c.getStatus().lastPromotedSpec = FLAGGER_PROMOTED;
                        c.getStatus().currentRun = null;
                        c.getStatus().observedGeneration = null;
                        return c;
                    });
            cluster.client
                    .apps()
                    .deployments()
                    .inNamespace("test")
                    .withName("podinfo-primary")
                    .edit(d -> {
                        d.getMetadata().getAnnotations().remove(io.sluice.model.WellKnown.PROMOTED_REVISION_ANNOTATION);
                        return d;
                    });
            cluster.settle();
        }

        /** The revision Sluice computes for the target as it is now. */
        String targetRevision() {
            return io.sluice.model.Revisions.ofDeployment(
                    cluster.client.getKubernetesSerialization().asJson(cluster.deployment("podinfo")));
        }

        /** One reconcile, then: the phase kept, one takeover Event, and no write but the status and the Event. */
        void takenOver(String phase, boolean due) throws Exception {
            gates.events.clear();
            int from = cluster.requests.size();
            List<Integer> weights = cluster.weights();
            int replicas = cluster.deployment("podinfo").getSpec().getReplicas();
            String primaryVersion =
                    cluster.deployment("podinfo-primary").getMetadata().getResourceVersion();
            if (due) {
                tick();
            } else {
                watchEvent();
            }
            assertThat(phase()).isEqualTo(phase);
            assertThat(gates.events)
                    .containsExactly("Normal Taken over from Flagger: " + phase + ", revision " + targetRevision());
            assertThat(cluster.canary().getStatus().lastAppliedSpec).isEqualTo(targetRevision());
            assertThat(cluster.weights()).isEqualTo(weights);
            assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(replicas);
            assertThat(cluster.deployment("podinfo-primary").getMetadata().getResourceVersion())
                    .isEqualTo(primaryVersion);
            assertThat(cluster.requestsSince(from))
                    .filteredOn(r -> !r.startsWith("GET "))
                    .as("the status and the Event, beside the rollouts the test plays")
                    .filteredOn(r -> !r.matches("PUT /apis/apps/v1/namespaces/test/deployments/[^/]+/status"))
                    .containsExactly(
                            "PATCH /apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo/status",
                            "POST /api/v1/namespaces/test/events");
        }

        @Test
        @DisplayName("a Canary Flagger promoted is taken over in Succeeded: one notice, no run; a later change of the"
                + " target runs as usual")
        void promoted() throws Exception {
            bootstrap();
            cluster.setImage("6.0.1");
            watchEvent();
            for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
                tick();
            }
            assertThat(phase()).isEqualTo("Succeeded");
            asFlaggerLeftIt(true);

            takenOver("Succeeded", false);
            assertThat(cluster.canary().getStatus().lastPromotedSpec).isEqualTo(targetRevision());
            gates.events.clear();
            tick();
            tick();
            assertThat(phase()).isEqualTo("Succeeded");
            assertThat(gates.events).as("nothing after the notice").isEmpty();
            assertThat(cluster.weights()).containsExactly(100, 0);

            cluster.setImage("6.0.2");
            watchEvent();
            assertThat(phase()).isEqualTo("Progressing");
            assertThat(gates.events).contains("Normal New revision detected! Scaling up podinfo.test");
        }

        @Test
        @DisplayName("a Canary Flagger left Failed keeps the failed revision on the target without a new run")
        void failed() throws Exception {
            failingRunAtThreshold();
            for (int i = 0; i < 4 && cluster.deployment("podinfo").getSpec().getReplicas() > 0; i++) {
                tick();
            }
            assertThat(phase()).isEqualTo("Failed");
            assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
            asFlaggerLeftIt(false);

            takenOver("Failed", true);
            assertThat(cluster.canary().getStatus().lastPromotedSpec)
                    .as("the primary runs another revision, which Sluice cannot name")
                    .isEqualTo(FLAGGER_PROMOTED);
            gates.events.clear();
            tick();
            tick();
            assertThat(phase()).isEqualTo("Failed");
            assertThat(gates.events).isEmpty();
            assertThat(cluster.deployment("podinfo").getSpec().getReplicas()).isZero();
            assertThat(image("podinfo-primary")).endsWith(":6.0.0");

            cluster.setImage("6.0.3");
            watchEvent();
            assertThat(phase()).isEqualTo("Progressing");
        }

        @Test
        @DisplayName("a Canary Flagger left mid-run at 30% continues from its weight to the promotion, without a new"
                + " run")
        void midRun() throws Exception {
            bootstrap();
            cluster.setImage("6.0.1");
            watchEvent();
            tick();
            assertThat(cluster.weights()).containsExactly(70, 30);
            asFlaggerLeftIt(false);

            takenOver("Progressing", true);
            assertThat(cluster.canary().getStatus().canaryWeight).isEqualTo(30);
            gates.events.clear();
            List<List<Integer>> weights = new ArrayList<>();
            for (int i = 0; i < 8 && !"Succeeded".equals(phase()); i++) {
                tick();
                weights.add(cluster.weights());
            }
            assertThat(phase()).isEqualTo("Succeeded");
            assertThat(weights.get(0)).as("the next step, not the first").containsExactly(40, 60);
            assertThat(image("podinfo-primary")).endsWith(":6.0.1");
            assertThat(gates.events).noneMatch(e -> e.contains("New revision detected"));
            assertThat(cluster.canary().getStatus().lastPromotedSpec).isEqualTo(targetRevision());
        }

        @Test
        @DisplayName("a Canary Flagger left Promoting is recognised as copied: the primary is not copied again")
        void promoting() throws Exception {
            bootstrap();
            cluster.setImage("6.0.1");
            watchEvent();
            for (int i = 0; i < 6 && !"Promoting".equals(phase()); i++) {
                tick();
            }
            assertThat(phase()).isEqualTo("Promoting");
            assertThat(image("podinfo-primary")).endsWith(":6.0.1");
            asFlaggerLeftIt(false);

            takenOver("Promoting", true);
            String copied = cluster.deployment("podinfo-primary")
                    .getSpec()
                    .getTemplate()
                    .getMetadata()
                    .getAnnotations()
                    .get(io.sluice.model.WellKnown.PRIMARY_ID_ANNOTATION);
            for (int i = 0; i < 6 && !"Succeeded".equals(phase()); i++) {
                tick();
            }
            assertThat(phase()).isEqualTo("Succeeded");
            assertThat(cluster.deployment("podinfo-primary")
                            .getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getAnnotations())
                    .as("Flagger's copy stands")
                    .containsEntry(io.sluice.model.WellKnown.PRIMARY_ID_ANNOTATION, copied);
        }
    }
}
