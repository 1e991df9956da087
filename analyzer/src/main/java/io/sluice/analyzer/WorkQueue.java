package io.sluice.analyzer;

import io.sluice.analyzer.kube.Kube;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canary keys waiting to be reconciled. One reconcile in flight per key; events that arrive meanwhile coalesce into
 * one more run. Per key, two timers kept apart: the next analysis tick, and the retry after an infrastructure error
 * (exponential backoff) or of a tick the decision could not use yet. A failed reconcile never moves the tick; a changed
 * analysis interval does, at once: the next tick is due the new interval after the last one (now, if that has passed),
 * where Flagger rebuilds the Canary's job and runs it immediately.
 *
 * <p>Ticks keep their cadence: a tick that was used schedules the next one an interval after the one before was due,
 * not after the reconcile ended, so time spent reconciling does not push every later tick back. Ticks may be capped
 * per second ({@code maxTicksPerSecond}): a tick that would fall in a full second moves to the next second with room,
 * so thousands of Canaries started together spread out over their first interval and stay spread. Under that cap a
 * second also holds no more than {@link #EVEN_HEADROOM} times the even rate, the ticks per second that the Canaries'
 * planned ticks ask for together (each one per interval, or per requeue while it initializes or waits; 10,000
 * Canaries at 60 s: 167, so 209), and never fewer than {@link #EVEN_FLOOR}.
 * Canaries started together then take about the whole interval, not the few seconds the fixed cap would allow, and the
 * analyzer's CPU and API use stay within that share above their average instead of peaking in part of the interval. Used on the verticle's
 * context only, so it needs no locks.
 *
 * <p>At most {@link #PER_TURN} reconciles start in one turn of the event loop, and at most {@code maxInFlight} (the
 * analyzer's {@code --max-concurrent-reconciles}) are in flight at once; keys added beyond either wait, in the order added, for a later turn. A reconcile runs on the event
 * loop up to its first request, about a millisecond or two: when the caches first fill with 10,000 Canaries, starting
 * them all at once held the event loop for over 20 seconds, and with it the health endpoints and every watch event. A
 * reconcile in flight holds what it read (about 30 KiB): when 10,000 ticks fell due within seconds, thousands waiting
 * for the client's rate limit added about 190 MiB to the live heap.
 */
final class WorkQueue {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /**
     * The first retry after a 409: someone wrote first, or a create found the object a lagging cache had not shown
     * yet. Reading again is all it takes, so it is retried soon (still doubling if it keeps happening) and is not a
     * warning.
     */
    private static final Duration FIRST_CONFLICT_BACKOFF = Duration.ofMillis(100);
    /** The most reconciles started in one turn of the event loop. */
    static final int PER_TURN = 64;
    /** How far above the even rate of ticks a second may be filled: room for intervals to drift, never falling behind. */
    static final double EVEN_HEADROOM = 1.25;
    /** A second never holds fewer ticks than this for evenness' sake: a handful of Canaries needs no spreading. */
    static final int EVEN_FLOOR = 10;

    /** Where timers come from: Vert.x in production, a hand-driven fake in tests. */
    interface Timers {
        long set(long delayMs, Runnable task);

        void cancel(long id);

        /** A monotonic clock, in milliseconds. */
        long nowMs();

        /** Runs {@code task} in a later turn of the event loop, after what is queued there now. */
        void nextTurn(Runnable task);

        static Timers of(Vertx vertx) {
            return new Timers() {
                @Override
                public void nextTurn(Runnable task) {
                    vertx.runOnContext(v -> task.run());
                }

                @Override
                public long set(long delayMs, Runnable task) {
                    return vertx.setTimer(delayMs, id -> task.run());
                }

                @Override
                public void cancel(long id) {
                    vertx.cancelTimer(id);
                }

                @Override
                public long nowMs() {
                    return System.nanoTime() / 1_000_000;
                }
            };
        }
    }

    /** What the queue tells about its ticks: for metrics. */
    interface TickListener {
        /** A due tick's reconcile started {@code lateness} after the tick was due. */
        void started(String key, Duration lateness);

        /** A tick was moved {@code by} later, because its second already held the most ticks allowed. */
        void deferred(String key, Duration by);

        TickListener NONE = new TickListener() {
            @Override
            public void started(String key, Duration lateness) {}

            @Override
            public void deferred(String key, Duration by) {}
        };
    }

    private final Timers clock;
    private final Duration maxBackoff;
    private final int maxTicksPerSecond;
    private int maxInFlight = Settings.MAX_CONCURRENT_RECONCILES;
    private TickListener listener = TickListener.NONE;
    private final BiFunction<String, Boolean, Future<Reconciler.Outcome>> reconcile;
    private final Set<String> inFlight = new HashSet<>();
    private final Set<String> again = new HashSet<>();
    /** Keys added after this turn's budget was spent, in the order added. */
    private final Set<String> waiting = new java.util.LinkedHashSet<>();
    /** Reconciles started in this turn; set back to 0 by the next turn. */
    private int startedThisTurn;
    /** A next turn is asked for and has not run yet. */
    private boolean turnPending;

    private final Set<String> due = new HashSet<>();
    private final Set<String> known = new HashSet<>();
    /** The next analysis tick: makes the key due when it fires. */
    private final Map<String, Long> ticks = new HashMap<>();
    /** A retry: runs the key again without making it due. */
    private final Map<String, Long> retries = new HashMap<>();
    /** When the pending tick is due ({@link Timers#nowMs()}) and the analysis interval it was counted with. */
    private final Map<String, Tick> nextTick = new HashMap<>();

    /** {@code period}: how often ticks come at this pace ({@link #tick}); null counts as none. */
    private record Tick(long dueAtMs, Duration interval, Duration period) {
        /**
         * The ticks per million seconds this pace asks for: an integer, so sums taken away stay exact. A period under
         * a second counts as a second: ticks are placed by the second.
         */
        long perMegasecond() {
            return period == null ? 0 : 1_000_000_000L / Math.max(1_000, period.toMillis());
        }
    }

    /** The sum of {@link Tick#perMegasecond()} over {@link #nextTick}: the even rate of ticks. */
    private long demandPerMegasecond;

    /** Ticks planned per second ({@code dueAtMs / 1000}), for the cap; seconds that have passed are dropped. */
    private final TreeMap<Long, Integer> ticksPerSecond = new TreeMap<>();
    /** When a tick that fired was due: its reconcile's lateness is counted from there. */
    private final Map<String, Long> firedDue = new HashMap<>();

    private final Map<String, Integer> failures = new HashMap<>();
    private boolean stopped;

    /** {@code reconcile(key, due)}; {@code due == null} means first sight. */
    WorkQueue(Vertx vertx, Duration maxBackoff, BiFunction<String, Boolean, Future<Reconciler.Outcome>> reconcile) {
        this(Timers.of(vertx), maxBackoff, 0, reconcile);
    }

    /** {@code maxTicksPerSecond}: the most analysis ticks planned in one second; 0 for no cap. */
    WorkQueue(
            Vertx vertx,
            Duration maxBackoff,
            int maxTicksPerSecond,
            BiFunction<String, Boolean, Future<Reconciler.Outcome>> reconcile) {
        this(Timers.of(vertx), maxBackoff, maxTicksPerSecond, reconcile);
    }

    WorkQueue(Timers timers, Duration maxBackoff, BiFunction<String, Boolean, Future<Reconciler.Outcome>> reconcile) {
        this(timers, maxBackoff, 0, reconcile);
    }

    WorkQueue(
            Timers timers,
            Duration maxBackoff,
            int maxTicksPerSecond,
            BiFunction<String, Boolean, Future<Reconciler.Outcome>> reconcile) {
        if (maxTicksPerSecond < 0) {
            throw new IllegalArgumentException(
                    "maxTicksPerSecond must be 0 (no cap) or more, not " + maxTicksPerSecond);
        }
        this.clock = timers;
        this.maxBackoff = maxBackoff;
        this.maxTicksPerSecond = maxTicksPerSecond;
        this.reconcile = reconcile;
    }

    /** At most {@code n} reconciles in flight at once; keys beyond wait, in the order added, for room. */
    WorkQueue maxInFlight(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at most " + n + " reconciles in flight: must be 1 or more");
        }
        this.maxInFlight = n;
        return this;
    }

    /** Tells {@code l} when ticks start and when they are deferred. */
    WorkQueue ticks(TickListener l) {
        this.listener = l;
        return this;
    }

    /** Something about {@code key} changed: reconcile soon (at once unless one is running). */
    void add(String key) {
        if (stopped) {
            return;
        }
        if (inFlight.contains(key)) {
            again.add(key);
            return;
        }
        if (startedThisTurn >= PER_TURN || inFlight.size() >= maxInFlight) {
            waiting.add(key);
            askNextTurn();
            return;
        }
        startedThisTurn++;
        askNextTurn();
        run(key);
    }

    private void askNextTurn() {
        if (!turnPending) {
            turnPending = true;
            clock.nextTurn(this::nextTurn);
        }
    }

    /**
     * A new turn: the budget is whole again, and the keys that waited start first, as far as the turn's budget and the
     * room in flight allow. Keys still waiting for room are asked for again when a reconcile ends.
     */
    private void nextTurn() {
        turnPending = false;
        startedThisTurn = 0;
        if (stopped) {
            waiting.clear();
            return;
        }
        var it = waiting.iterator();
        while (it.hasNext() && startedThisTurn < PER_TURN && inFlight.size() < maxInFlight) {
            String key = it.next();
            it.remove();
            add(key);
        }
    }

    /** Keys waiting for a turn with room (for tests). */
    int waiting() {
        return waiting.size();
    }

    private void run(String key) {
        inFlight.add(key);
        Boolean isDue = known.add(key) ? null : due.contains(key);
        Long wasDueAt = firedDue.remove(key);
        if (Boolean.TRUE.equals(isDue) && wasDueAt != null) {
            listener.started(key, Duration.ofMillis(Math.max(0, clock.nowMs() - wasDueAt)));
        }
        reconcile.apply(key, isDue).onComplete(ar -> {
            inFlight.remove(key);
            if (stopped) {
                return;
            }
            if (!waiting.isEmpty()) {
                askNextTurn();
            }
            if (ar.failed()) {
                int n = failures.merge(key, 1, Integer::sum);
                boolean conflict = Kube.isConflict(ar.cause());
                long first = (conflict ? FIRST_CONFLICT_BACKOFF : FIRST_BACKOFF).toMillis();
                long ms = Math.min(maxBackoff.toMillis(), first << Math.min(n - 1, 20));
                if (conflict) {
                    LOG.info(
                            "reconcile of {} met a conflict (attempt {}), reading again in {} ms: {}",
                            key,
                            n,
                            ms,
                            ar.cause().getMessage());
                } else {
                    LOG.warn(
                            "reconcile of {} failed (attempt {}), retrying in {} ms: {}",
                            key,
                            n,
                            ms,
                            ar.cause().toString());
                }
                Reconciler.Outcome written = ar.cause() instanceof Reconciler.ActionsFailed f ? f.outcome() : null;
                if (written != null && written.consumedTick()) {
                    // The step is in the status: the next one is an interval away, whatever the repair needs.
                    due.remove(key);
                    nextAfterUsed(key, written.requeue(), written.interval());
                } else if (isDue == null) {
                    due.add(key);
                }
                schedule(key, Duration.ofMillis(ms), false);
            } else {
                failures.remove(key);
                Reconciler.Outcome o = ar.result();
                if (o.gone()) {
                    forget(key);
                    return;
                }
                if (o.consumedTick()) {
                    due.remove(key);
                    cancel(retries, key);
                    nextAfterUsed(key, o.requeue(), o.interval());
                } else if (Boolean.TRUE.equals(isDue) || isDue == null) {
                    // The tick is still owed (e.g. Gloo has not accepted the weights): try again soon.
                    due.add(key);
                    schedule(key, o.requeue(), false);
                } else if (!ticks.containsKey(key) && !due.contains(key)) {
                    tick(key, o.requeue(), o.interval(), o.requeue());
                } else if (intervalChanged(key, o.interval())) {
                    // The new interval counts from the last tick: due at once when that much time has passed.
                    Tick pending = nextTick.get(key);
                    long lastTick = pending.dueAtMs() - pending.interval().toMillis();
                    long dueAt = lastTick + o.interval().toMillis();
                    LOG.debug(
                            "analysis interval of {} is now {}: next tick in {} ms",
                            key,
                            o.interval(),
                            dueAt - clock.nowMs());
                    tick(key, Duration.ofMillis(Math.max(0, dueAt - clock.nowMs())), o.interval(), o.interval());
                }
            }
            if (again.remove(key)) {
                run(key);
            }
        });
    }

    private boolean intervalChanged(String key, Duration interval) {
        Tick pending = nextTick.get(key);
        return ticks.containsKey(key) && pending != null && interval != null && !interval.equals(pending.interval());
    }

    /**
     * The tick after one that was used: an interval after the used one was due, when the decision asks for exactly
     * one interval and that moment has not passed yet; otherwise {@code requeue} from now.
     */
    private void nextAfterUsed(String key, Duration requeue, Duration interval) {
        Tick last = nextTick.get(key);
        long now = clock.nowMs();
        if (last != null && interval != null && requeue.equals(interval) && last.dueAtMs() <= now) {
            long dueAt = last.dueAtMs() + interval.toMillis();
            if (dueAt > now) {
                tick(key, Duration.ofMillis(dueAt - now), interval, interval);
                return;
            }
        }
        tick(key, requeue, interval, requeue);
    }

    /**
     * Schedules the next analysis tick {@code delay} from now (later if its second is full), counted with {@code
     * interval}. {@code period} is how often the key's ticks come while the decision asks for them this way (its
     * requeue: the interval on cadence, less while a Canary initializes or waits), counted in the even rate.
     */
    private void tick(String key, Duration delay, Duration interval, Duration period) {
        release(key);
        long now = clock.nowMs();
        long wanted = now + Math.max(1, delay.toMillis());
        long dueAt = place(wanted);
        if (dueAt > wanted) {
            listener.deferred(key, Duration.ofMillis(dueAt - wanted));
        }
        schedule(key, Duration.ofMillis(dueAt - now), true);
        plan(key, new Tick(dueAt, interval, period));
    }

    /** Keeps {@code t} as the key's planned tick, and the even rate with it. */
    private void plan(String key, Tick t) {
        Tick old = t == null ? nextTick.remove(key) : nextTick.put(key, t);
        demandPerMegasecond += (t == null ? 0 : t.perMegasecond()) - (old == null ? 0 : old.perMegasecond());
    }

    /**
     * The most ticks one second may hold now: {@code maxTicksPerSecond}, or less while the planned ticks' even rate
     * is well below it.
     */
    int capPerSecond() {
        if (maxTicksPerSecond == 0) {
            return 0;
        }
        long even = (long) Math.ceil(demandPerMegasecond / 1e6 * EVEN_HEADROOM);
        return (int) Math.min(maxTicksPerSecond, Math.max(EVEN_FLOOR, even));
    }

    /**
     * The moment, at {@code wanted} or after, of the first second with room for one more tick; takes that room. A
     * moved tick is due at the start of its second, with the others moved there. Spacing them out over the second was
     * tried: one run at 10,000 spent 2.65 ms of CPU per tick against 1.37 (docs/benchmarks.md, r23).
     */
    private long place(long wanted) {
        if (maxTicksPerSecond == 0) {
            return wanted;
        }
        ticksPerSecond.headMap(clock.nowMs() / 1000).clear();
        long second = wanted / 1000;
        int cap = capPerSecond();
        while (ticksPerSecond.getOrDefault(second, 0) >= cap) {
            second++;
        }
        ticksPerSecond.merge(second, 1, Integer::sum);
        return second == wanted / 1000 ? wanted : second * 1000;
    }

    /** Gives back the room the key's pending tick took in its second. */
    private void release(String key) {
        Tick pending = nextTick.get(key);
        if (maxTicksPerSecond == 0 || pending == null || !ticks.containsKey(key)) {
            return;
        }
        ticksPerSecond.computeIfPresent(pending.dueAtMs() / 1000, (s, n) -> n > 1 ? n - 1 : null);
    }

    private void schedule(String key, Duration delay, boolean makesDue) {
        Map<String, Long> timers = makesDue ? ticks : retries;
        cancel(timers, key);
        long[] id = {0};
        id[0] = clock.set(Math.max(1, delay.toMillis()), () -> {
            timers.remove(key, id[0]);
            if (makesDue) {
                due.add(key);
                Tick t = nextTick.get(key);
                if (t != null) {
                    firedDue.put(key, t.dueAtMs());
                }
            }
            add(key);
        });
        timers.put(key, id[0]);
    }

    private void cancel(Map<String, Long> timers, String key) {
        Long old = timers.remove(key);
        if (old != null) {
            clock.cancel(old);
        }
    }

    /** The Canary is gone: drop its timers and state. */
    void forget(String key) {
        release(key);
        firedDue.remove(key);
        cancel(ticks, key);
        cancel(retries, key);
        plan(key, null);
        due.remove(key);
        known.remove(key);
        failures.remove(key);
    }

    /** Stops all timers; nothing more runs (used when leadership is lost). */
    void stop() {
        stopped = true;
        ticks.values().forEach(clock::cancel);
        retries.values().forEach(clock::cancel);
        ticks.clear();
        retries.clear();
    }
}
