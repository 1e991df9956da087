package io.sluice.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Analysis ticks as seen from outside the analyzer: a tick of a progressing Canary starts with its first check (a
 * webhook call or a metric query naming it) after at least half an interval without one. Its lateness is how much
 * later it started than one interval after the previous tick of the same Canary started. That is the schedule a user
 * expects (Flagger's ticker); the analyzer's own timer starts when the previous reconcile ends, so this lateness also
 * holds the previous tick's duration. The analyzer exposes no due time of its own (see bench/README.md).
 *
 * <p>Ticks a second or more late are also counted by the wall-clock second they started in, so that the tail can be
 * laid beside the analyzer's recording (its collections, its safepoints) and the benchmark's own pauses.
 */
final class Ticks {
    static final long LATE_MS = 1_000;

    private final long intervalMs;
    private final Map<String, long[]> perCanary = new HashMap<>();
    private final List<Long> lateness = new ArrayList<>();
    /** Epoch second → {ticks started in it at least {@link #LATE_MS} late, the latest of them (ms)}. */
    private final TreeMap<Long, long[]> late = new TreeMap<>();
    /** Epoch second → ticks started in it: how evenly the ticks fall over the interval, and how many were counted. */
    private final TreeMap<Long, Long> started = new TreeMap<>();

    private boolean measuring;

    Ticks(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    /** A check of {@code key} ({@code namespace/name}) reached a stand-in at {@code nowMs}. */
    synchronized void seen(String key, long nowMs) {
        long[] s = perCanary.get(key);
        if (s == null) {
            perCanary.put(key, new long[] {nowMs, nowMs});
            count(null, nowMs);
            return;
        }
        // s[0]: when the current tick started, s[1]: the last check seen.
        if (nowMs - s[1] > intervalMs / 2) {
            count(nowMs - (s[0] + intervalMs), nowMs);
            s[0] = nowMs;
        }
        s[1] = nowMs;
    }

    /** {@code latenessMs} is null for a Canary's first tick seen: nothing to be late against. */
    private void count(Long latenessMs, long nowMs) {
        if (!measuring) {
            return;
        }
        started.merge(nowMs / 1000, 1L, Long::sum);
        if (latenessMs != null) {
            lateness.add(latenessMs);
            if (latenessMs >= LATE_MS) {
                long[] second = late.computeIfAbsent(nowMs / 1000, k -> new long[2]);
                second[0]++;
                second[1] = Math.max(second[1], latenessMs);
            }
        }
    }

    /** Starts counting ticks and their lateness from now on. */
    synchronized void measure() {
        measuring = true;
        lateness.clear();
        late.clear();
        started.clear();
    }

    /** Stops counting; returns the ticks counted and the lateness of each that had a previous tick (ms). */
    synchronized Result stop() {
        measuring = false;
        List<LateSecond> seconds = new ArrayList<>();
        late.forEach((second, v) -> seconds.add(new LateSecond(second, v[0], v[1])));
        Spread spread = Spread.of(started);
        long ticks = started.values().stream().mapToLong(Long::longValue).sum();
        Result r = new Result(ticks, List.copyOf(lateness), List.copyOf(seconds), spread);
        lateness.clear();
        late.clear();
        started.clear();
        return r;
    }

    /** The ticks that started in one wall-clock second at least {@link #LATE_MS} late, and the latest of them. */
    record LateSecond(long epochSecond, long ticks, long maxMs) {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

        @Override
        public String toString() {
            return TIME.format(Instant.ofEpochSecond(epochSecond)) + " " + ticks + " (up to "
                    + String.format(java.util.Locale.ROOT, "%.2f", maxMs / 1e3) + " s)";
        }
    }

    /**
     * How the ticks fell over the seconds from the first tick counted to the last: the mean per second, the busiest
     * second, the 99th percentile of seconds, and how many seconds had none. Ticks at an even rate have a busiest
     * second close to the mean and few empty seconds; ticks in phase have a long quiet part of every interval.
     */
    record Spread(long seconds, double mean, long p99, long max, long empty) {
        static final Spread NONE = new Spread(0, 0, 0, 0, 0);

        static Spread of(java.util.SortedMap<Long, Long> perSecond) {
            if (perSecond.isEmpty()) {
                return NONE;
            }
            long first = perSecond.firstKey();
            long n = perSecond.lastKey() - first + 1;
            long[] counts = new long[(int) n];
            perSecond.forEach((s, c) -> counts[(int) (s - first)] = c);
            java.util.Arrays.sort(counts);
            long total = java.util.Arrays.stream(counts).sum();
            long empty = java.util.Arrays.stream(counts).filter(c -> c == 0).count();
            int i = (int) Math.ceil(0.99 * n) - 1;
            return new Spread(n, (double) total / n, counts[Math.max(0, i)], counts[(int) n - 1], empty);
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "ticks started per second over %d s: mean %.1f, p99 %d, busiest %d; %d seconds without one",
                    seconds,
                    mean,
                    p99,
                    max,
                    empty);
        }
    }

    record Result(long ticks, List<Long> latenessMs, List<LateSecond> late, Spread spread) {
        /** The late seconds, one per line, at most {@code limit} of them with the most late ticks, in time order. */
        List<String> describeLate(int limit) {
            List<String> lines = new ArrayList<>();
            lines.add("ticks at least " + LATE_MS / 1000 + " s late, by the second (UTC) they started in: "
                    + late.stream().mapToLong(LateSecond::ticks).sum() + " in " + late.size() + " seconds"
                    + (late.size() > limit ? "; the " + limit + " with the most" : ""));
            late.stream()
                    .sorted(java.util.Comparator.comparingLong(LateSecond::ticks)
                            .reversed())
                    .limit(limit)
                    .sorted(java.util.Comparator.comparingLong(LateSecond::epochSecond))
                    .forEach(l -> lines.add("  " + l));
            return lines;
        }

        long percentile(double p) {
            if (latenessMs.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(latenessMs);
            sorted.sort(null);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }
}
