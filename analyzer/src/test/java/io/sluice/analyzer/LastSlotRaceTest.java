package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The last slot of the concurrency budget (one, here) goes to one Canary only, also when two decide at the same
 * moment and the informer's cache does not show the first one's start yet.
 */
class LastSlotRaceTest {
    MockCluster cluster;
    Fleet fleet;
    Vertx vertx;
    WorkerExecutor pool;
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-17T08:09:51Z"));
    /** The confirm-rollout answers the test holds back, by Canary name. */
    final Map<String, Promise<HookOutcome>> held = new ConcurrentHashMap<>();

    final TestGates gates = new TestGates() {
        @Override
        public Future<HookOutcome> call(Canary canary, CanaryAnalysis.Webhook hook, CanaryPhase phase) {
            if (!"confirm-rollout".equals(hook.type)) {
                return super.call(canary, hook, phase);
            }
            return held.computeIfAbsent(canary.getMetadata().getName(), k -> Promise.promise())
                    .future();
        }
    };
    /** What the budget sees of every Canary: the informer's store unless a test freezes it. */
    volatile Supplier<List<Canary>> all;

    Reconciler reconciler;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        fleet = new Fleet(cluster);
        vertx = Vertx.vertx();
        pool = vertx.createSharedWorkerExecutor(Controller.POOL, 4);
        fleet.create("apps", "a");
        fleet.create("apps", "b");
        all = () -> cluster.caches().canaries.getStore().list();
        reconciler = new Reconciler(
                        new Kube(cluster.client, pool, () -> true),
                        cluster.caches(),
                        Settings.defaults().withMaxProgressingCanaries(1),
                        gates,
                        gates,
                        gates,
                        clock)
                .all(() -> all.get());
        for (String name : List.of("a", "b")) {
            for (int i = 0; i < 5 && !fleet.phase("apps", name).equals("Initialized"); i++) {
                reconcile(name, true);
                fleet.settle();
            }
            assertThat(fleet.phase("apps", name)).isEqualTo("Initialized");
        }
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
        cluster.close();
    }

    Reconciler.Outcome reconcile(String name, boolean due) throws Exception {
        clock.advance(Duration.ofSeconds(1));
        cluster.awaitCaches();
        return await(reconciler.reconcile("apps", name, due));
    }

    @Test
    void startedRunHoldsItsSlotBeforeTheCacheShowsIt() throws Exception {
        fleet.setImage("apps", "a", "2");
        fleet.setImage("apps", "b", "2");
        cluster.awaitCaches();
        List<Canary> beforeTheStart =
                List.copyOf(cluster.caches().canaries.getStore().list());
        all = () -> beforeTheStart;

        reconcile("a", false);
        assertThat(fleet.phase("apps", "a")).isEqualTo("Progressing");
        reconcile("b", false);
        assertThat(fleet.phase("apps", "b"))
                .as("the cache still shows a Initialized, but its run started here")
                .isEqualTo("Waiting");

        // The cache catches up only once a's run is already over: the slot is free again.
        fleet.abort("apps", "a");
        reconcile("a", false);
        assertThat(fleet.phase("apps", "a")).isEqualTo("Failed");
        all = () -> cluster.caches().canaries.getStore().list();
        reconcile("b", false);
        assertThat(fleet.phase("apps", "b")).isEqualTo("Progressing");
    }

    @Test
    void slotTakenBetweenGatherAndDecision() throws Exception {
        for (String name : List.of("a", "b")) {
            cluster.client
                    .resources(Canary.class)
                    .inNamespace("apps")
                    .withName(name)
                    .edit(c -> {
                        CanaryAnalysis.Webhook hook = new CanaryAnalysis.Webhook();
                        hook.name = "approve";
                        hook.type = "confirm-rollout";
                        hook.url = "http://approver.apps/";
                        c.getSpec().analysis.webhooks = new java.util.ArrayList<>(List.of(hook));
                        return c;
                    });
        }
        fleet.setImage("apps", "a", "2");
        fleet.setImage("apps", "b", "2");
        cluster.awaitCaches();

        // Both gather while the slot is free, and wait for their confirm-rollout hook.
        Future<Reconciler.Outcome> a = reconciler.reconcile("apps", "a", false);
        Future<Reconciler.Outcome> b = reconciler.reconcile("apps", "b", false);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(held.containsKey("a") && held.containsKey("b"))) {
            assertThat(System.nanoTime()).as("both hooks called").isLessThan(deadline);
            Thread.onSpinWait();
        }
        held.get("a").complete(new HookOutcome("approve", true, 200, null));
        await(a);
        assertThat(fleet.phase("apps", "a")).isEqualTo("Progressing");
        held.get("b").complete(new HookOutcome("approve", true, 200, null));
        await(b);
        assertThat(fleet.phase("apps", "b"))
                .as("a took the slot after b's gather")
                .isEqualTo("Waiting");
        assertThat(fleet.queued("apps", "b").message).endsWith("place 1 in the cluster's queue");
    }
}
