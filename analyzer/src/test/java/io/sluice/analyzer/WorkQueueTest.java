package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkQueueTest {
    final Vertx vertx = Vertx.vertx();
    final Context context = vertx.getOrCreateContext();
    final List<Boolean> dues = new CopyOnWriteArrayList<>();
    final List<Promise<Reconciler.Outcome>> pending = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    WorkQueue queue() {
        return new WorkQueue(vertx, Duration.ofSeconds(2), this::recordRun);
    }

    /** A queue on hand-fired timers. */
    WorkQueue queue(FakeTimers timers) {
        return new WorkQueue(timers, Duration.ofSeconds(2), this::recordRun);
    }

    /** A reconcile that records whether it was due and waits for the test to complete it. */
    Future<Reconciler.Outcome> recordRun(String key, Boolean due) {
        dues.add(due);
        Promise<Reconciler.Outcome> p = Promise.promise();
        pending.add(p);
        return p.future();
    }

    void onContext(Runnable r) {
        context.runOnContext(v -> r.run());
    }

    /** Waits until {@code n} reconciles have started. */
    void awaitRuns(int n) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pending.size() < n) {
            assertThat(System.nanoTime())
                    .as("reconcile " + n + " did not start")
                    .isLessThan(end);
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS))
                    .get();
        }
    }

    static Reconciler.Outcome consumed(Duration next) {
        return new Reconciler.Outcome(next, true, false, null);
    }

    @Test
    @DisplayName("events for a Canary that is being reconciled coalesce into one more run")
    void coalesces() throws Exception {
        WorkQueue q = queue();
        onContext(() -> q.add("test/podinfo"));
        awaitRuns(1);
        onContext(() -> {
            q.add("test/podinfo");
            q.add("test/podinfo");
            q.add("test/podinfo");
        });
        onContext(() -> pending.get(0).complete(consumed(Duration.ofMinutes(1))));
        awaitRuns(2);
        onContext(() -> pending.get(1).complete(consumed(Duration.ofMinutes(1))));
        // A marker run proves the queue went idle with exactly two reconciles of the first key.
        onContext(() -> q.add("test/other"));
        awaitRuns(3);
        assertThat(pending).hasSize(3);
    }

    @Test
    @DisplayName("the first reconcile is first sight; the interval timer makes the next one due")
    void dueAfterTheInterval() throws Exception {
        WorkQueue q = queue();
        onContext(() -> q.add("test/podinfo"));
        awaitRuns(1);
        onContext(() -> pending.get(0).complete(consumed(Duration.ofMillis(30))));
        awaitRuns(2);
        onContext(() -> pending.get(1).complete(consumed(Duration.ofMinutes(1))));
        onContext(() -> q.add("test/podinfo"));
        awaitRuns(3);
        assertThat(dues).containsExactly(null, true, false);
    }

    @Test
    @DisplayName("a failed reconcile is retried after a backoff and the tick it owed stays owed")
    void retriesWithBackoff() throws Exception {
        WorkQueue q = queue();
        onContext(() -> q.add("test/podinfo"));
        awaitRuns(1);
        onContext(() -> pending.get(0).fail(new IllegalStateException("API server unavailable")));
        awaitRuns(2);
        assertThat(dues).containsExactly(null, true);
    }

    @Test
    @DisplayName("a tick the decision did not use is offered again on the next reconcile")
    void unusedTickStaysDue() throws Exception {
        WorkQueue q = queue();
        onContext(() -> q.add("test/podinfo"));
        awaitRuns(1);
        onContext(() -> pending.get(0).complete(new Reconciler.Outcome(Duration.ofMillis(20), false, false, null)));
        awaitRuns(2);
        assertThat(dues).containsExactly(null, true);
    }

    /** Timers fired by hand: no real waiting. */
    static final class FakeTimers implements WorkQueue.Timers {
        record Timer(long id, long delayMs, Runnable task, long atMs) {}

        final java.util.Map<Long, Timer> pending = new java.util.LinkedHashMap<>();
        final java.util.Set<Long> cancelled = new java.util.HashSet<>();
        /** Tasks for the event loop's next turn, run by {@link #turn()}. */
        final java.util.List<Runnable> turns = new java.util.ArrayList<>();

        long next = 1;
        long now;

        @Override
        public void nextTurn(Runnable task) {
            turns.add(task);
        }

        /** The event loop's next turn: runs what was queued for it (and not what that queues in turn). */
        void turn() {
            var now = List.copyOf(turns);
            turns.clear();
            now.forEach(Runnable::run);
        }

        @Override
        public long nowMs() {
            return now;
        }

        @Override
        public long set(long delayMs, Runnable task) {
            Timer t = new Timer(next++, delayMs, task, now + delayMs);
            pending.put(t.id(), t);
            return t.id();
        }

        @Override
        public void cancel(long id) {
            if (pending.remove(id) != null) {
                cancelled.add(id);
            }
        }

        Timer only(long delayMs) {
            return pending.values().stream()
                    .filter(t -> t.delayMs() == delayMs)
                    .findFirst()
                    .orElseThrow();
        }

        /** Fires {@code t}, moving the clock to when it was set to fire unless the clock is past that already. */
        void fire(Timer t) {
            assertThat(pending.remove(t.id()))
                    .as("timer " + t + " still pending")
                    .isNotNull();
            now = Math.max(now, t.atMs());
            t.task().run();
        }
    }

    @Test
    @DisplayName("a failed watch-triggered reconcile is retried without pushing back the pending analysis tick")
    void aFailureDoesNotMoveTheTick() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        FakeTimers.Timer tick = timers.only(20_000);

        q.add("test/podinfo");
        pending.get(1).fail(new IllegalStateException("API server unavailable"));
        FakeTimers.Timer retry = timers.only(1_000);
        assertThat(timers.pending).as("the tick is still pending").containsKey(tick.id());

        timers.fire(retry);
        pending.get(2).complete(new Reconciler.Outcome(Duration.ofSeconds(20), false, false, null));
        assertThat(timers.cancelled).doesNotContain(tick.id());
        assertThat(timers.pending.values())
                .as("no new tick one interval after the retry")
                .containsExactly(tick);

        timers.fire(tick);
        assertThat(dues).containsExactly(null, false, false, true);
    }

    @Test
    @DisplayName("a conflict (409) is retried soon, doubling while it repeats; other failures wait longer")
    void conflictsAreRetriedSoon() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0)
                .fail(new io.fabric8.kubernetes.client.KubernetesClientException(
                        "services \"podinfo-canary\" already exists", 409, null));
        timers.fire(timers.only(100));
        pending.get(1).fail(new io.fabric8.kubernetes.client.KubernetesClientException("conflict", 409, null));
        timers.fire(timers.only(200));
        pending.get(2).fail(new IllegalStateException("API server unavailable"));
        assertThat(timers.pending.values())
                .singleElement()
                .extracting(FakeTimers.Timer::delayMs)
                .isEqualTo(2_000L);
    }

    @Test
    @DisplayName(
            "a step whose status was written but whose route write failed is repaired without taking the next step early")
    void aWrittenStepIsNotOwedAgain() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        timers.fire(timers.only(20_000));
        pending.get(1)
                .fail(new Reconciler.ActionsFailed(
                        new io.fabric8.kubernetes.client.KubernetesClientException(
                                "routetables \"podinfo\" conflict", 409, null),
                        consumed(Duration.ofSeconds(20))));
        FakeTimers.Timer nextTick = timers.only(20_000);
        timers.fire(timers.only(100));
        assertThat(dues).as("the repair is not a due tick").containsExactly(null, true, false);
        pending.get(2).complete(new Reconciler.Outcome(Duration.ofSeconds(20), false, false, null));
        timers.fire(nextTick);
        assertThat(dues).containsExactly(null, true, false, true);
    }

    static Reconciler.Outcome watched(Duration interval) {
        return new Reconciler.Outcome(interval, false, false, null);
    }

    @Test
    @DisplayName("a longer interval moves the pending tick to the new interval after the last tick")
    void aLongerIntervalMovesTheTick() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        FakeTimers.Timer old = timers.only(20_000);

        timers.now = 5_000;
        q.add("test/podinfo");
        pending.get(1).complete(watched(Duration.ofSeconds(60)));
        assertThat(timers.cancelled).contains(old.id());
        timers.fire(timers.only(55_000));
        assertThat(dues).containsExactly(null, false, true);

        timers.now = 60_000;
        pending.get(2).complete(consumed(Duration.ofSeconds(60)));
        q.add("test/podinfo");
        pending.get(3).complete(watched(Duration.ofSeconds(60)));
        assertThat(timers.pending.values())
                .as("an unchanged interval leaves the tick alone")
                .extracting(FakeTimers.Timer::delayMs)
                .containsExactly(60_000L);
    }

    @Test
    @DisplayName("a shorter interval that has already passed since the last tick makes the Canary due at once")
    void aShorterIntervalTicksAtOnce() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(60)));
        FakeTimers.Timer old = timers.only(60_000);

        timers.now = 15_000;
        q.add("test/podinfo");
        pending.get(1).complete(watched(Duration.ofSeconds(10)));
        assertThat(timers.cancelled).contains(old.id());
        timers.fire(timers.only(1));
        assertThat(dues).containsExactly(null, false, true);
    }

    /** Records what the queue tells about its ticks. */
    static final class Ticks implements WorkQueue.TickListener {
        final List<String> started = new java.util.ArrayList<>();
        final List<String> deferred = new java.util.ArrayList<>();

        @Override
        public void started(String key, Duration lateness) {
            started.add(key + " " + lateness.toMillis());
        }

        @Override
        public void deferred(String key, Duration by) {
            deferred.add(key + " " + by.toMillis());
        }
    }

    @Test
    @DisplayName("the next tick is due an interval after the last one was due, however long the reconcile took")
    void ticksKeepTheirCadence() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        timers.fire(timers.only(20_000));
        timers.now = 23_000;
        pending.get(1).complete(consumed(Duration.ofSeconds(20)));
        assertThat(timers.pending.values())
                .singleElement()
                .extracting(FakeTimers.Timer::atMs)
                .isEqualTo(40_000L);
    }

    @Test
    @DisplayName("a reconcile that ends after its next tick was due waits a whole interval, not less")
    void aVeryLateTickWaitsAWholeInterval() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = queue(timers);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        timers.fire(timers.only(20_000));
        timers.now = 45_000;
        pending.get(1).complete(consumed(Duration.ofSeconds(20)));
        assertThat(timers.pending.values())
                .singleElement()
                .extracting(FakeTimers.Timer::atMs)
                .isEqualTo(65_000L);
    }

    @Test
    @DisplayName("ticks beyond the cap of a second move to the next second with room, and the move is reported")
    void ticksPerSecondAreCapped() {
        FakeTimers timers = new FakeTimers();
        Ticks told = new Ticks();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), 2, this::recordRun).ticks(told);
        for (String key : List.of("test/a", "test/b", "test/c", "test/d", "test/e")) {
            q.add(key);
        }
        pending.forEach(p -> p.complete(consumed(Duration.ofMillis(20_300))));
        assertThat(timers.pending.values())
                .extracting(FakeTimers.Timer::atMs)
                .containsExactly(20_300L, 20_300L, 21_000L, 21_000L, 22_000L);
        assertThat(told.deferred).containsExactly("test/c 700", "test/d 700", "test/e 1700");
    }

    /** How many pending ticks fall in each second, by second. */
    static java.util.SortedMap<Long, Long> perSecond(FakeTimers timers) {
        return timers.pending.values().stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        t -> t.atMs() / 1000, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    @Test
    @DisplayName(
            "Canaries started together spread over their interval at a little above the even rate, well under the cap")
    void ticksStartedTogetherSpreadAtTheEvenRate() {
        FakeTimers timers = new FakeTimers();
        Ticks told = new Ticks();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), 1_000, this::recordRun)
                .maxInFlight(1_000)
                .ticks(told);
        for (int i = 0; i < 300; i++) {
            q.add("test/c" + i);
            timers.turn();
        }
        pending.forEach(p -> p.complete(consumed(Duration.ofSeconds(30))));
        // 300 Canaries at 30 s ask for 10 ticks a second; a second holds 1.25 times that at most.
        assertThat(q.capPerSecond()).isEqualTo(13);
        java.util.SortedMap<Long, Long> seconds = perSecond(timers);
        assertThat(seconds.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(13L));
        assertThat(seconds.firstKey()).isEqualTo(30L);
        // The rate is counted from the Canaries planned so far: the first 241 find 10 a second (the floor), the
        // later ones fill those seconds up to 13. Without the even rate, 1,000 a second would keep all in one.
        assertThat(seconds.lastKey()).isEqualTo(30L + 24);
        assertThat(seconds.get(30L)).isEqualTo(13L);
        assertThat(told.deferred).hasSize(300 - 13);

        q.forget("test/c0");
        assertThat(q.capPerSecond())
                .as("the even rate follows the Canaries planned")
                .isEqualTo((int) Math.ceil(299 / 30.0 * 1.25));
    }

    @Test
    @DisplayName("the even rate counts how soon each Canary's decision asks again, not only its analysis interval")
    void theEvenRateCountsTheRequeue() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), 1_000, this::recordRun).maxInFlight(1_000);
        for (int i = 0; i < 100; i++) {
            q.add("test/c" + i);
            timers.turn();
        }
        // Initializing at a 60 s interval, each asks again in 2 s: 50 ticks a second in all, not 100 / 60.
        pending.forEach(p ->
                p.complete(new Reconciler.Outcome(Duration.ofSeconds(2), true, false, null, Duration.ofSeconds(60))));
        assertThat(q.capPerSecond()).isEqualTo(63);
        // Each was placed with the rate of those before it: the last, with 99 counted, found 62 a second.
        assertThat(perSecond(timers)).containsExactly(java.util.Map.entry(2L, 62L), java.util.Map.entry(3L, 38L));
    }

    @Test
    @DisplayName("a handful of Canaries started together are not spread: no second is held below ten ticks")
    void aHandfulOfTicksIsNotSpread() {
        FakeTimers timers = new FakeTimers();
        Ticks told = new Ticks();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), 1_000, this::recordRun).ticks(told);
        for (int i = 0; i < 10; i++) {
            q.add("test/c" + i);
        }
        pending.forEach(p -> p.complete(consumed(Duration.ofMinutes(1))));
        assertThat(perSecond(timers)).containsExactly(java.util.Map.entry(60L, 10L));
        assertThat(told.deferred).isEmpty();
    }

    @Test
    @DisplayName("a forgotten Canary gives its tick's room in that second to the next one")
    void aForgottenTickFreesItsPlace() {
        FakeTimers timers = new FakeTimers();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), 1, this::recordRun);
        q.add("test/a");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        q.forget("test/a");
        q.add("test/b");
        pending.get(1).complete(consumed(Duration.ofSeconds(20)));
        assertThat(timers.pending.values())
                .singleElement()
                .extracting(FakeTimers.Timer::atMs)
                .isEqualTo(20_000L);
    }

    @Test
    @DisplayName("a due tick's reconcile reports how late it started against when the tick was due")
    void aTickReportsItsLateness() {
        FakeTimers timers = new FakeTimers();
        Ticks told = new Ticks();
        WorkQueue q = queue(timers).ticks(told);
        q.add("test/podinfo");
        pending.get(0).complete(consumed(Duration.ofSeconds(20)));
        q.add("test/podinfo");
        timers.now = 20_250;
        timers.fire(timers.only(20_000));
        assertThat(told.started)
                .as("the tick waits behind the reconcile in flight")
                .isEmpty();
        pending.get(1).complete(watched(Duration.ofSeconds(20)));
        assertThat(told.started).containsExactly("test/podinfo 250");
    }

    @Test
    @DisplayName(
            "at most a turn's budget of reconciles start in one turn of the event loop; the keys beyond it start in"
                    + " the next turns, in the order they were added, each once")
    void aBurstOfKeysIsSpreadOverTurns() {
        FakeTimers timers = new FakeTimers();
        List<String> started = new java.util.ArrayList<>();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), (key, due) -> {
            started.add(key);
            return Promise.<Reconciler.Outcome>promise().future();
        });
        int keys = 2 * WorkQueue.PER_TURN + 22;
        for (int i = 0; i < keys; i++) {
            q.add("k" + i);
        }
        q.add("k" + (keys - 1));
        assertThat(started).hasSize(WorkQueue.PER_TURN);
        assertThat(q.waiting()).isEqualTo(keys - WorkQueue.PER_TURN);

        timers.turn();
        assertThat(started).hasSize(2 * WorkQueue.PER_TURN);
        timers.turn();
        assertThat(started).hasSize(keys);
        assertThat(q.waiting()).isZero();
        assertThat(started)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, keys)
                        .mapToObj(i -> "k" + i)
                        .toList());
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {0, 100})
    @DisplayName(
            "at most --max-concurrent-reconciles reconciles are in flight (its default when not set); a key waiting"
                    + " for room starts in the turn after one ends")
    void reconcilesInFlightAreCapped(int set) {
        FakeTimers timers = new FakeTimers();
        List<String> started = new java.util.ArrayList<>();
        List<Promise<Reconciler.Outcome>> running = new java.util.ArrayList<>();
        WorkQueue q = new WorkQueue(timers, Duration.ofSeconds(2), (key, due) -> {
            started.add(key);
            Promise<Reconciler.Outcome> p = Promise.promise();
            running.add(p);
            return p.future();
        });
        int cap = set == 0 ? Settings.MAX_CONCURRENT_RECONCILES : set;
        if (set != 0) {
            q.maxInFlight(set);
        }
        int keys = cap + 10;
        for (int i = 0; i < keys; i++) {
            q.add("k" + i);
        }
        while (!timers.turns.isEmpty()) {
            timers.turn();
        }
        assertThat(started).hasSize(cap);
        assertThat(q.waiting()).isEqualTo(10);

        running.get(0).complete(new Reconciler.Outcome(Duration.ofSeconds(30), false, false, null));
        assertThat(started).as("not in the same turn").hasSize(cap);
        timers.turn();
        assertThat(started).hasSize(cap + 1);
        assertThat(started.get(cap)).isEqualTo("k" + cap);
        assertThat(q.waiting()).isEqualTo(9);
    }

    @Test
    @DisplayName("a cap below one reconcile in flight is refused")
    void aCapBelowOneIsRefused() {
        WorkQueue q = new WorkQueue(new FakeTimers(), Duration.ofSeconds(2), this::recordRun);
        assertThatThrownBy(() -> q.maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 1 or more");
    }
}
