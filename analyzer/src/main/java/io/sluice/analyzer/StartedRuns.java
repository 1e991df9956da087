package io.sluice.analyzer;

import io.sluice.analyzer.decision.ProgressBudget;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs this analyzer started that the Canary cache may not show yet. Two Canaries deciding at the same moment would
 * otherwise both take the last slot of the concurrency budget: the second one's cache does not show the first one's
 * status write. A started run counts as running from the moment its start is decided (before the write) until the
 * cache shows it (running, or already ended), the write fails, or the Canary is gone.
 */
final class StartedRuns {
    /**
     * @param over    the resourceVersion the start was written over
     * @param written the resourceVersion the start wrote; null until the write succeeded
     * @param run     the run it started ({@code status.currentRun}), to know it again once it ended
     */
    private record Start(String over, String written, CanaryStatus.CurrentRun run) {}

    private final Map<String, Start> started = new ConcurrentHashMap<>();

    /** {@code key} starts a run: decided over {@code read}, with {@code status}; counted as running from now on. */
    void starting(String key, Canary read, CanaryStatus status) {
        started.put(key, new Start(read.getMetadata().getResourceVersion(), null, status.currentRun));
    }

    /** The start of {@code key}'s run was written, as {@code written}. */
    void written(String key, Canary written) {
        started.computeIfPresent(
                key, (k, s) -> new Start(s.over(), written.getMetadata().getResourceVersion(), s.run()));
    }

    /** The start was not written, or the Canary is gone. */
    void forget(String key) {
        started.remove(key);
    }

    /**
     * How the budget counts {@code cached}, whose entry from the cache is {@code entry}: as running while its start is
     * not in the cache yet. Once the cache shows the start or what followed it, the entry is the cache's own.
     */
    ProgressBudget.Entry count(Canary cached, ProgressBudget.Entry entry) {
        Start s = started.get(entry.key());
        if (s == null) {
            return entry;
        }
        if (caughtUp(cached, s)) {
            started.remove(entry.key(), s);
            return entry;
        }
        return entry.asRunning();
    }

    private static boolean caughtUp(Canary cached, Start s) {
        String version = cached.getMetadata().getResourceVersion();
        CanaryStatus status = cached.getStatus();
        if (status != null && status.phase() != null && status.phase().isRunning()) {
            return true;
        }
        if (s.written() != null && s.written().equals(version)) {
            return true;
        }
        // The run already ended: the cache shows it, out of a running phase, in a later version than the start's base.
        return status != null && !Objects.equals(version, s.over()) && sameRun(status.currentRun, s.run());
    }

    private static boolean sameRun(CanaryStatus.CurrentRun a, CanaryStatus.CurrentRun b) {
        return a != null
                && b != null
                && Objects.equals(a.revision, b.revision)
                && Objects.equals(a.startedAt, b.startedAt);
    }
}
