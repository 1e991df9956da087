package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of what turns a Prometheus answer to {@code GET /api/v1/query} into a {@link QueryResult}
 * ({@link PrometheusClient#parse}). Whatever the status and the body, the result is a value, no value, or a failure
 * with a message; any exception, or an input that does not finish, is a finding.
 *
 * <p>An input reads like the answer it stands for: a status line ({@code <status> <reason>}, the status one to three
 * digits), a line feed, and the body's bytes as they are. An input whose first line is not a status line is all body,
 * answered with {@code 200 OK}. The corpus (±Inf, NaN, numbers past a double, deep nesting, wrong types, error
 * answers, and what fuzzing found worth keeping) is replayed by every test run from
 * {@code PrometheusResponseFuzzTestInputs/parse/}; {@code make fuzz-analyzer} fuzzes.
 */
class PrometheusResponseFuzzTest {
    private static final Pattern STATUS_LINE = Pattern.compile("(\\d{1,3})(?: (.*))?");

    /** The words of Prometheus's answers, which coverage alone finds slowly (they are map keys, compared by hash). */
    @FuzzTest
    @DictionaryEntries({
        "\"status\"",
        "\"success\"",
        "\"error\"",
        "\"data\"",
        "\"resultType\"",
        "\"result\"",
        "\"vector\"",
        "\"scalar\"",
        "\"matrix\"",
        "\"metric\"",
        "\"value\"",
        "\"values\"",
        "\"NaN\"",
        "\"+Inf\"",
        "\"-Inf\"",
        "null",
        "true",
        "[1,\"1\"]"
    })
    void parse(byte[] input) {
        Answer answer = Answer.of(input);
        QueryResult result = answer.parse();

        assertThat(result).isNotNull();
        if (result instanceof QueryResult.Failed failed) {
            assertThat(failed.error()).isNotBlank();
        } else {
            assertThat(answer.status()).as("an error status is never a value").isLessThan(400);
            if (result instanceof QueryResult.Value value) {
                assertThat(value.value()).as("NaN is reported as no value").isNotNaN();
            }
        }
    }

    /** The input format itself, so that the corpus means what its files say. */
    @Test
    void readsTheStatusLineAndTheBody() {
        Answer answer = Answer.of("503 Service Unavailable\n{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.reason()).isEqualTo("Service Unavailable");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n");

        Answer bare = Answer.of("{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(bare.status()).isEqualTo(200);
        assertThat(new String(bare.body(), StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"success\"}");
    }

    /**
     * Found by the seed corpus ({@code parse/item-null}): a {@code null} element in {@code data.result} threw a
     * NullPointerException out of {@link PrometheusClient#parse}, so the check failed with a message blaming the
     * request. It is an unusable answer.
     */
    @Test
    void aNullSeriesIsAnUnusableAnswer() {
        Answer answer = Answer.of(
                "200 OK\n{\"data\":{\"resultType\":\"vector\",\"result\":[null]}}".getBytes(StandardCharsets.UTF_8));

        assertThat(answer.parse())
                .isInstanceOfSatisfying(
                        QueryResult.Failed.class,
                        failed -> assertThat(failed.error()).startsWith("error unmarshaling result: "));
    }

    /**
     * Found reading the parser: a sample value that is not a number, or a sample that is not a
     * {@code [time, "value"]} pair, was copied whole into the failure message, which goes into an Event and the log.
     * Both are abbreviated as the body is.
     */
    @Test
    void aLongSampleIsAbbreviatedInTheMessage() {
        String value = "x".repeat(100_000);
        for (String sample : new String[] {"[1,\"" + value + "\"]", "[\"" + value + "\"]"}) {
            Answer answer =
                    Answer.of(("200 OK\n{\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":" + sample + "}]}}")
                            .getBytes(StandardCharsets.UTF_8));

            assertThat(answer.parse())
                    .isInstanceOfSatisfying(
                            QueryResult.Failed.class,
                            failed -> assertThat(failed.error()).hasSizeLessThan(1024));
        }
    }

    /** One fuzz input: the answer's status, reason phrase and body. */
    private record Answer(int status, String reason, byte[] body) {
        QueryResult parse() {
            CappedBody capped = new CappedBody(PrometheusClient.MAX_BODY);
            capped.write(Buffer.buffer(body));
            return PrometheusClient.parse(status, reason, capped);
        }

        static Answer of(byte[] input) {
            int newline = indexOf(input, (byte) '\n');
            if (newline >= 0) {
                Matcher m = STATUS_LINE.matcher(new String(input, 0, newline, StandardCharsets.UTF_8));
                if (m.matches()) {
                    return new Answer(
                            Integer.parseInt(m.group(1)),
                            m.group(2) == null ? "" : m.group(2),
                            Arrays.copyOfRange(input, newline + 1, input.length));
                }
            }
            return new Answer(200, "OK", input);
        }

        private static int indexOf(byte[] bytes, byte b) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }
}
