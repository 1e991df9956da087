package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import java.util.Comparator;
import java.util.List;

/**
 * The concurrency budget ({@code --max-progressing-canaries}): how many Canaries may run at once, and where a Canary
 * that wants to start stands in the queue. Everything is derived from the Canaries' statuses (phases, and the
 * {@link #QUEUED_CONDITION} whose transition time is when a waiter joined the queue), so a restarted analyzer keeps
 * the order and a deleted waiter simply leaves it.
 */
public final class ProgressBudget {
    /** The condition of a Canary waiting in the queue; its transition time is when it joined. */
    public static final String QUEUED_CONDITION = "Queued";

    private ProgressBudget() {}

    /**
     * Another Canary as the informer's cache shows it.
     *
     * @param key         {@code <namespace>/<name>}
     * @param running     its run holds traffic (Progressing, WaitingPromotion, Promoting, Finalising)
     * @param queuedSince when it joined the queue (RFC 3339), or null when it is not queued
     */
    public record Entry(String key, boolean running, String queuedSince) {
        /** The entry for a Canary with {@code status}. */
        public static Entry of(String key, CanaryStatus status) {
            CanaryPhase phase = status == null ? null : status.phase();
            CanaryCondition queued = status == null || phase != CanaryPhase.Waiting
                    ? null
                    : KstatusConditions.find(status.conditions, QUEUED_CONDITION);
            return new Entry(
                    key,
                    phase != null && phase.isRunning(),
                    queued == null || !"True".equals(queued.status) ? null : queued.lastTransitionTime);
        }
    }

    /**
     * Where a Canary that wants to start a run stands.
     *
     * @param place    0 when it may start now; otherwise its place in the queue, from 1 (the waiters ahead, plus one)
     * @param running  how many other Canaries run
     * @param max      the cap
     */
    public record Standing(int place, int running, int max) {
        /** No cap, or a free slot. */
        public static final Standing FREE = new Standing(0, 0, 0);

        public boolean mayStart() {
            return place == 0;
        }
    }

    /**
     * Where {@code self} stands among {@code others} (self excluded from them) under a cap of {@code max} (0: none).
     * Waiters go oldest first (ties by key); one that is not queued yet joins behind every queued one.
     */
    public static Standing standing(String self, String selfQueuedSince, List<Entry> others, int max) {
        if (max <= 0) {
            return Standing.FREE;
        }
        int running = (int) others.stream()
                .filter(e -> !e.key().equals(self) && e.running())
                .count();
        Comparator<Entry> order = Comparator.comparing(Entry::queuedSince).thenComparing(Entry::key);
        Entry me = new Entry(self, false, selfQueuedSince);
        long ahead = others.stream()
                .filter(e -> !e.key().equals(self) && !e.running() && e.queuedSince() != null)
                .filter(e -> selfQueuedSince == null || order.compare(e, me) < 0)
                .count();
        if (ahead < max - running) {
            return new Standing(0, running, max);
        }
        return new Standing((int) ahead + 1, running, max);
    }
}
