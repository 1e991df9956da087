package io.sluice.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Analysis ticks as seen from outside the analyzer: a tick of a progressing Canary starts with its first check (a
 * webhook call or a metric query naming it) after at least half an interval without one. Its lateness is how much
 * later it started than one interval after the previous tick of the same Canary started. That is the schedule a user
 * expects (Flagger's ticker); the analyzer's own timer starts when the previous reconcile ends, so this lateness also
 * holds the previous tick's duration. The analyzer exposes no due time of its own (see bench/README.md).
 */
final class Ticks {
    private final long intervalMs;
    private final Map<String, long[]> perCanary = new HashMap<>();
    private final List<Long> lateness = new ArrayList<>();
    private long ticks;
    private boolean measuring;

    Ticks(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    /** A check of {@code key} ({@code namespace/name}) reached a stand-in at {@code nowMs}. */
    synchronized void seen(String key, long nowMs) {
        long[] s = perCanary.get(key);
        if (s == null) {
            perCanary.put(key, new long[] {nowMs, nowMs});
            count(null);
            return;
        }
        // s[0]: when the current tick started, s[1]: the last check seen.
        if (nowMs - s[1] > intervalMs / 2) {
            count(nowMs - (s[0] + intervalMs));
            s[0] = nowMs;
        }
        s[1] = nowMs;
    }

    /** {@code latenessMs} is null for a Canary's first tick seen: nothing to be late against. */
    private void count(Long latenessMs) {
        if (!measuring) {
            return;
        }
        ticks++;
        if (latenessMs != null) {
            lateness.add(latenessMs);
        }
    }

    /** Starts counting ticks and their lateness from now on. */
    synchronized void measure() {
        measuring = true;
        ticks = 0;
        lateness.clear();
    }

    /** Stops counting; returns the ticks counted and the lateness of each that had a previous tick (ms). */
    synchronized Result stop() {
        measuring = false;
        Result r = new Result(ticks, List.copyOf(lateness));
        ticks = 0;
        lateness.clear();
        return r;
    }

    record Result(long ticks, List<Long> latenessMs) {
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
