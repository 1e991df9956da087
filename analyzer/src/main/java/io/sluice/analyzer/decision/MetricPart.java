package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryAnalysis;
import java.util.ArrayList;
import java.util.List;

/**
 * The two parts an {@code analysis.metrics[]} entry can have, checked in two passes as Flagger checks them: first the
 * direct part of every entry in list order, then the template part of every entry in list order. An entry named like a
 * builtin that also has a {@code templateRef} has both, and its two checks are in different passes.
 */
public enum MetricPart {
    /** The builtin query of {@code request-success-rate} or {@code request-duration}, or the inline {@code query}. */
    DIRECT,
    /**
     * The MetricTemplate of {@code templateRef}; for a custom entry with neither a template nor a query, the error
     * that it has nothing to run.
     */
    TEMPLATE;

    /** The builtin metric names, answered by Sluice's own queries. */
    public static final String SUCCESS_RATE = "request-success-rate";

    public static final String DURATION = "request-duration";

    /** The parts {@code metric} has, in the order they run. */
    public static List<MetricPart> of(CanaryAnalysis.Metric metric) {
        boolean direct = isBuiltin(metric.name) || hasText(metric.query);
        List<MetricPart> parts = new ArrayList<>(2);
        if (direct) {
            parts.add(DIRECT);
        }
        if (metric.templateRef != null || !direct) {
            parts.add(TEMPLATE);
        }
        return parts;
    }

    /** Whether {@code metricName} names one of the builtin Istio queries rather than a custom metric. */
    public static boolean isBuiltin(String metricName) {
        return SUCCESS_RATE.equals(metricName) || DURATION.equals(metricName);
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
