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
        assertThat(first).isEqualTo(1);
        assertThat(await(kube.event(event("2026-05-17T08:00:20Z"), first))).isEqualTo(2);
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

    @Test
    @DisplayName("a status write answers the Canary written with the version the API server gave it, leaving the read"
            + " one as it was; a write from a stale read is a conflict carrying the server's message")
    void statusWritesAnswerTheNewVersion(SeededApi api) throws Exception {
        Kube kube = api.kube(() -> true);
        io.sluice.model.flagger.Canary read = api.cluster.canary();
        String before = read.getMetadata().getResourceVersion();
        var status = new io.sluice.model.flagger.CanaryStatus();
        status.phase = "Initializing";
        status.canaryWeight = 0;

        var written = await(kube.updateStatus(StatusWriter.withStatus(read, status)));

        var stored = api.cluster.canary();
        assertThat(stored.getStatus().phase).isEqualTo("Initializing");
        assertThat(stored.getSpec().targetRef.name).isEqualTo("podinfo");
        assertThat(written.getMetadata().getResourceVersion())
                .isEqualTo(stored.getMetadata().getResourceVersion())
                .isNotEqualTo(before);
        assertThat(written.getStatus().phase).isEqualTo("Initializing");
        assertThat(read.getMetadata().getResourceVersion()).isEqualTo(before);
        assertThat(read.getStatus()).isNotSameAs(status);

        Throwable stale = awaitFailure(kube.updateStatus(StatusWriter.withStatus(read, status)));
        assertThat(Kube.isConflict(stale)).isTrue();
        assertThat(stale).hasMessageContaining("the object has been modified");
    }

    @Test
    @DisplayName("a status write is a patch of the status subresource alone that replaces the status whole: a field the"
            + " new status leaves out is gone, as with a PUT, not kept as a merge patch would keep it")
    void statusWritesReplaceTheStatusWhole(SeededApi api) throws Exception {
        Kube kube = api.kube(() -> true);
        var first = new io.sluice.model.flagger.CanaryStatus();
        first.phase = "Progressing";
        first.failedChecks = 2;
        first.sessionAffinityCookie = "sluice-cookie";
        var written = await(kube.updateStatus(StatusWriter.withStatus(api.cluster.canary(), first)));
        var second = new io.sluice.model.flagger.CanaryStatus();
        second.phase = "Succeeded";
        api.cluster.requests.clear();

        await(kube.updateStatus(StatusWriter.withStatus(written, second)));
        var sent = java.util.List.copyOf(api.cluster.requests);

        var stored = api.cluster.canary().getStatus();
        assertThat(stored.phase).isEqualTo("Succeeded");
        assertThat(stored.failedChecks).isNull();
        assertThat(stored.sessionAffinityCookie).isNull();
        assertThat(sent)
                .filteredOn(r -> r.contains("/canaries/podinfo"))
                .containsExactly("PATCH /apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo/status");
    }

    @Test
    @DisplayName("a status write from a Canary that names no resourceVersion is refused before it is sent: it could"
            + " not be fenced")
    void unfencedStatusWritesAreRefused(SeededApi api) {
        Kube kube = api.kube(() -> true);
        var canary = StatusWriter.withStatus(api.cluster.canary(), new io.sluice.model.flagger.CanaryStatus());
        canary.getMetadata().setResourceVersion(null);
        api.cluster.requests.clear();

        Throwable refused = awaitFailure(kube.updateStatus(canary));

        assertThat(refused)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the status of Canary test/podinfo is written only from a read one: it names no"
                        + " resourceVersion to fence the write");
        assertThat(api.cluster.requests)
                .filteredOn(r -> r.contains("/canaries/podinfo"))
                .isEmpty();
    }

    @Test
    @DisplayName("a RouteTable update answers the version it was stored with; a refusal keeps the admission"
            + " webhook's code and message")
    void routeTableUpdatesAnswerTheStoredVersion(SeededApi api) throws Exception {
        Kube kube = api.kube(() -> true);
        var table = api.cluster
                .client
                .resources(io.sluice.model.gloo.RouteTable.class)
                .inNamespace("test")
                .list()
                .getItems()
                .get(0);
        table.getMetadata().setLabels(java.util.Map.of("changed", "yes"));

        String version = await(kube.updateRouteTable(table));

        var stored = api.cluster
                .client
                .resources(io.sluice.model.gloo.RouteTable.class)
                .inNamespace("test")
                .withName(table.getMetadata().getName())
                .get();
        assertThat(stored.getMetadata().getLabels()).containsEntry("changed", "yes");
        assertThat(version).isEqualTo(stored.getMetadata().getResourceVersion());

        api.cluster.refuseRouteTables.set(422);
        stored.getMetadata().setLabels(java.util.Map.of("changed", "again"));
        Throwable refused = awaitFailure(kube.updateRouteTable(stored));
        assertThat(refused).isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class);
        assertThat(((io.fabric8.kubernetes.client.KubernetesClientException) refused).getCode())
                .isEqualTo(422);
        assertThat(refused).hasMessageContaining("weights do not add up");
    }
}
