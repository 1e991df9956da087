package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in answers paged lists as an API server does, the Leases of sharded analyzers, and watches. */
class StandInApiTest {
    static final int OBJECTS = 1_201;

    StandInApi api = new StandInApi();
    KubernetesMockServer server =
            new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
    KubernetesClient client;

    @BeforeEach
    void seed() {
        server.start();
        client = server.createClient();
        for (int i = 0; i < OBJECTS; i++) {
            String ns = "ns-" + (i % 3);
            api.write(
                    HttpMethod.POST,
                    "/api/v1/namespaces/" + ns + "/configmaps",
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"namespace\":\"" + ns
                            + "\",\"name\":\"cm-" + i + "\"}}",
                    "application/json");
        }
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void aLimitedListComesInPagesThatTogetherHoldEveryObjectOnce() {
        Set<String> seen = new HashSet<>();
        ConfigMapList page = client.configMaps()
                .inAnyNamespace()
                .list(new ListOptionsBuilder().withLimit(500L).build());
        int pages = 1;
        assertThat(page.getItems()).hasSize(500);
        assertThat(page.getMetadata().getRemainingItemCount()).isEqualTo(OBJECTS - 500L);
        page.getItems().forEach(c -> seen.add(c.getMetadata().getName()));
        while (page.getMetadata().getContinue() != null) {
            page = client.configMaps()
                    .inAnyNamespace()
                    .list(new ListOptionsBuilder()
                            .withLimit(500L)
                            .withContinue(page.getMetadata().getContinue())
                            .build());
            pages++;
            page.getItems().forEach(c -> seen.add(c.getMetadata().getName()));
        }
        assertThat(pages).isEqualTo(3);
        assertThat(page.getItems()).hasSize(OBJECTS - 1_000);
        assertThat(seen).hasSize(OBJECTS);
        assertThat(api.pages.sum()).isEqualTo(3);
    }

    @Test
    void laterPagesComeFromTheListAsItWasWhenTheFirstWasAsked() {
        ConfigMapList first = client.configMaps()
                .inNamespace("ns-0")
                .list(new ListOptionsBuilder().withLimit(300L).build());
        client.configMaps()
                .inNamespace("ns-0")
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("late")
                        .endMetadata()
                        .build())
                .create();
        ConfigMapList rest = client.configMaps()
                .inNamespace("ns-0")
                .list(new ListOptionsBuilder()
                        .withLimit(300L)
                        .withContinue(first.getMetadata().getContinue())
                        .build());

        assertThat(first.getItems().size() + rest.getItems().size()).isEqualTo(401);
        assertThat(rest.getItems()).extracting(c -> c.getMetadata().getName()).doesNotContain("late");
        assertThat(rest.getMetadata().getContinue()).isNull();
    }

    @Test
    void aListWithoutParametersHoldsEveryObjectOfItsNamespace() {
        assertThat(client.configMaps().inNamespace("ns-2").list().getItems()).hasSize(OBJECTS / 3);
        assertThat(client.configMaps().inNamespace("ns-2").withName("cm-2").get())
                .isNotNull();
    }

    @Test
    void aTokenThatNamesNoListIsGone() {
        assertThatThrownBy(() -> client.configMaps()
                        .inAnyNamespace()
                        .list(new ListOptionsBuilder()
                                .withLimit(500L)
                                .withContinue("list-999:500")
                                .build()))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(410));
    }

    /**
     * Shard 0's Lease as stored. The mock's store replaces an object by removing and adding it, so a read in between
     * (the elector renews every 100 ms) finds nothing for an instant: read again until it is there.
     */
    private String lease(long deadline) {
        String text = api.read(Replicas.leasePath(0));
        while (text == null) {
            assertThat(System.nanoTime()).as("the Lease is not stored").isLessThan(deadline);
            Thread.onSpinWait();
            text = api.read(Replicas.leasePath(0));
        }
        return text;
    }

    @Test
    void aShardLeaseTakenAndRenewedByALeaderElectorReadsBackWithItsHolder() throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        CompletableFuture<?> elector = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName("shard-0")
                        .withLock(
                                new LeaseLock(Replicas.LEASE_NAMESPACE, Replicas.LEASE_NAME + "-shard-0", "replica-a"))
                        .withLeaseDuration(Duration.ofSeconds(10))
                        .withRenewDeadline(Duration.ofSeconds(8))
                        .withRetryPeriod(Duration.ofMillis(100))
                        .withLeaderCallbacks(new LeaderCallbacks(leading::countDown, () -> {}, id -> {}))
                        .build())
                .build()
                .start();
        try {
            assertThat(leading.await(60, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String taken = lease(deadline);
            assertThat(Replicas.holder(taken)).isEqualTo("replica-a");
            // A renewal is an update of the Lease the stand-in answers: its renewTime moves.
            String now = taken;
            while (now.equals(taken)) {
                assertThat(System.nanoTime()).as("the Lease was never renewed").isLessThan(deadline);
                Thread.onSpinWait();
                now = lease(deadline);
            }
            assertThat(Replicas.holder(now)).isEqualTo("replica-a");
            assertThat(Replicas.holder(api.read(Replicas.leasePath(1)))).isNull();
        } finally {
            elector.cancel(true);
        }
    }

    @Test
    void aWatchThroughTheStandInGetsItsEventsAndEnds() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Watch watch = client.configMaps().inNamespace("watched").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap c) {
                events.add(action + " " + c.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
        client.configMaps().inNamespace("watched").resource(configMap("first")).create();
        assertThat(events.poll(60, TimeUnit.SECONDS)).isEqualTo("ADDED first");
        assertThat(api.watches.sum()).isEqualTo(1);

        watch.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (api.watching() > 0) {
            assertThat(System.nanoTime()).as("the watch never ended").isLessThan(deadline);
            Thread.onSpinWait();
        }
        // A write its ended watch would have matched is answered.
        client.configMaps().inNamespace("watched").resource(configMap("second")).create();
        assertThat(api.read("/api/v1/namespaces/watched/configmaps/second")).contains("\"second\"");
        assertThat(events).isEmpty();
    }

    private static ConfigMap configMap(String name) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .build();
    }
}
