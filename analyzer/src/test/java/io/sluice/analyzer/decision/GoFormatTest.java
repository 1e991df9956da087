package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoFormatTest {

    @ParameterizedTest(name = "{0}: {1} prints as {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "the seed's success rate keeps two decimals                 | 89.0243 | 89.02",
                "a whole number gets two zero decimals                      | 99      | 99.00",
                "an exact binary tie rounds to the even digit               | 0.125   | 0.12",
                "a decimal that is just below a tie in binary rounds down   | 1.005   | 1.00",
                "a value just above a tie rounds up                         | 2.675001| 2.68",
                "a negative value keeps its sign                            | -3.14159| -3.14",
                "zero prints with two decimals                              | 0       | 0.00",
                "not a number prints as Go prints it                        | NaN     | NaN",
                "infinity prints with its sign                              | Infinity| +Inf",
            })
    void fixedTwoDecimals(String name, double value, String expected) {
        assertThat(GoFormat.fixed2(value)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1} prints as {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a whole threshold prints without a decimal point          | 99        | 99",
                "a fractional threshold keeps its digits                   | 99.5      | 99.5",
                "a small fraction stays in decimal form down to 1e-4       | 0.0001    | 0.0001",
                "below 1e-4 Go switches to exponent form                   | 0.00001   | 1e-05",
                "six-digit integers stay in decimal form                   | 999999    | 999999",
                "a million is printed in exponent form                     | 1000000   | 1e+06",
                "exponent form keeps every significant digit               | 1234567   | 1.234567e+06",
                "a negative threshold keeps its sign                       | -2.5      | -2.5",
                "zero is a bare 0                                          | 0         | 0",
                "a long fraction is the shortest text that reads back      | 0.1       | 0.1",
                "large exponents keep two or more digits                   | 1e100     | 1e+100",
                "a value Java 17 prints with a digit too many              | 2.82879384806159E17 | 2.82879384806159e+17",
                "the smallest normal double                                | 2.2250738585072014E-308 | 2.2250738585072014e-308",
            })
    void shortestForm(String name, double value, String expected) {
        assertThat(GoFormat.shortest(value)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void theShortestFormAlwaysReadsBackAsTheSameNumber() {
        java.util.Random random = new java.util.Random(20261126);
        for (int i = 0; i < 4_000; i++) {
            double v = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble() * 1000;
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                continue;
            }
            String text = GoFormat.shortest(v);
            assertThat(Double.parseDouble(text)).as(text).isEqualTo(v);
        }
    }

    @ParameterizedTest(name = "{0}: {1} ns prints as {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "zero is 0s                                               | 0                | 0s",
                "nanoseconds below a microsecond                          | 999              | 999ns",
                "microseconds use the micro sign                          | 1500             | 1.5µs",
                "the seed's latency bound is 500ms                        | 500000000        | 500ms",
                "fractional milliseconds drop trailing zeros              | 1250000          | 1.25ms",
                "the seed's latency is 1.515s                             | 1515000000       | 1.515s",
                "whole seconds have no decimal point                      | 2000000000       | 2s",
                "a minute and a half                                      | 90000000000      | 1m30s",
                "a whole minute still prints its seconds                  | 60000000000      | 1m0s",
                "hours print minutes and seconds                          | 7200000000000    | 2h0m0s",
                "negative durations keep the sign                         | -1500000000      | -1.5s",
            })
    void durations(String name, long nanos, String expected) {
        assertThat(GoFormat.duration(Duration.ofNanos(nanos))).isEqualTo(expected);
    }
}
