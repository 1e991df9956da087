package io.sluice.analyzer.decision;

import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.flagger.QueuedCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The concurrency budget: how many Canaries may run at once, cluster-wide ({@code --max-progressing-canaries}) and in
 * a namespace (the Namespace's {@code sluice.io/max-progressing-canaries} annotation), and where a Canary that wants
 * to start stands in the queue. Everything is derived from the Canaries' statuses (phases, and the
 * {@link #QUEUED_CONDITION} whose transition time is when a waiter joined the queue) and the caps, so a restarted
 * analyzer keeps the order and a deleted waiter simply leaves it.
 *
 * <p>A Canary starts when both budgets have room for it. Each budget has one queue, oldest first; a waiter holds a
 * place in it unless it is paused ({@code spec.suspend} or a runtime pause), and in the cluster's queue unless its own
 * namespace's cap holds it anyway: a namespace that is full must not keep the rest of the cluster waiting.
 */
public final class ProgressBudget {
    /** The condition of a Canary waiting in the queue; its transition time is when it joined. */
    public static final String QUEUED_CONDITION = QueuedCondition.TYPE;

    private ProgressBudget() {}

    /** Which budget a Canary waits for. */
    public enum Scope {
        /** {@code --max-progressing-canaries} */
        CLUSTER,
        /** the Namespace's {@code sluice.io/max-progressing-canaries} */
        NAMESPACE
    }

    /**
     * Another Canary as the informer's cache shows it.
     *
     * @param key         {@code <namespace>/<name>}
     * @param running     its run holds traffic (Progressing, WaitingPromotion, Promoting, Finalising)
     * @param queuedSince when it joined the queue (RFC 3339), or null when it is not queued
     * @param paused      it is queued but held by {@code spec.suspend} or a runtime pause: it holds no place
     */
    public record Entry(String key, boolean running, String queuedSince, boolean paused) {
        public Entry(String key, boolean running, String queuedSince) {
            this(key, running, queuedSince, false);
        }

        /** The entry for a Canary with {@code status} that is not suspended. */
        public static Entry of(String key, CanaryStatus status) {
            return of(key, false, status);
        }

        /** The entry for a Canary with {@code status}; {@code suspended} is its {@code spec.suspend}. */
        public static Entry of(String key, boolean suspended, CanaryStatus status) {
            CanaryPhase phase = status == null ? null : status.phase();
            CanaryCondition queued = QueuedCondition.find(status);
            String since = queued == null ? null : queued.lastTransitionTime;
            return new Entry(
                    key,
                    phase != null && phase.isRunning(),
                    since,
                    since != null && (suspended || RuntimeRequests.paused(status)));
        }

        /** The same Canary, counted as running (a run this analyzer started that the cache does not show yet). */
        public Entry asRunning() {
            return new Entry(key, true, null, false);
        }

        public String namespace() {
            int slash = key.indexOf('/');
            return slash < 0 ? "" : key.substring(0, slash);
        }

        /** Holds a place in a queue. */
        boolean waits() {
            return !running && queuedSince != null && !paused;
        }
    }

    /**
     * The caps.
     *
     * @param cluster    {@code --max-progressing-canaries}; 0 for none
     * @param namespaces the cap of each namespace that has one (absent or 0: none)
     */
    public record Caps(int cluster, Map<String, Integer> namespaces) {
        public static final Caps NONE = new Caps(0, Map.of());

        public Caps {
            namespaces = Map.copyOf(namespaces);
        }

        public int of(String namespace) {
            Integer n = namespaces.get(namespace);
            return n == null ? 0 : n;
        }

        /** Whether a Canary of {@code namespace} can be held at all. */
        public boolean limit(String namespace) {
            return cluster > 0 || of(namespace) > 0;
        }
    }

    /**
     * Where a Canary that wants to start a run stands.
     *
     * @param place     0 when it may start now; otherwise its place in the queue, from 1 (the waiters ahead, plus one)
     * @param running   how many other Canaries run (in the namespace, for {@link Scope#NAMESPACE})
     * @param max       the cap
     * @param scope     the budget it waits for
     * @param namespace the namespace whose budget it waits for; null for the cluster's
     */
    public record Standing(int place, int running, int max, Scope scope, String namespace) {
        /** No cap, or a free slot. */
        public static final Standing FREE = new Standing(0, 0, 0);

        /** A standing in the cluster's budget. */
        public Standing(int place, int running, int max) {
            this(place, running, max, Scope.CLUSTER, null);
        }

        public boolean mayStart() {
            return place == 0;
        }
    }

    /**
     * The cap a Namespace's annotation sets: a non-negative integer; 0, like the flag's 0, is no limit. Null when the
     * value is not such a number (the caller says so once and ignores it) or there is no annotation.
     */
    public static Integer parseCap(String annotation) {
        if (annotation == null) {
            return null;
        }
        String v = annotation.trim();
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Integer.parseInt(v);
    }

    /** {@link #standing(String, String, List, Caps)} with a cluster cap only. */
    public static Standing standing(String self, String selfQueuedSince, List<Entry> others, int max) {
        return standing(self, selfQueuedSince, others, new Caps(max, Map.of()));
    }

    /**
     * Where {@code self} stands among {@code others} (self excluded from them) under {@code caps}. Waiters go oldest
     * first (ties by key); one that is not queued yet joins behind every queued one. When both budgets hold it, the
     * namespace's is named: that is the one it waits for first.
     */
    public static Standing standing(String self, String selfQueuedSince, List<Entry> others, Caps caps) {
        Entry me = new Entry(self, false, selfQueuedSince);
        List<Entry> rest = others.stream().filter(e -> !e.key().equals(self)).toList();
        String ns = me.namespace();
        int nsMax = caps.of(ns);
        if (nsMax > 0) {
            Standing inNamespace = inQueue(
                    me, rest.stream().filter(e -> e.namespace().equals(ns)).toList(), nsMax, Scope.NAMESPACE, ns);
            if (!inNamespace.mayStart()) {
                return inNamespace;
            }
        }
        if (caps.cluster() > 0) {
            Set<String> held = heldByTheirNamespace(me, rest, caps);
            return inQueue(
                    me,
                    rest.stream().filter(e -> !held.contains(e.key())).toList(),
                    caps.cluster(),
                    Scope.CLUSTER,
                    null);
        }
        return Standing.FREE;
    }

    private static final Comparator<Entry> ORDER = Comparator.comparing(
                    Entry::queuedSince, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Entry::key);

    private static Standing inQueue(Entry me, List<Entry> others, int max, Scope scope, String ns) {
        int running = (int) others.stream().filter(Entry::running).count();
        long ahead = others.stream()
                .filter(Entry::waits)
                .filter(e -> me.queuedSince() == null || ORDER.compare(e, me) < 0)
                .count();
        if (ahead < max - running) {
            return new Standing(0, running, max, scope, ns);
        }
        return new Standing((int) ahead + 1, running, max, scope, ns);
    }

    /**
     * The waiters among {@code others} that their own namespace's cap holds: in each capped namespace, those behind
     * the first (cap − running) waiters, {@code me} counted among them at its place.
     */
    private static Set<String> heldByTheirNamespace(Entry me, List<Entry> others, Caps caps) {
        Map<String, List<Entry>> byNamespace = new HashMap<>();
        List<Entry> everyone = new ArrayList<>(others);
        everyone.add(me);
        for (Entry e : everyone) {
            if (caps.of(e.namespace()) > 0) {
                byNamespace
                        .computeIfAbsent(e.namespace(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        Set<String> held = new HashSet<>();
        byNamespace.forEach((ns, entries) -> {
            long running = entries.stream().filter(Entry::running).count();
            long free = Math.max(0, caps.of(ns) - running);
            List<Entry> waiters = entries.stream()
                    .filter(e -> e == me || e.waits())
                    .sorted(ORDER)
                    .toList();
            for (int i = 0; i < waiters.size(); i++) {
                if (i >= free && waiters.get(i) != me) {
                    held.add(waiters.get(i).key());
                }
            }
        });
        return held;
    }
}
