package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reconciles observe through the informer caches: no GET for what a cache holds, and a cache that lags (behind this
 * process's own write, or another writer's) never leads to a wrong write.
 */
class CachedReadsTest {
    MockCluster cluster;
    Vertx vertx;
    WorkerExecutor pool;
    final TestGates gates = new TestGates();
    final MutableClock clock = new MutableClock(Instant.parse("2026-05-17T08:09:51Z"));
    Reconciler reconciler;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster().seed();
        vertx = Vertx.vertx();
        pool = vertx.createSharedWorkerExecutor(Controller.POOL, 4);
        reconciler = new Reconciler(
                new Kube(cluster.client, pool, () -> true),
                cluster.caches(),
                Settings.defaults(),
                gates,
                gates,
                gates,
                clock);
        reconcile(true);
        reconcile(false);
        assertThat(cluster.canary().getStatus().phase).isEqualTo("Initialized");
        gates.events.clear();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        await(vertx.close());
    }

    /** A reconcile as the controller runs it after a watch event: the caches hold what the server holds. */
    Reconciler.Outcome reconcile(boolean due) throws Exception {
        clock.advance(due ? Duration.ofSeconds(20) : Duration.ofMillis(50));
        cluster.awaitCaches();
        Reconciler.Outcome o = await(reconciler.reconcile("test", "podinfo", due));
        cluster.settle();
        return o;
    }

    /** The requests one reconcile makes, the caches having caught up first. */
    List<String> requestsOf(boolean due) throws Exception {
        clock.advance(due ? Duration.ofSeconds(20) : Duration.ofMillis(50));
        cluster.awaitCaches();
        int from = cluster.requests.size();
        await(reconciler.reconcile("test", "podinfo", due));
        List<String> made = cluster.requestsSince(from);
        cluster.settle();
        return made;
    }

    /** From now on the Canary's cache keeps what it holds: its watch is stopped. */
    void freezeCanaryCache() {
        cluster.caches().canaries.stop();
    }

    @Test
    @DisplayName(
            "a reconcile triggered by a new revision reads nothing from the API server and writes its Event without"
                    + " reading it first")
    void detectionReadsOnlyTheCaches() throws Exception {
        cluster.setImage("6.0.1");
        List<String> requests = requestsOf(false);

        assertThat(cluster.canary().getStatus().phase).isEqualTo("Progressing");
        assertThat(gates.events).containsExactly("Normal New revision detected! Scaling up podinfo.test");
        assertThat(requests)
                .as("no GET: the Canary, Deployments, Services and RouteTables come from the caches, "
                        + "the Event is created without a look-up")
                .noneMatch(r -> r.startsWith("GET "));
        assertThat(requests).anyMatch(r -> r.startsWith("POST /api/v1/namespaces/test/events"));
        assertThat(cluster.events()).anyMatch(e -> e.getMessage().startsWith("New revision detected!"));
    }

    @Test
    @DisplayName("a reconcile before the cache saw this process's status write decides from what was written, so the"
            + " routes are not set back to the old weight")
    void ownStatusWriteOutrunsTheCache() throws Exception {
        cluster.setImage("6.0.1");
        reconcile(false);
        freezeCanaryCache();
        reconcile(true);
        assertThat(cluster.canary().getStatus().canaryWeight).isEqualTo(30);
        assertThat(cluster.weights()).containsExactly(70, 30);
        assertThat(cluster.caches().canary("test", "podinfo").getStatus().canaryWeight)
                .as("the cache still shows the status before the step")
                .isZero();

        List<String> requests = requestsOf(false);

        assertThat(cluster.weights())
                .as("routed by the stale status, the delegate would be back at 100/0")
                .containsExactly(70, 30);
        assertThat(cluster.canary().getStatus().canaryWeight).isEqualTo(30);
        assertThat(requests)
                .as("no conflict, so no fresh read")
                .noneMatch(r -> r.startsWith("GET /apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo"));
    }

    @Test
    @DisplayName("a stale cache behind another writer's change makes the status write conflict; the decision is made"
            + " again from a fresh read and the other writer's field survives")
    void staleCacheAndAConflictingWrite() throws Exception {
        freezeCanaryCache();
        // The admission service records the admitted revision meanwhile (its own field of the status).
        cluster.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .editStatus(c -> {
                    CanaryStatus.AdmittedRevision a = new CanaryStatus.AdmittedRevision();
                    a.revision = "not-yet-applied";
                    a.user = "kubernetes-admin";
                    a.source = "kubectl";
                    c.getStatus().admittedRevision = a;
                    return c;
                });
        cluster.setImage("6.0.1");
        List<String> requests = requestsOf(false);

        Canary live = cluster.canary();
        assertThat(live.getStatus().phase).isEqualTo("Progressing");
        assertThat(live.getStatus().admittedRevision)
                .as("the other writer's field is kept")
                .isNotNull();
        assertThat(live.getStatus().admittedRevision.user).isEqualTo("kubernetes-admin");
        assertThat(gates.events)
                .as("the stale decision did nothing")
                .containsExactly("Normal New revision detected! Scaling up podinfo.test");
        assertThat(requests)
                .as("the stale write was refused, then the Canary read afresh")
                .anyMatch(r -> r.startsWith("GET /apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo"));
    }
}
