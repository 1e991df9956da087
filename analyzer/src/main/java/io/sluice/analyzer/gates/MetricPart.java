package io.sluice.analyzer.gates;

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

    /** The parts {@code metric} has, in the order they run. */
    public static List<MetricPart> of(CanaryAnalysis.Metric metric) {
        boolean direct = Queries.isBuiltin(metric.name) || hasText(metric.query);
        List<MetricPart> parts = new ArrayList<>(2);
        if (direct) {
            parts.add(DIRECT);
        }
        if (metric.templateRef != null || !direct) {
            parts.add(TEMPLATE);
        }
        return parts;
    }

    static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
