package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two analyzers on one API server (fabric8's mock, CRUD mode), each with its own client, as two pods of a rolling update.
 * The lease duration is ten minutes, longer than the test may run, so the standby can only take over through the
 * leader's release, never through expiry; the standby retries every 200 ms.
 */
class LeadershipTest {
    static final Leadership.Lease LEASE = new Leadership.Lease(
            "sluice-system",
            "sluice-analyzer-leader",
            "",
            Duration.ofMinutes(10),
            Duration.ofMinutes(9),
            Duration.ofMillis(200));

    KubernetesMockServer server;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(),
                new java.util.HashMap<>(),
                new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(List.of()),
                false);
        server.init();
    }

    @AfterEach
    void stop() {
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }

    Leadership analyzer(KubernetesClient client, String identity) {
        Leadership.Lease lease = new Leadership.Lease(
                LEASE.namespace(), LEASE.name(), identity, LEASE.duration(), LEASE.renew(), LEASE.retry());
        return new Leadership(
                client,
                lease,
                () -> log.add(identity + " leads"),
                () -> log.add(identity + " lost the lease"),
                holder -> {});
    }

    String holder(KubernetesClient client) {
        Lease l = client.leases()
                .inNamespace(LEASE.namespace())
                .withName(LEASE.name())
                .get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    /**
     * Waits until {@code identity} holds the lease and its leading callback ran (it runs after the lease is written);
     * fails after a deadline far below the lease duration.
     */
    void awaitHolder(KubernetesClient client, String identity) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!identity.equals(holder(client)) || !log.contains(identity + " leads")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the lease is held by " + holder(client) + ", not " + identity + "; " + log);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void stopping_the_leader_releases_the_lease_and_the_standby_takes_over_before_it_expires() {
        try (KubernetesClient a = server.createClient();
                KubernetesClient b = server.createClient()) {
            Leadership first = analyzer(a, "analyzer-a").start();
            awaitHolder(a, "analyzer-a");
            Leadership second = analyzer(b, "analyzer-b").start();
            // The standby competes but cannot take a lease that is held and far from expiry.
            for (int i = 0; i < 5; i++) {
                LockSupport.parkNanos(LEASE.retry().toNanos());
                assertThat(holder(b)).isEqualTo("analyzer-a");
            }
            first.stop();
            awaitHolder(b, "analyzer-b");
            assertThat(log).containsExactly("analyzer-a leads", "analyzer-b leads");
            second.stop();
            assertThat(b.leases()
                            .inNamespace(LEASE.namespace())
                            .withName(LEASE.name())
                            .get()
                            .getSpec()
                            .getLeaseDurationSeconds())
                    .as("released: the next candidate may take it a second later")
                    .isEqualTo(1);
        }
    }

    @Test
    void the_analyzers_shutdown_releases_the_lease_before_it_closes_the_client() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        KubernetesClient a = server.createClient();
        try (KubernetesClient b = server.createClient()) {
            Leadership first = analyzer(a, "analyzer-a").start();
            awaitHolder(b, "analyzer-a");
            analyzer(b, "analyzer-b").start();
            java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean(true);
            Main.shutdown(leading, first, null, a, vertx);
            assertThat(leading).isFalse();
            awaitHolder(b, "analyzer-b");
            assertThat(log).containsExactly("analyzer-a leads", "analyzer-b leads");
        }
    }
}
