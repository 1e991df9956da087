package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.decision.Alerts;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryPhase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SeededApi.PerTest.class)
class ActionExecutorTest {
    /** An executor on the seeded cluster, writing through {@code kube}, with {@code gates} as hooks and notifier. */
    static ActionExecutor executor(SeededApi api, Kube kube, TestGates gates) {
        return new ActionExecutor(
                kube,
                new ClusterView(api.cluster.caches(), kube),
                Settings.defaults(),
                gates,
                gates,
                new EventRecorder(kube, gates, Clock.systemUTC(), "test"));
    }

    @Test
    void anAlertReachesTheNotifierAsTheDecisionWroteIt(SeededApi api) {
        List<String> sent = new CopyOnWriteArrayList<>();
        TestGates gates = new TestGates() {
            @Override
            public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
                sent.add(canary.key() + " " + severity + " " + withMetadata + " " + message);
            }
        };
        Kube kube = api.kube(() -> true);
        ActionExecutor executor = executor(api, kube, gates);
        Canary canary = api.cluster.canary();
        Alerts.Alert alert = Alerts.holdDeadlineExceeded(Duration.ofSeconds(60));
        Snapshot nothingRead =
                Snapshot.blocked(canary, Observations.builder("podinfo", "test").build());

        await(executor.run(
                nothingRead, List.of(new Action.SendAlert(alert.message(), alert.severity(), alert.withMetadata()))));

        assertThat(sent).containsExactly("podinfo.test ERROR false Rolling back: no metric data for 1m0s");
    }

    @Test
    @DisplayName("an executor fenced by the Canary's shard sends none of the writes it had already asked for once the"
            + " shard is lost: its Event, queued for a worker, never reaches the API server")
    void aFencedExecutorsQueuedWritesStayUnsent(SeededApi api) throws Exception {
        var one = api.vertx.createSharedWorkerExecutor("fence-test", 1);
        TestGates gates = new TestGates();
        Kube kube = new Kube(api.cluster.client, one, () -> true);
        AtomicBoolean held = new AtomicBoolean(true);
        ActionExecutor executor =
                executor(api, kube, gates).fencedBy(held::get, "the shard of test/podinfo is no longer held here");
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        one.executeBlocking(
                () -> {
                    busy.countDown();
                    return release.await(60, TimeUnit.SECONDS);
                },
                false);
        busy.await(60, TimeUnit.SECONDS);
        int before = api.cluster.events().size();

        var ran = executor.run(
                Snapshot.blocked(
                        api.cluster.canary(),
                        Observations.builder("podinfo", "test").build()),
                List.of(new Action.EmitEvent(
                        Action.EmitEvent.Type.Normal,
                        "Advance podinfo.test canary weight 10",
                        Map.of(),
                        CanaryPhase.Progressing)));
        held.set(false);
        release.countDown();
        await(ran);

        assertThat(api.cluster.events()).hasSize(before);
    }
}
