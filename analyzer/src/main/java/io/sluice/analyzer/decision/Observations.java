package io.sluice.analyzer.decision;

import io.sluice.analyzer.gates.HookOutcome;
import io.sluice.analyzer.gates.MetricOutcome;
import io.sluice.analyzer.gates.NoDataPolicy;
import io.sluice.analyzer.gates.ProviderAvailability;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything the shell read for one reconcile of one Canary, read once before deciding.
 *
 * @param name            the Canary's name
 * @param namespace       the Canary's namespace
 * @param generation      the Canary's {@code metadata.generation}
 * @param deleting        a deletion timestamp is set
 * @param hasFinalizer    the Canary carries {@code finalizer.flagger.app}
 * @param target          the target Deployment, or {@code null} when it does not exist
 * @param targetProblem   why the target cannot be used (e.g. no selector label), as the Warning text; or null
 * @param primary         the {@code -primary} Deployment, or {@code null} when it does not exist yet
 * @param trackedConfigs  checksums of the tracked ConfigMaps and Secrets ({@code configmap/<name>} → checksum);
 *                        empty when config tracking is off
 * @param hpaMinReplicas  {@code minReplicas} of the target's autoscaler, or {@code null} without one
 * @param routes          the delegate RouteTable as read
 * @param analysisDue     the analysis interval elapsed: checks may run and steps may be taken. Reconciles
 *                        started by a watch event between intervals only detect, converge and react to deletion
 * @param noDataPolicy    what a metric without data means (the Canary's annotation, else the analyzer's flag)
 * @param noDataDeadline  under the hold policy, how long a run may go without progress; null means the Canary's
 *                        progress deadline
 * @param hookOutcomes    outcomes of the checks already run in this tick, by {@link Check#key()}
 * @param metricOutcomes  likewise, for metrics
 * @param providers       the outcome of the provider check of this tick, or null when not run
 */
public record Observations(String name, String namespace, long generation, boolean deleting, boolean hasFinalizer,
        Workload target, String targetProblem, Workload primary, Map<String, String> trackedConfigs,
        Integer hpaMinReplicas, Routes routes, boolean analysisDue, NoDataPolicy noDataPolicy,
        java.time.Duration noDataDeadline, Map<String, HookOutcome> hookOutcomes,
        Map<String, MetricOutcome> metricOutcomes, ProviderAvailability providers) {

    public Observations {
        trackedConfigs = trackedConfigs == null ? Map.of() : Map.copyOf(trackedConfigs);
        hookOutcomes = hookOutcomes == null ? Map.of() : Map.copyOf(hookOutcomes);
        metricOutcomes = metricOutcomes == null ? Map.of() : Map.copyOf(metricOutcomes);
        noDataPolicy = noDataPolicy == null ? NoDataPolicy.FAIL : noDataPolicy;
    }

    /** These observations plus the outcome of {@code check}. */
    public Observations with(Check check, Object outcome) {
        ProviderAvailability p = providers;
        if (outcome instanceof ProviderAvailability po) {
            p = po;
            return new Observations(name, namespace, generation, deleting, hasFinalizer, target, targetProblem,
                    primary, trackedConfigs, hpaMinReplicas, routes, analysisDue, noDataPolicy, noDataDeadline,
                    hookOutcomes, metricOutcomes, p);
        }
        Map<String, HookOutcome> hooks = new HashMap<>(hookOutcomes);
        Map<String, MetricOutcome> metrics = new HashMap<>(metricOutcomes);
        if (outcome instanceof HookOutcome h) {
            hooks.put(check.key(), h);
        } else if (outcome instanceof MetricOutcome m) {
            metrics.put(check.key(), m);
        } else {
            throw new IllegalArgumentException("not a check outcome: " + outcome);
        }
        return new Observations(name, namespace, generation, deleting, hasFinalizer, target, targetProblem, primary,
                trackedConfigs, hpaMinReplicas, routes, analysisDue, noDataPolicy, noDataDeadline, hooks, metrics, p);
    }

    /** The same observations with the check outcomes of {@code earlier} (kept across a re-read after a conflict). */
    public Observations withOutcomesOf(Observations earlier) {
        return new Observations(name, namespace, generation, deleting, hasFinalizer, target, targetProblem, primary,
                trackedConfigs, hpaMinReplicas, routes, analysisDue, noDataPolicy, noDataDeadline, earlier.hookOutcomes,
                earlier.metricOutcomes, earlier.providers);
    }

    String key() {
        return name + "." + namespace;
    }
}
