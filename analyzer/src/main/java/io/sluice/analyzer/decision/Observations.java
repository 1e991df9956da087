package io.sluice.analyzer.decision;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the shell read for one reconcile of one Canary, read once before deciding. Built with {@link #builder}
 * (or {@link #toBuilder} for a changed copy), so that a field added later cannot be dropped by a copy that forgot it.
 *
 * @param name            the Canary's name
 * @param namespace       the Canary's namespace
 * @param generation      the Canary's {@code metadata.generation}
 * @param deleting        a deletion timestamp is set
 * @param hasFinalizer    the Canary carries {@code finalizer.flagger.app}
 * @param specViolations  what the validator refuses in the spec (the webhook was bypassed), as
 *                        {@code field: message}; empty for a valid spec
 * @param olderOnTarget   {@code <name>.<namespace>} of an older Canary that already manages this one's target, or null
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
 * @param noDataAnnotation the Canary's no-data policy annotation as written, or null; one naming no policy is reported
 * @param noDataDeadline  under the hold policy, how long a run may go without progress; null means the Canary's
 *                        progress deadline
 * @param hookOutcomes    outcomes of the checks already run in this tick, by {@link Check#key()}
 * @param metricOutcomes  likewise, for metrics
 * @param providers       the outcome of the provider check of this tick, or null when not run
 * @param flaggerStatus   the status was written by Flagger, not Sluice ({@link FlaggerStatus}): the Canary is taken
 *                        over
 * @param requestAnnotation the Canary's {@code sluice.io/request} annotation as written, or null: a recorded runtime
 *                        request ({@code status.request}) is acted on only while this still asks for it
 * @param standing        where the Canary stands under the concurrency budget, should it start a run
 */
public record Observations(
        String name,
        String namespace,
        long generation,
        boolean deleting,
        boolean hasFinalizer,
        List<String> specViolations,
        String olderOnTarget,
        Workload target,
        String targetProblem,
        Workload primary,
        Map<String, String> trackedConfigs,
        Integer hpaMinReplicas,
        Routes routes,
        boolean analysisDue,
        NoDataPolicy noDataPolicy,
        String noDataAnnotation,
        Duration noDataDeadline,
        Map<String, HookOutcome> hookOutcomes,
        Map<String, MetricOutcome> metricOutcomes,
        ProviderAvailability providers,
        boolean flaggerStatus,
        String requestAnnotation,
        ProgressBudget.Standing standing) {

    public Observations {
        specViolations = specViolations == null ? List.of() : List.copyOf(specViolations);
        trackedConfigs = trackedConfigs == null ? Map.of() : Map.copyOf(trackedConfigs);
        hookOutcomes = hookOutcomes == null ? Map.of() : Map.copyOf(hookOutcomes);
        metricOutcomes = metricOutcomes == null ? Map.of() : Map.copyOf(metricOutcomes);
        noDataPolicy = noDataPolicy == null ? NoDataPolicy.FAIL : noDataPolicy;
        standing = standing == null ? ProgressBudget.Standing.FREE : standing;
    }

    /** Observations of the Canary {@code name} in {@code namespace}; everything else unset until given. */
    public static Builder builder(String name, String namespace) {
        return new Builder().name(name).namespace(namespace);
    }

    /** A builder holding these observations, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** These observations plus the outcome of {@code check}. */
    public Observations with(Check check, Object outcome) {
        if (outcome instanceof ProviderAvailability p) {
            return toBuilder().providers(p).build();
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
        return toBuilder().hookOutcomes(hooks).metricOutcomes(metrics).build();
    }

    /** The same observations with the check outcomes of {@code earlier} (kept across a re-read after a conflict). */
    public Observations withOutcomesOf(Observations earlier) {
        return toBuilder()
                .hookOutcomes(earlier.hookOutcomes)
                .metricOutcomes(earlier.metricOutcomes)
                .providers(earlier.providers)
                .build();
    }

    /** The Canary must not act: its spec is invalid, or an older Canary manages its target. */
    public boolean blocked() {
        return olderOnTarget != null || !specViolations.isEmpty();
    }

    String key() {
        return name + "." + namespace;
    }

    /** Collects {@link Observations} field by field; {@link #build} applies the record's defaults. */
    public static final class Builder {
        private String name;
        private String namespace;
        private long generation;
        private boolean deleting;
        private boolean hasFinalizer;
        private List<String> specViolations;
        private String olderOnTarget;
        private Workload target;
        private String targetProblem;
        private Workload primary;
        private Map<String, String> trackedConfigs;
        private Integer hpaMinReplicas;
        private Routes routes;
        private boolean analysisDue;
        private NoDataPolicy noDataPolicy;
        private String noDataAnnotation;
        private Duration noDataDeadline;
        private Map<String, HookOutcome> hookOutcomes;
        private Map<String, MetricOutcome> metricOutcomes;
        private ProviderAvailability providers;
        private boolean flaggerStatus;
        private String requestAnnotation;
        private ProgressBudget.Standing standing;

        private Builder() {}

        private Builder(Observations o) {
            name = o.name;
            namespace = o.namespace;
            generation = o.generation;
            deleting = o.deleting;
            hasFinalizer = o.hasFinalizer;
            specViolations = o.specViolations;
            olderOnTarget = o.olderOnTarget;
            target = o.target;
            targetProblem = o.targetProblem;
            primary = o.primary;
            trackedConfigs = o.trackedConfigs;
            hpaMinReplicas = o.hpaMinReplicas;
            routes = o.routes;
            analysisDue = o.analysisDue;
            noDataPolicy = o.noDataPolicy;
            noDataAnnotation = o.noDataAnnotation;
            noDataDeadline = o.noDataDeadline;
            hookOutcomes = o.hookOutcomes;
            metricOutcomes = o.metricOutcomes;
            providers = o.providers;
            flaggerStatus = o.flaggerStatus;
            requestAnnotation = o.requestAnnotation;
            standing = o.standing;
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder namespace(String v) {
            namespace = v;
            return this;
        }

        public Builder generation(long v) {
            generation = v;
            return this;
        }

        public Builder deleting(boolean v) {
            deleting = v;
            return this;
        }

        public Builder hasFinalizer(boolean v) {
            hasFinalizer = v;
            return this;
        }

        public Builder specViolations(List<String> v) {
            specViolations = v;
            return this;
        }

        public Builder olderOnTarget(String v) {
            olderOnTarget = v;
            return this;
        }

        public Builder target(Workload v) {
            target = v;
            return this;
        }

        public Builder targetProblem(String v) {
            targetProblem = v;
            return this;
        }

        public Builder primary(Workload v) {
            primary = v;
            return this;
        }

        public Builder trackedConfigs(Map<String, String> v) {
            trackedConfigs = v;
            return this;
        }

        public Builder hpaMinReplicas(Integer v) {
            hpaMinReplicas = v;
            return this;
        }

        public Builder routes(Routes v) {
            routes = v;
            return this;
        }

        public Builder analysisDue(boolean v) {
            analysisDue = v;
            return this;
        }

        public Builder noDataPolicy(NoDataPolicy v) {
            noDataPolicy = v;
            return this;
        }

        public Builder noDataAnnotation(String v) {
            noDataAnnotation = v;
            return this;
        }

        public Builder noDataDeadline(Duration v) {
            noDataDeadline = v;
            return this;
        }

        public Builder hookOutcomes(Map<String, HookOutcome> v) {
            hookOutcomes = v;
            return this;
        }

        public Builder metricOutcomes(Map<String, MetricOutcome> v) {
            metricOutcomes = v;
            return this;
        }

        public Builder providers(ProviderAvailability v) {
            providers = v;
            return this;
        }

        public Builder standing(ProgressBudget.Standing v) {
            standing = v;
            return this;
        }

        public Builder requestAnnotation(String v) {
            requestAnnotation = v;
            return this;
        }

        public Builder flaggerStatus(boolean v) {
            flaggerStatus = v;
            return this;
        }

        public Observations build() {
            return new Observations(
                    name,
                    namespace,
                    generation,
                    deleting,
                    hasFinalizer,
                    specViolations,
                    olderOnTarget,
                    target,
                    targetProblem,
                    primary,
                    trackedConfigs,
                    hpaMinReplicas,
                    routes,
                    analysisDue,
                    noDataPolicy,
                    noDataAnnotation,
                    noDataDeadline,
                    hookOutcomes,
                    metricOutcomes,
                    providers,
                    flaggerStatus,
                    requestAnnotation,
                    standing);
        }
    }
}
