package io.sluice.analyzer;

import io.sluice.analyzer.decision.NoDataPolicy;
import java.time.Duration;
import java.util.List;

/**
 * What the analyzer was started with (see {@link Main} for the flags).
 *
 * @param selectorLabels         label keys tried, in order, to find the target's selector label
 * @param includeLabelPrefixes   label and annotation prefixes copied from the target to the primary
 * @param configTracking         track referenced ConfigMaps and Secrets
 * @param waitForRouteAcceptance wait for Gloo Mesh to accept a delegate that has never had a status written
 * @param noDataPolicy           how a metric without data counts
 * @param noDataDeadline         how long the hold policy may hold; null means each Canary's progress deadline
 * @param resync                 how often every Canary is reconciled even when nothing was watched
 * @param maxBackoff             the longest wait between retries after infrastructure errors
 * @param instance               this process's identity (Event reportingInstance, lease holder)
 * @param kubeQps                sustained API calls per second
 * @param kubeBurst              API calls allowed in a burst
 * @param maxProgressingCanaries how many Canaries may run at once, cluster-wide; 0 for no limit
 * @param maxTicksPerSecond      the most analysis ticks planned in one second (later ones move to the next second
 *                               with room); 0 for no cap
 * @param maxConcurrentReconciles the most reconciles in flight at once; keys beyond it wait for room
 * @param noCrossNamespaceRefs   halt Canaries that name objects of other namespaces (Flagger's flag)
 */
public record Settings(
        List<String> selectorLabels,
        List<String> includeLabelPrefixes,
        boolean configTracking,
        boolean waitForRouteAcceptance,
        NoDataPolicy noDataPolicy,
        Duration noDataDeadline,
        Duration resync,
        Duration maxBackoff,
        String instance,
        double kubeQps,
        int kubeBurst,
        int maxProgressingCanaries,
        int maxTicksPerSecond,
        int maxConcurrentReconciles,
        boolean noCrossNamespaceRefs) {

    /** {@code --max-concurrent-reconciles}'s default. */
    public static final int MAX_CONCURRENT_RECONCILES = 2048;

    public Settings {
        if (maxConcurrentReconciles < 1) {
            throw new IllegalArgumentException(
                    "maxConcurrentReconciles must be 1 or more, not " + maxConcurrentReconciles);
        }
    }

    /** Flagger's defaults. */
    public static Settings defaults() {
        return new Settings(
                List.of("app", "name", "app.kubernetes.io/name"),
                List.of(),
                true,
                false,
                NoDataPolicy.FAIL,
                null,
                Duration.ofMinutes(5),
                Duration.ofMinutes(2),
                "sluice-analyzer",
                100,
                250,
                0,
                0,
                MAX_CONCURRENT_RECONCILES,
                false);
    }

    /** These settings with a concurrency budget of {@code max} running Canaries (0: none). */
    public Settings withMaxProgressingCanaries(int max) {
        return new Settings(
                selectorLabels,
                includeLabelPrefixes,
                configTracking,
                waitForRouteAcceptance,
                noDataPolicy,
                noDataDeadline,
                resync,
                maxBackoff,
                instance,
                kubeQps,
                kubeBurst,
                max,
                maxTicksPerSecond,
                maxConcurrentReconciles,
                noCrossNamespaceRefs);
    }

    /** These settings with {@code --no-cross-namespace-refs} set to {@code refuse}. */
    public Settings withNoCrossNamespaceRefs(boolean refuse) {
        return new Settings(
                selectorLabels,
                includeLabelPrefixes,
                configTracking,
                waitForRouteAcceptance,
                noDataPolicy,
                noDataDeadline,
                resync,
                maxBackoff,
                instance,
                kubeQps,
                kubeBurst,
                maxProgressingCanaries,
                maxTicksPerSecond,
                maxConcurrentReconciles,
                refuse);
    }
}
