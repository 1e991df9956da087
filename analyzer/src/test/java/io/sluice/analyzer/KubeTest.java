package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static io.sluice.analyzer.testing.Futures.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.kube.Kube;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SeededApi.PerTest.class)
class KubeTest {
    @Test
    @DisplayName("a process that lost the lease writes nothing, while reads still work")
    void followersDoNotWrite(SeededApi api) throws Exception {
        AtomicBoolean leading = new AtomicBoolean(true);
        Kube kube = api.kube(leading::get);
        await(kube.scale("test", "podinfo", 3));
        assertThat(api.cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(3);

        leading.set(false);
        Throwable refused = awaitFailure(kube.scale("test", "podinfo", 0));
        while (refused.getCause() != null) {
            refused = refused.getCause();
        }
        assertThat(refused).isInstanceOf(Kube.NotLeaderException.class);
        assertThat(api.cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(3);
        assertThat(await(kube.canary("test", "podinfo"))).isNotNull();
    }

    static io.fabric8.kubernetes.api.model.Event event(String stamp) {
        return new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata()
                .withName("podinfo.0123456789abcdef")
                .withNamespace("test")
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("Canary")
                .withName("podinfo")
                .withNamespace("test")
                .endInvolvedObject()
                .withReason("Synced")
                .withMessage("Initialization done!")
                .withType("Normal")
                .withFirstTimestamp(stamp)
                .withLastTimestamp(stamp)
                .withCount(1)
                .build();
    }

    @Test
    @DisplayName("an Event is created without a read, a repeat with its known count raises it without a read, and one"
            + " recorded before a restart (count unknown) is found and counted on")
    void eventsAggregateWithoutReads(SeededApi api) throws Exception {
        Kube kube = api.kube(() -> true);
        int from = api.cluster.requests.size();
        var first = await(kube.event(event("2026-05-17T08:00:00Z"), null));
        await(kube.event(event("2026-05-17T08:00:20Z"), first.getCount()));
        assertThat(api.cluster.requestsSince(from)).noneMatch(r -> r.startsWith("GET "));

        await(kube.event(event("2026-05-17T08:00:40Z"), null));

        var live = api.cluster
                .client
                .v1()
                .events()
                .inNamespace("test")
                .withName("podinfo.0123456789abcdef")
                .get();
        assertThat(live.getCount()).isEqualTo(3);
        assertThat(live.getFirstTimestamp()).isEqualTo("2026-05-17T08:00:00Z");
        assertThat(live.getLastTimestamp()).isEqualTo("2026-05-17T08:00:40Z");
        assertThat(api.cluster.events()).hasSize(1);
    }

    @Test
    @DisplayName("a view fenced by a shard refuses, with its reason, a write asked for while the shard was held but"
            + " still waiting for a worker when the shard was lost")
    void aFencedViewChecksAgainRightBeforeTheRequest(SeededApi api) throws Exception {
        var one = api.vertx.createSharedWorkerExecutor("fence-test", 1);
        AtomicBoolean held = new AtomicBoolean(true);
        Kube kube = new Kube(api.cluster.client, one, () -> true).fenced(held::get, "shard 2 is no longer held here");
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        one.executeBlocking(
                () -> {
                    busy.countDown();
                    return release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                },
                false);
        busy.await(60, java.util.concurrent.TimeUnit.SECONDS);

        var queued = kube.scale("test", "podinfo", 0);
        held.set(false);
        release.countDown();

        Throwable refused = awaitFailure(queued);
        while (refused.getCause() != null) {
            refused = refused.getCause();
        }
        assertThat(refused).isInstanceOf(Kube.NotLeaderException.class).hasMessage("shard 2 is no longer held here");
        assertThat(api.cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(2);

        held.set(true);
        await(kube.scale("test", "podinfo", 3));
        assertThat(api.cluster.deployment("podinfo").getSpec().getReplicas()).isEqualTo(3);
    }
}
