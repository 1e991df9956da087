package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.sluice.model.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Shard Leases of two replicas on one mock API server. The lease duration is ten minutes, longer than a test may
 * run, so a shard can only move by a release, never by expiry.
 */
class ShardLeasesTest {
    static final String NS = "sluice-system";

    KubernetesMockServer server;
    KubernetesClient a;
    KubernetesClient b;
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<ShardLeases> started = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(),
                new java.util.HashMap<>(),
                new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(List.of()),
                false);
        server.init();
        a = server.createClient();
        b = server.createClient();
    }

    @AfterEach
    void stop() {
        // The Leases first: they are released through the clients.
        started.forEach(ShardLeases::stop);
        a.close();
        b.close();
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }

    ShardLeases replica(KubernetesClient client, String identity, int shards, int replicas, Clock clock) {
        return unstarted(client, identity, shards, replicas, clock).start();
    }

    /** A replica's Leases, stopped after the test, not started. */
    ShardLeases unstarted(KubernetesClient client, String identity, int shards, int replicas, Clock clock) {
        ShardLeases l = new ShardLeases(
                client,
                new ShardLeases.Config(
                        NS,
                        "sluice-analyzer-leader",
                        identity,
                        shards,
                        replicas,
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(9),
                        Duration.ofMillis(200)),
                clock,
                new ShardLeases.Listener() {
                    @Override
                    public void gained(int shard) {
                        log.add(identity + " gained " + shard);
                    }

                    @Override
                    public void lost(int shard) {
                        log.add(identity + " lost " + shard);
                    }
                });
        started.add(l);
        return l;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    String holder(KubernetesClient client, int shard) {
        Lease l = client.leases()
                .inNamespace(NS)
                .withName("sluice-analyzer-leader-shard-" + shard)
                .get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    @Test
    void twoReplicasTakeOneShardEachAndAStoppingOneHandsItsShardOver() {
        ShardLeases first = replica(a, "analyzer-a", 2, 2, Clock.systemUTC());
        ShardLeases second = replica(b, "analyzer-b", 2, 2, Clock.systemUTC());
        await("one shard each", () -> first.held() == 1 && second.held() == 1);
        int firsts = first.holds(0) ? 0 : 1;
        assertThat(holder(a, firsts)).isEqualTo("analyzer-a");

        first.stop();
        assertThat(first.holdsAny()).as("stopped: the fence is down").isFalse();
        Lease released = a.leases()
                .inNamespace(NS)
                .withName("sluice-analyzer-leader-shard-" + firsts)
                .get();
        assertThat(released.getSpec().getLeaseDurationSeconds() == 1
                        || "analyzer-b".equals(released.getSpec().getHolderIdentity()))
                .as("released before stop returned (a one-second lease), or taken over already: %s", released.getSpec())
                .isTrue();
        await(
                "the released shard taken over, long before the Lease could expire",
                () -> second.held() == 2 && log.contains("analyzer-b gained " + firsts));
    }

    @Test
    void aReplicaStopsActingOnceItsLastRenewalIsOlderThanTheRenewDeadline() {
        MutableClock clock = new MutableClock(java.time.Instant.now());
        ShardLeases only = replica(a, "analyzer-a", 2, 1, clock);
        await(
                "both shards held, and the listener told",
                () -> only.held() == 2 && log.containsAll(List.of("analyzer-a gained 0", "analyzer-a gained 1")));

        // The Leases are still this replica's and fabric8's elector still leads, but as this replica's clock
        // reads, its last renewal (written on real time, far behind) is older than the renew deadline.
        clock.advance(Duration.ofHours(1));
        assertThat(only.holds(0)).isFalse();
        assertThat(only.holds(1)).isFalse();
        assertThat(holder(a, 0)).isEqualTo("analyzer-a");
        await("the listener told", () -> log.containsAll(List.of("analyzer-a lost 0", "analyzer-a lost 1")));
    }

    @Test
    @DisplayName("a replica caches every Canary's objects until it first holds a shard, then its shards' for two lease"
            + " durations after it last held them")
    void theCachesKeepAShardForTwoLeaseDurationsAfterItWasHeld() {
        MutableClock clock = new MutableClock(java.time.Instant.now());
        ShardLeases idle = unstarted(b, "analyzer-idle", 2, 1, clock);
        String inShard0 = keyIn(0);
        String inShard1 = keyIn(1);
        assertThat(idle.cachesKey(inShard0) && idle.cachesKey(inShard1))
                .as("no shard held yet: everything kept")
                .isTrue();

        ShardLeases only = replica(a, "analyzer-a", 2, 1, clock);
        await(
                "both shards held, and the listener told",
                () -> only.held() == 2 && log.containsAll(List.of("analyzer-a gained 0", "analyzer-a gained 1")));
        assertThat(only.cachesKey(inShard0)).isTrue();

        // The renewals run on real time: a clock 9.5 minutes ahead sees them older than the renew deadline (9 min).
        clock.advance(Duration.ofSeconds(570));
        await("the listener told", () -> log.containsAll(List.of("analyzer-a lost 0", "analyzer-a lost 1")));
        assertThat(only.holds(0)).isFalse();
        assertThat(only.cachesKey(inShard0) && only.cachesKey(inShard1))
                .as("lost 9.5 minutes ago, within two lease durations")
                .isTrue();
        clock.advance(Duration.ofMinutes(11));
        assertThat(only.cachesKey(inShard0) || only.cachesKey(inShard1))
                .as("20.5 minutes after it was last held")
                .isFalse();
    }

    /** A Canary key of {@code shard} among two. */
    static String keyIn(int shard) {
        for (int i = 0; ; i++) {
            if (Shards.of("apps/app-" + i, 2) == shard) {
                return "apps/app-" + i;
            }
        }
    }
}
