package io.sluice.analyzer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer's shards when there are more than one: one {@code coordination.k8s.io} Lease per shard, named
 * {@code <name>-shard-<i>}, each competed for through its own fabric8 leader elector. A replica may hold several.
 *
 * <p><b>Fencing.</b> {@link #holds(int)} is true only while this replica's last renewal of the shard's Lease, as
 * written in the Lease, is younger than the renew deadline. Another replica may take the Lease only once it is older
 * than the lease duration, so this replica stops acting on the shard's Canaries at least (lease duration − renew
 * deadline) before anyone else can start, give or take the clock skew between nodes. A renewal that is merely slow
 * (the API server answering late) drops the fence too, and a later successful renewal raises it again.
 *
 * <p><b>Balance.</b> A replica takes at once any free shard while it holds fewer than its share, {@code ceil(shards /
 * replicas)} with {@code replicas} the expected count (the chart's replica count); at its share it takes a free shard
 * only after the shard stayed free for {@link #GRACE_RETRIES} retry periods, time enough for a replica below its share
 * to take it first, so that a dead replica's shards still move when every survivor is at its share; above its share
 * it gives one shard back (releases its Lease) at most once per lease duration, for a replica below its share to take.
 * A replica that took beyond its share a shard whose Lease existed (it ran out under another replica, or was given
 * back) learnt that nobody below its share was there to take it, and gives none back for {@link #SURPLUS_HOLD} lease
 * durations; so when replicas are missing, a shard pauses for about the grace at most once per that period, and a
 * replica that comes back (holding nothing, so invisible in the Leases) gets its share within it. Shards whose Lease
 * did not exist yet (a first install) are given back one per lease duration, for replicas that start later. Exactly-one never depends on balance: it rests on the Leases and
 * the fence alone.
 *
 * <p>Competing runs on one thread of its own (blocking Lease reads and writes), telling the listener on another (no
 * I/O), plus fabric8's elector threads.
 */
final class ShardLeases implements LeaseHolder {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLeases.class);
    /** How many retry periods a free shard waits for a replica below its share before one at its share takes it. */
    static final int GRACE_RETRIES = 3;
    /**
     * For how many lease durations a replica that took a shard beyond its share gives none back: the shard's Lease
     * ran out under another replica or was given back, and nobody below its share took it within the grace, so fewer
     * replicas run than expected, and giving one back would only pause it.
     */
    static final int SURPLUS_HOLD = 5;

    /** The Leases, their timing, and how many replicas are expected to share them. */
    record Config(
            String namespace,
            String name,
            String identity,
            int shards,
            int replicas,
            Duration duration,
            Duration renew,
            Duration retry) {
        Config {
            if (shards < 1 || replicas < 1) {
                throw new IllegalArgumentException("shards and replicas must be 1 or more");
            }
        }

        /** The most shards a replica takes without waiting: {@code ceil(shards / replicas)}. */
        int share() {
            return (shards + replicas - 1) / replicas;
        }

        String lease(int shard) {
            return Shards.leaseName(name, shard, shards);
        }

        /** Shard {@code shard}'s Lease and its timing. */
        Leadership.Lease leaseOf(int shard) {
            return new Leadership.Lease(namespace, lease(shard), identity, duration, renew, retry);
        }
    }

    /** Told, on this class's fence thread, when the fence of a shard rises or drops. Must not block for long. */
    interface Listener {
        void gained(int shard);

        void lost(int shard);
    }

    /**
     * The balance rules of the class comment, without I/O or a clock of their own: which free shard to take and when
     * to give one back, from counts and instants the competing round read. Remembers until when nothing is given back;
     * used by the competing thread only.
     */
    static final class Balance {
        private final int share;
        private final Duration grace;
        private final Duration duration;
        /** No shard is given back before this. */
        private Instant noGiveBackBefore = Instant.MIN;

        Balance(int share, Duration retry, Duration duration) {
            this.share = share;
            this.grace = retry.multipliedBy(GRACE_RETRIES);
            this.duration = duration;
        }

        Balance(Config config) {
            this(config.share(), config.retry(), config.duration());
        }

        /**
         * Whether to compete for a shard seen free since {@code freeSince}, holding or competing for {@code held}
         * shards already. Taking one beyond the share whose Lease {@code existed} starts the surplus hold.
         */
        boolean take(int held, Instant freeSince, boolean existed, Instant now) {
            boolean belowShare = held < share;
            if (!belowShare && now.isBefore(freeSince.plus(grace))) {
                return false;
            }
            if (!belowShare && existed) {
                noGiveBackBefore = later(noGiveBackBefore, now.plus(duration.multipliedBy(SURPLUS_HOLD)));
            }
            return true;
        }

        /** Whether to give one of {@code held} shards back now; if so, the next may go one lease duration later. */
        boolean giveBack(int held, Instant now) {
            if (held <= share || now.isBefore(noGiveBackBefore)) {
                return false;
            }
            noGiveBackBefore = now.plus(duration);
            return true;
        }

        private static Instant later(Instant a, Instant b) {
            return a.isAfter(b) ? a : b;
        }
    }

    private final class Slot {
        final int shard;
        final Lock reader;
        /** The elector competing for or holding this shard; null while this replica does not compete. */
        volatile LeaderElector elector;

        volatile CompletableFuture<?> running;
        volatile boolean leading;
        /** Giving the shard back: the fence is down from the moment this is set. */
        volatile boolean shedding;
        /** The renew time of this replica's last accepted write of the Lease; null when it holds none. */
        volatile Instant renewed;
        /** Since when the Lease has been seen free; this class's thread only. */
        Instant freeSince;
        /** What the listener was last told; written by the fence thread only. */
        volatile boolean told;
        /** The fence refused someone while {@link #told} said held. */
        volatile boolean refused;
        /** When the fence thread last saw this shard held; null if never. */
        volatile Instant lastHeld;

        Slot(int shard) {
            this.shard = shard;
            this.reader = new LeaseLock(config.namespace(), config.lease(shard), config.identity());
        }
    }

    private final KubernetesClient client;
    private final Config config;
    private final Clock clock;
    private final Listener listener;
    private final List<Slot> slots = new ArrayList<>();
    private final ScheduledExecutorService thread;
    private final ScheduledExecutorService fenceThread;
    private volatile boolean stopped;
    /** Whether the fence thread saw any shard held yet. */
    private volatile boolean everHeld;
    /** While set, no Lease write of this replica reaches the API server (a network partition, in tests). */
    private volatile boolean partitioned;
    /** This class's thread only. */
    private final Balance balance;

    ShardLeases(KubernetesClient client, Config config, Clock clock, Listener listener) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.listener = listener;
        this.balance = new Balance(config);
        for (int i = 0; i < config.shards(); i++) {
            slots.add(new Slot(i));
        }
        this.fenceThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-shards-fence");
            t.setDaemon(true);
            return t;
        });
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-shards");
            t.setDaemon(true);
            return t;
        });
    }

    ShardLeases start() {
        thread.scheduleWithFixedDelay(this::tickSafely, 0, config.retry().toMillis(), TimeUnit.MILLISECONDS);
        // Often enough that the Controller hears of a dropped fence well within a retry period.
        long check = Math.max(10, Math.min(100, config.retry().toMillis() / 2));
        fenceThread.scheduleWithFixedDelay(this::tellSafely, 0, check, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether this replica may act on {@code shard}'s Canaries now. A question only: see {@link #admits(int)}. */
    boolean holds(int shard) {
        Slot s = slots.get(shard);
        Instant renewed = s.renewed;
        return !stopped
                && !partitioned
                && s.leading
                && !s.shedding
                && renewed != null
                && clock.instant().isBefore(renewed.plus(config.renew()));
    }

    /**
     * {@link #holds(int)}, asked by a caller about to act, which lets the shard's Canary go when refused: a refusal
     * while the listener still counts the shard as held is noted, so that a drop shorter than the fence thread's
     * period still re-enqueues the Canaries it let go.
     */
    private boolean admits(int shard) {
        boolean holds = holds(shard);
        Slot s = slots.get(shard);
        if (!holds && s.told) {
            s.refused = true;
        }
        return holds;
    }

    /** Whether this replica may act on the Canary of work-queue key {@code namespace/name}; the Controller's fence. */
    boolean holdsKey(String key) {
        return admits(Shards.of(key, config.shards()));
    }

    /**
     * Whether this replica keeps the Deployments and Services of the Canary of key {@code namespace/name} in its caches
     * ({@code Caches}): while it holds the Canary's shard; for two lease durations after it last held it, so that a
     * fence that drops for a moment (a slow renewal) lets go of nothing, where a shard gone that long has most likely
     * moved to another replica; and for every Canary until it first held a shard, so that its first lists already hold
     * whichever shards it takes. A question only, with no effect on the fence.
     */
    boolean cachesKey(String key) {
        if (!everHeld) {
            return true;
        }
        int shard = Shards.of(key, config.shards());
        if (holds(shard)) {
            return true;
        }
        Instant last = slots.get(shard).lastHeld;
        return last != null
                && clock.instant().isBefore(last.plus(config.duration().multipliedBy(2)));
    }

    /** Whether this replica holds any shard: the fence of every write of the process, asked as {@link #holdsKey}. */
    boolean holdsAny() {
        for (int i = 0; i < config.shards(); i++) {
            if (admits(i)) {
                return true;
            }
        }
        return false;
    }

    int held() {
        int n = 0;
        for (int i = 0; i < config.shards(); i++) {
            if (holds(i)) {
                n++;
            }
        }
        return n;
    }

    /** Stops competing and releases every Lease this replica holds; blocks until the releases were written. */
    @Override
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        fenceThread.shutdownNow();
        thread.shutdownNow();
        try {
            thread.awaitTermination(config.retry().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Slot s : slots) {
            LeaderElector e = s.elector;
            CompletableFuture<?> r = s.running;
            if (r != null) {
                r.cancel(true);
            }
            if (e != null && !partitioned && e.release()) {
                LOG.info(
                        "lease {}/{} released for another replica to take over",
                        config.namespace(),
                        config.lease(s.shard));
            }
        }
    }

    /**
     * Cuts this replica off from its Leases, as a network partition or a killed process would: no renewal and no
     * release reaches the API server any more, the fence drops at once, and the Leases expire after their duration.
     */
    void partition() {
        partitioned = true;
        fenceThread.shutdownNow();
        thread.shutdownNow();
        slots.forEach(s -> {
            CompletableFuture<?> r = s.running;
            if (r != null) {
                r.cancel(true);
            }
        });
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("shard leases: {}", e.toString());
        }
    }

    private void tellSafely() {
        try {
            tell();
        } catch (RuntimeException e) {
            LOG.warn("shard leases: {}", e.toString());
        }
    }

    /**
     * Tells the listener whose fence rose or dropped. On a thread of its own, without any I/O, so that a Lease read
     * that hangs on the competing thread never delays it. Only ever run there ({@link #start()} and {@link #tellSoon()}
     * hand it to the one-thread {@code fenceThread} and nobody else calls it), so it needs no lock.
     */
    private void tell() {
        for (Slot s : slots) {
            boolean holds = holds(s.shard);
            if (holds) {
                s.lastHeld = clock.instant();
                everHeld = true;
            }
            if (holds != s.told) {
                s.told = holds;
                LOG.info(
                        "shard {} of {} ({}/{}): {}",
                        s.shard,
                        config.shards(),
                        config.namespace(),
                        config.lease(s.shard),
                        holds ? "held, reconciling its Canaries" : "not held, its Canaries left to the holder");
                if (holds) {
                    s.refused = false;
                    listener.gained(s.shard);
                } else {
                    listener.lost(s.shard);
                }
            } else if (holds && s.refused) {
                s.refused = false;
                LOG.info("shard {}: its fence dropped for a moment; looking at its Canaries again", s.shard);
                listener.gained(s.shard);
            }
        }
    }

    /** One round: compete for free shards, give one back above the share. */
    private void tick() {
        if (stopped || partitioned) {
            return;
        }
        Instant now = clock.instant();
        // Counted from the electors, not the fence: a shard acquired since the loop above counts already, so that a
        // replica never competes beyond its share through a race with its own electors.
        int owned = 0;
        for (Slot s : slots) {
            owned += s.leading && !s.shedding ? 1 : 0;
        }
        int competing = 0;
        // Start at a shard of this replica's own, so that replicas starting together try different shards first.
        int first = Integer.remainderUnsigned(Shards.fnv1a(config.identity()), config.shards());
        for (int k = 0; k < config.shards(); k++) {
            Slot s = slots.get((first + k) % config.shards());
            if (s.leading) {
                continue;
            }
            LeaderElectionRecord r;
            try {
                r = s.reader.get(client);
            } catch (KubernetesClientException e) {
                LOG.debug("lease {} not read: {}", config.lease(s.shard), e.getMessage());
                continue;
            }
            boolean free = r == null
                    || r.getHolderIdentity() == null
                    || r.getHolderIdentity().isEmpty()
                    // A Lease written by another tool may lack its times: nothing then says it is still held.
                    || r.getRenewTime() == null
                    || r.getLeaseDuration() == null
                    || !r.getRenewTime().toInstant().plus(r.getLeaseDuration()).isAfter(now);
            if (!free) {
                s.freeSince = null;
                if (s.elector != null && !config.identity().equals(r.getHolderIdentity())) {
                    // Someone else was faster: stop competing, or this elector would take the shard on expiry
                    // whatever this replica's share.
                    cancel(s);
                }
                continue;
            }
            if (s.freeSince == null) {
                s.freeSince = now;
            }
            if (s.elector != null) {
                competing++;
                continue;
            }
            if (balance.take(owned + competing, s.freeSince, r != null, now)) {
                compete(s);
                competing++;
            }
        }
        Slot last = null;
        for (int i = config.shards() - 1; i >= 0 && last == null; i--) {
            Slot s = slots.get(i);
            if (s.leading && !s.shedding) {
                last = s;
            }
        }
        if (last != null && balance.giveBack(owned, now)) {
            shed(last);
        }
    }

    private void compete(Slot s) {
        // The callbacks act only while their elector is still the slot's: one cancelled during its acquiring write
        // may still report leading after the slot was cleared, and would mark the shard held with no elector.
        AtomicReference<LeaderElector> self = new AtomicReference<>();
        LeaderElector elector = Leadership.elector(
                client,
                config.leaseOf(s.shard),
                new RecordingLock(s),
                new LeaderCallbacks(
                        () -> {
                            if (s.elector == self.get()) {
                                s.leading = true;
                            }
                            poke();
                            tellSoon();
                        },
                        () -> {
                            if (s.elector == self.get()) {
                                s.leading = false;
                            }
                            poke();
                            tellSoon();
                        },
                        holder -> {}));
        self.set(elector);
        s.elector = elector;
        CompletableFuture<?> running = elector.start();
        s.running = running;
        running.whenComplete((v, t) -> {
            if (s.elector == elector) {
                s.leading = false;
                s.renewed = null;
                s.shedding = false;
                s.elector = null;
                s.running = null;
            }
            poke();
        });
    }

    /** Runs a round soon, on this class's thread, unless stopped. */
    private void poke() {
        if (stopped || partitioned) {
            return;
        }
        try {
            thread.execute(this::tickSafely);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopped meanwhile.
        }
    }

    private void tellSoon() {
        try {
            fenceThread.execute(this::tellSafely);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopped meanwhile.
        }
    }

    /** Gives {@code s} back: the fence drops first, then the Lease is released (the cancelled elector does it). */
    private void shed(Slot s) {
        s.shedding = true;
        LOG.info("shard {}: holding more shards than the share of {}; giving it back", s.shard, config.share());
        tellSoon();
        cancel(s);
    }

    private static void cancel(Slot s) {
        CompletableFuture<?> r = s.running;
        if (r != null) {
            r.cancel(true);
        }
    }

    /**
     * The shard's Lease, noting the renew time of every write of this replica's that the API server accepted: the
     * fence's clock starts there.
     */
    private final class RecordingLock implements Lock {
        private final Slot slot;
        private final LeaseLock lease;

        RecordingLock(Slot slot) {
            this.slot = slot;
            this.lease = new LeaseLock(config.namespace(), config.lease(slot.shard), config.identity());
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient c) {
            cut();
            return lease.get(c);
        }

        @Override
        public void create(KubernetesClient c, LeaderElectionRecord r) {
            cut();
            lease.create(c, r);
            noteWritten(r);
        }

        @Override
        public void update(KubernetesClient c, LeaderElectionRecord r) {
            cut();
            lease.update(c, r);
            noteWritten(r);
        }

        private void cut() {
            if (partitioned) {
                throw new KubernetesClientException("partitioned from the API server");
            }
        }

        private void noteWritten(LeaderElectionRecord r) {
            slot.renewed =
                    identity().equals(r.getHolderIdentity()) ? r.getRenewTime().toInstant() : null;
        }

        @Override
        public String identity() {
            return lease.identity();
        }

        @Override
        public String describe() {
            return lease.describe();
        }
    }
}
