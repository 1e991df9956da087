package io.sluice.analyzer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer's Lease, through fabric8's leader elector. {@link #stop()} releases the Lease before it returns (the
 * client must still be open), so a standby takes over at its next retry instead of waiting out the lease duration: a
 * rolling update hands over in seconds.
 */
final class Leadership implements LeaseHolder {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    /** The Lease and its timing. */
    record Lease(String namespace, String name, String identity, Duration duration, Duration renew, Duration retry) {}

    private final LeaderElector elector;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Lease lease;
    private CompletableFuture<?> running;

    /**
     * @param onStart     this process now holds the Lease
     * @param onLost      it lost the Lease while running (not called when {@link #stop()} gave it up)
     * @param onNewLeader who holds it now
     */
    Leadership(KubernetesClient client, Lease lease, Runnable onStart, Runnable onLost, Consumer<String> onNewLeader) {
        this.lease = lease;
        this.elector = elector(
                client,
                lease,
                new LeaseLock(lease.namespace(), lease.name(), lease.identity()),
                new LeaderCallbacks(
                        onStart,
                        () -> {
                            if (!stopping.get()) {
                                onLost.run();
                            }
                        },
                        onNewLeader::accept));
    }

    /**
     * A fabric8 elector for {@code lease} through {@code lock}, which releases the Lease when cancelled: the one
     * setup of this class and of {@link ShardLeases}' electors, one per shard.
     */
    static LeaderElector elector(KubernetesClient client, Lease lease, Lock lock, LeaderCallbacks callbacks) {
        return client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(lease.name())
                        .withLeaseDuration(lease.duration())
                        .withRenewDeadline(lease.renew())
                        .withRetryPeriod(lease.retry())
                        .withReleaseOnCancel(true)
                        .withLock(lock)
                        .withLeaderCallbacks(callbacks)
                        .build())
                .build();
    }

    synchronized Leadership start() {
        running = elector.start();
        return this;
    }

    /** Stops competing and releases the Lease if this process holds it; blocks until the release was written. */
    @Override
    public synchronized void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        if (running != null) {
            running.cancel(true);
        }
        // Written here, on this thread, rather than left to the cancellation's callbacks: the caller closes the client
        // next.
        boolean released = elector.release();
        LOG.info(
                "lease {}/{} {}",
                lease.namespace(),
                lease.name(),
                released ? "released for a standby to take over" : "not held, nothing to release");
    }
}
