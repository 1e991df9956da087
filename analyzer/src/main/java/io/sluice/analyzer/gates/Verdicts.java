package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.GoFormat;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.Texts;
import io.sluice.model.flagger.CanaryAnalysis;
import java.time.Duration;

/**
 * Turns a query result into a {@link MetricOutcome}: the threshold rules and the Event texts. Pure: no I/O, no clock,
 * so every rule is a table test.
 *
 * @param canaryKey {@code <canary name>.<namespace>}, as the Halt texts name it
 * @param targetKey {@code <target name>.<namespace>}, as the no-data texts name it
 */
record Verdicts(String canaryKey, String targetKey) {
    /** The observer family the texts name; Gloo Mesh's metrics are Istio's. */
    static final String OBSERVER = "istio";
    /** Why an infinite value is not judged: Go's comparisons would pass it against a one-sided range. */
    static final String NOT_FINITE = "not a finite number";
    /** A duration in nanoseconds fits a long up to this many milliseconds (Go's time.Duration has the same limit). */
    static final double MAX_DURATION_MILLIS = Long.MAX_VALUE / 1e6;

    /** {@code request-success-rate}: percent, inclusive bounds, the deprecated {@code threshold} as a minimum. */
    MetricOutcome successRate(CanaryAnalysis.Metric metric, QueryResult result) {
        if (result instanceof QueryResult.NoValues) {
            return new MetricOutcome(
                    metric.name,
                    Verdict.NO_DATA,
                    null,
                    Texts.noTraffic(OBSERVER, metric.name, targetKey) + ": running query failed: no values found");
        }
        if (result instanceof QueryResult.Failed f) {
            return builtinError(metric, f);
        }
        double v = ((QueryResult.Value) result).value();
        if (Double.isInfinite(v)) {
            return unjudgeable(metric, GoFormat.shortest(v) + "%", NOT_FINITE);
        }
        String value = GoFormat.fixed2(v) + "%";
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && v < range.min) {
                return fail(metric, v, halt("success rate", value, "<", GoFormat.shortest(range.min) + "%"));
            }
            if (range.max != null && v > range.max) {
                return fail(metric, v, halt("success rate", value, ">", GoFormat.shortest(range.max) + "%"));
            }
        } else if (metric.threshold != null && metric.threshold > v) {
            return fail(metric, v, halt("success rate", value, "<", GoFormat.shortest(metric.threshold) + "%"));
        }
        return pass(metric, v);
    }

    /**
     * {@code request-duration}: the p99 in milliseconds, truncated to whole milliseconds and compared and printed as a
     * duration, the way Flagger reads it. The value recorded is in seconds, as Flagger's dashboard expects.
     */
    MetricOutcome duration(CanaryAnalysis.Metric metric, QueryResult result) {
        if (result instanceof QueryResult.NoValues) {
            return new MetricOutcome(
                    metric.name, Verdict.NO_DATA, null, Texts.noTraffic(OBSERVER, metric.name, targetKey));
        }
        if (result instanceof QueryResult.Failed f) {
            return builtinError(metric, f);
        }
        double ms = ((QueryResult.Value) result).value();
        if (Double.isInfinite(ms)) {
            return unjudgeable(metric, GoFormat.shortest(ms) + "ms", NOT_FINITE);
        }
        if (Math.abs(ms) >= MAX_DURATION_MILLIS) {
            return unjudgeable(metric, GoFormat.shortest(ms) + "ms", "beyond the longest duration (about 292 years)");
        }
        Duration value = millis(ms);
        double seconds = value.toNanos() / 1e9;
        String shown = GoFormat.duration(value);
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && value.compareTo(millis(range.min)) < 0) {
                return fail(
                        metric, seconds, halt("request duration", shown, "<", GoFormat.duration(millis(range.min))));
            }
            if (range.max != null && value.compareTo(millis(range.max)) > 0) {
                return fail(
                        metric, seconds, halt("request duration", shown, ">", GoFormat.duration(millis(range.max))));
            }
        } else if (metric.threshold != null && value.compareTo(millis(metric.threshold)) > 0) {
            return fail(
                    metric, seconds, halt("request duration", shown, ">", GoFormat.duration(millis(metric.threshold))));
        }
        return pass(metric, seconds);
    }

    /** The minimum-traffic guard: {@code null} when there was enough traffic to judge. */
    MetricOutcome traffic(CanaryAnalysis.Metric metric, String interval, long min, QueryResult result) {
        if (result instanceof QueryResult.Failed f) {
            return builtinError(metric, f);
        }
        double count = result instanceof QueryResult.Value v ? v.value() : 0;
        if (count >= min) {
            return null;
        }
        return new MetricOutcome(
                metric.name,
                Verdict.NO_DATA,
                null,
                Texts.tooLittleTraffic(OBSERVER, metric.name, targetKey, (long) Math.floor(count), interval, min));
    }

    /** The deprecated inline {@code query}. */
    MetricOutcome inline(CanaryAnalysis.Metric metric, QueryResult result) {
        if (result instanceof QueryResult.NoValues) {
            return new MetricOutcome(metric.name, Verdict.NO_DATA, null, Texts.noValues(metric.name));
        }
        if (result instanceof QueryResult.Failed f) {
            return error(metric, "Prometheus query failed for " + metric.name + ": " + f.error());
        }
        return custom(metric, ((QueryResult.Value) result).value());
    }

    /** A MetricTemplate's query. */
    MetricOutcome template(CanaryAnalysis.Metric metric, QueryResult result) {
        if (result instanceof QueryResult.NoValues) {
            return new MetricOutcome(metric.name, Verdict.NO_DATA, null, Texts.noValuesForTemplate(metric.name));
        }
        if (result instanceof QueryResult.Failed f) {
            return error(metric, "Metric query failed for " + metric.name + ": " + f.error());
        }
        return custom(metric, ((QueryResult.Value) result).value());
    }

    /** Inclusive bounds; without a range the deprecated {@code threshold} is a maximum. */
    MetricOutcome custom(CanaryAnalysis.Metric metric, double v) {
        if (Double.isInfinite(v)) {
            return unjudgeable(metric, GoFormat.shortest(v), NOT_FINITE);
        }
        String value = GoFormat.fixed2(v);
        CanaryAnalysis.ThresholdRange range = metric.thresholdRange;
        if (range != null) {
            if (range.min != null && v < range.min) {
                return fail(metric, v, halt(metric.name, value, "<", GoFormat.shortest(range.min)));
            }
            if (range.max != null && v > range.max) {
                return fail(metric, v, halt(metric.name, value, ">", GoFormat.shortest(range.max)));
            }
        } else if (metric.threshold != null && v > metric.threshold) {
            return fail(metric, v, halt(metric.name, value, ">", GoFormat.shortest(metric.threshold)));
        }
        return pass(metric, v);
    }

    /** A value no threshold can judge is a failed check (never a pass, never an exception retried forever). */
    private MetricOutcome unjudgeable(CanaryAnalysis.Metric metric, String value, String why) {
        return new MetricOutcome(
                metric.name, Verdict.FAIL, null, Texts.unjudgeable(canaryKey, metric.name, value, why));
    }

    private String halt(String what, String value, String op, String bound) {
        return Texts.outOfRange(canaryKey, what, value, op, bound);
    }

    static MetricOutcome error(CanaryAnalysis.Metric metric, String message) {
        return new MetricOutcome(metric.name, Verdict.ERROR, null, message);
    }

    private static MetricOutcome builtinError(CanaryAnalysis.Metric metric, QueryResult.Failed f) {
        return error(metric, "Prometheus query failed: running query failed: " + f.error());
    }

    private static MetricOutcome pass(CanaryAnalysis.Metric metric, double value) {
        return new MetricOutcome(metric.name, Verdict.PASS, value, null);
    }

    private static MetricOutcome fail(CanaryAnalysis.Metric metric, double value, String message) {
        return new MetricOutcome(metric.name, Verdict.FAIL, value, message);
    }

    /** Go converts the float to a whole number of milliseconds by truncation; so does Sluice. */
    private static Duration millis(double ms) {
        return Duration.ofMillis((long) ms);
    }
}
