package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.model.flagger.CanaryAnalysis;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VerdictsTest {
    private static final Verdicts VERDICTS = new Verdicts("podinfo.test", "podinfo.test");

    private static CanaryAnalysis.Metric metric(String name, Double min, Double max, Double threshold) {
        CanaryAnalysis.Metric m = Fixtures.metric(name, "1m", min, max);
        m.threshold = threshold;
        return m;
    }

    private static QueryResult value(double v) {
        return new QueryResult.Value(v);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "a success rate above its maximum fails with a > text",
                        VERDICTS.successRate(metric("request-success-rate", null, 50.0, null), value(75.555)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement success rate 75.56% > 50%"),
                Arguments.of(
                        "the deprecated success-rate threshold is a minimum",
                        VERDICTS.successRate(metric("request-success-rate", null, null, 99.5), value(99.4)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement success rate 99.40% < 99.5%"),
                Arguments.of(
                        "a success rate without any bound passes",
                        VERDICTS.successRate(metric("request-success-rate", null, null, null), value(1)),
                        Verdict.PASS,
                        null),
                Arguments.of(
                        "a duration under its minimum fails with a < text",
                        VERDICTS.duration(metric("request-duration", 10.0, null, null), value(9.99)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 9ms < 10ms"),
                Arguments.of(
                        "the deprecated duration threshold is a maximum in milliseconds",
                        VERDICTS.duration(metric("request-duration", null, null, 250.0), value(1250)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 1.25s > 250ms"),
                Arguments.of(
                        "an explicit threshold of zero fails any positive latency",
                        VERDICTS.duration(metric("request-duration", null, null, 0.0), value(1)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 1ms > 0s"),
                Arguments.of(
                        "a custom value under its minimum fails",
                        VERDICTS.custom(metric("apdex", 0.9, null, null), 0.854),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement apdex 0.85 < 0.9"),
                Arguments.of(
                        "the deprecated custom threshold is a maximum",
                        VERDICTS.custom(metric("errors", null, null, 5.0), 6),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 6.00 > 5"),
                Arguments.of(
                        "a custom value equal to its maximum passes",
                        VERDICTS.custom(metric("errors", null, 5.0, null), 5),
                        Verdict.PASS,
                        null),
                Arguments.of(
                        "an inline query without data has Flagger's text",
                        VERDICTS.inline(metric("legacy", null, 1.0, null), new QueryResult.NoValues()),
                        Verdict.NO_DATA,
                        "Halt advancement no values found for metric: legacy"),
                Arguments.of(
                        "an inline query error names the metric",
                        VERDICTS.inline(metric("legacy", null, 1.0, null), new QueryResult.Failed("boom")),
                        Verdict.ERROR,
                        "Prometheus query failed for legacy: boom"),
                Arguments.of(
                        "a +Inf success rate with only a minimum is a failed check, not a pass",
                        VERDICTS.successRate(
                                metric("request-success-rate", 99.0, null, null), value(Double.POSITIVE_INFINITY)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request-success-rate +Inf% cannot be judged: not a finite"
                                + " number"),
                Arguments.of(
                        "a -Inf custom value with only a maximum is a failed check",
                        VERDICTS.custom(metric("errors", null, 5.0, null), Double.NEGATIVE_INFINITY),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors -Inf cannot be judged: not a finite number"),
                Arguments.of(
                        "a +Inf latency is a failed check",
                        VERDICTS.duration(
                                metric("request-duration", null, 500.0, null), value(Double.POSITIVE_INFINITY)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request-duration +Inf ms cannot be judged: not a finite number"
                                .replace("+Inf ms", "+Infms")),
                Arguments.of(
                        "a latency beyond any duration is a failed check, not an overflow",
                        VERDICTS.duration(metric("request-duration", null, 500.0, null), value(1e300)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request-duration 1e+300ms cannot be judged: beyond the longest"
                                + " duration (about 292 years)"),
                Arguments.of(
                        "a template value of +Inf is a failed check",
                        VERDICTS.template(metric("apdex", 0.9, null, null), value(Double.POSITIVE_INFINITY)),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement apdex +Inf cannot be judged: not a finite number"),
                Arguments.of(
                        "enough traffic lets the check go on",
                        VERDICTS.traffic(metric("request-duration", null, 500.0, null), "1m", 10, value(10)),
                        null,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void judges(String name, MetricOutcome outcome, Verdict verdict, String message) {
        if (verdict == null) {
            assertThat(outcome).isNull();
            return;
        }
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }
}
