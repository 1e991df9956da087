package io.sluice.model.flagger;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.sluice.model.Durations;
import java.time.Duration;
import java.util.List;

/**
 * Every default of the Canary API in one place, as Flagger applies them. The model classes hold what the user
 * wrote (nulls included); code that acts on a Canary reads values through here.
 */
public final class CanaryDefaults {
    public static final Duration ANALYSIS_INTERVAL = Duration.ofSeconds(60);
    public static final Duration MIN_ANALYSIS_INTERVAL = Duration.ofSeconds(10);
    public static final int THRESHOLD = 1;
    public static final int MAX_WEIGHT = 100;
    public static final int PROGRESS_DEADLINE_SECONDS = 600;
    /** Builtin and, unlike Flagger, template metrics too. */
    public static final String METRIC_INTERVAL = "1m";

    public static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
    public static final int READY_THRESHOLD_PERCENT = 100;
    public static final String PORT_NAME = "http";
    public static final int SESSION_AFFINITY_MAX_AGE = 86400;
    public static final String WEBHOOK_TYPE = "rollout";
    public static final String ALERT_SEVERITY = "info";
    public static final String ALERT_CHANNEL = "general";
    public static final String ALERT_USERNAME = "flagger";

    private CanaryDefaults() {}

    /** {@code analysis.interval}: 60s when absent or unparsable, never below 10s. */
    public static Duration interval(CanaryAnalysis analysis) {
        Duration d =
                analysis == null ? null : Durations.parse(analysis.interval).orElse(null);
        if (d == null || d.isZero() || d.isNegative()) {
            return ANALYSIS_INTERVAL;
        }
        return d.compareTo(MIN_ANALYSIS_INTERVAL) < 0 ? MIN_ANALYSIS_INTERVAL : d;
    }

    /** {@code analysis.threshold}: 1 when absent or not positive. */
    public static int threshold(CanaryAnalysis analysis) {
        return analysis == null || analysis.threshold == null || analysis.threshold <= 0
                ? THRESHOLD
                : analysis.threshold;
    }

    /** The promotion weight: {@code min(100, last stepWeight)} with stepWeights, else {@code maxWeight}, else 100. */
    public static int maxWeight(CanaryAnalysis analysis) {
        if (analysis == null) {
            return MAX_WEIGHT;
        }
        List<Integer> steps = analysis.stepWeights;
        if (steps != null && !steps.isEmpty()) {
            Integer last = steps.get(steps.size() - 1);
            return Math.min(MAX_WEIGHT, last == null ? MAX_WEIGHT : last);
        }
        return analysis.maxWeight == null || analysis.maxWeight <= 0 ? MAX_WEIGHT : analysis.maxWeight;
    }

    /** {@code analysis.stepWeight}, 0 when absent. */
    public static int stepWeight(CanaryAnalysis analysis) {
        return analysis == null || analysis.stepWeight == null ? 0 : analysis.stepWeight;
    }

    /** {@code analysis.stepWeights}, empty when absent. */
    public static List<Integer> stepWeights(CanaryAnalysis analysis) {
        return analysis == null || analysis.stepWeights == null ? List.of() : analysis.stepWeights;
    }

    /** {@code analysis.stepWeightPromotion}, 0 (all at once) when absent. */
    public static int stepWeightPromotion(CanaryAnalysis analysis) {
        return analysis == null || analysis.stepWeightPromotion == null ? 0 : analysis.stepWeightPromotion;
    }

    /** {@code analysis.iterations}, 0 when absent. */
    public static int iterations(CanaryAnalysis analysis) {
        return analysis == null || analysis.iterations == null ? 0 : analysis.iterations;
    }

    /** {@code spec.progressDeadlineSeconds}: 600 when absent. */
    public static int progressDeadlineSeconds(CanarySpec spec) {
        return spec == null || spec.progressDeadlineSeconds == null
                ? PROGRESS_DEADLINE_SECONDS
                : spec.progressDeadlineSeconds;
    }

    /** {@code analysis.primaryReadyThreshold}: 100 when absent or not positive. */
    public static int primaryReadyThreshold(CanaryAnalysis analysis) {
        return percent(analysis == null ? null : analysis.primaryReadyThreshold);
    }

    /** {@code analysis.canaryReadyThreshold}: 100 when absent or not positive. */
    public static int canaryReadyThreshold(CanaryAnalysis analysis) {
        return percent(analysis == null ? null : analysis.canaryReadyThreshold);
    }

    private static int percent(Integer value) {
        return value == null || value <= 0 ? READY_THRESHOLD_PERCENT : value;
    }

    /** True when analysis is skipped: {@code skipAnalysis}, or no analysis at all. */
    public static boolean skipAnalysis(CanarySpec spec) {
        return Boolean.TRUE.equals(spec.skipAnalysis) || spec.effectiveAnalysis() == null;
    }

    /** The apex Service name: {@code service.name}, else the target's name. */
    public static String serviceName(CanarySpec spec) {
        if (spec.service != null && spec.service.name != null && !spec.service.name.isEmpty()) {
            return spec.service.name;
        }
        return spec.targetRef.name;
    }

    /** {@code service.portName}: {@code http} when absent. */
    public static String portName(CanaryService service) {
        return service.portName == null || service.portName.isEmpty() ? PORT_NAME : service.portName;
    }

    /** {@code service.targetPort}: the service port when absent. */
    public static IntOrString targetPort(CanaryService service) {
        return service.targetPort != null ? service.targetPort : new IntOrString(service.port);
    }

    /** The provider: {@code spec.provider}, else the analyzer's default. */
    public static String provider(CanarySpec spec, String globalDefault) {
        return spec.provider == null || spec.provider.isEmpty() ? globalDefault : spec.provider;
    }

    /** The query range of a metric: its {@code interval}, else 1m. */
    public static String metricInterval(CanaryAnalysis.Metric metric) {
        return metric.interval == null || metric.interval.isEmpty() ? METRIC_INTERVAL : metric.interval;
    }

    /** The type of a webhook: {@code rollout} when empty. */
    public static String webhookType(CanaryAnalysis.Webhook hook) {
        return hook.type == null || hook.type.isEmpty() ? WEBHOOK_TYPE : hook.type;
    }

    /** A webhook's per-attempt timeout: 10s when absent or unparsable. */
    public static Duration webhookTimeout(CanaryAnalysis.Webhook hook) {
        return Durations.parse(hook.timeout)
                .filter(d -> !d.isZero() && !d.isNegative())
                .orElse(WEBHOOK_TIMEOUT);
    }

    /** A webhook's retries: 0 when absent. */
    public static int webhookRetries(CanaryAnalysis.Webhook hook) {
        return hook.retries == null || hook.retries < 0 ? 0 : hook.retries;
    }

    /** An alert's severity: {@code info} when empty (Flagger sends nothing then; its docs say info). */
    public static String alertSeverity(CanaryAnalysis.Alert alert) {
        return alert.severity == null || alert.severity.isEmpty() ? ALERT_SEVERITY : alert.severity;
    }

    /** The namespace of a template or provider reference: the canary's when absent. */
    public static String namespace(CanaryAnalysis.TemplateReference ref, String canaryNamespace) {
        return ref.namespace == null || ref.namespace.isEmpty() ? canaryNamespace : ref.namespace;
    }

    /** Session cookie lifetime: 86400s when absent or 0. */
    public static int sessionAffinityMaxAge(CanaryAnalysis.SessionAffinity affinity) {
        return affinity.maxAge == null || affinity.maxAge == 0 ? SESSION_AFFINITY_MAX_AGE : affinity.maxAge;
    }
}
