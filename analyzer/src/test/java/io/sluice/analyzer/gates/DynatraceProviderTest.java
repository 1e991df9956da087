package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Dynatrace templates against a stand-in that answers like the metrics API v2. */
class DynatraceProviderTest extends StandInProviders {
    private static final String NO_VALUES =
            "Halt advancement no values found for custom metric: latency: no values found";

    private LocalHttpServer dynatrace;

    @BeforeEach
    void setUp() {
        dynatrace = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "latency",
                "dynatrace",
                dynatrace.url() + "/e/abc123/",
                "dt",
                "builtin:service.response.time:filter(eq(\"dt.entity.service.name\",\"{{ target }}\")):avg"));
        lookup.putSecret("test", "dt", Map.of("dynatrace_token", "dt0c01.TOKEN\n"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(
                client, lookup, timeout, new DynatraceProvider(ProviderFixtures.http(client), ProviderFixtures.CLOCK));
    }

    private MetricOutcome check(Duration timeout) {
        return await(gate(timeout).check(Fixtures.podinfo(), ProviderFixtures.metric("latency", "1m", null, 500.0)));
    }

    static String data(String... entries) {
        return "{\"totalCount\":1,\"nextPageKey\":null,\"resolution\":\"Inf\",\"result\":[{\"metricId\":"
                + "\"builtin:service.response.time:avg\",\"data\":[" + String.join(",", entries) + "]}]}";
    }

    static String entry(String values) {
        return "{\"dimensions\":[\"SERVICE-1\"],\"timestamps\":[1767225600000],\"values\":[" + values + "]}";
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the first value of the last data entry is the value",
                        new Reply(200, data(entry("100"), entry("812.5"))),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement latency 812.50 > 500"),
                Arguments.of("a value within range passes", new Reply(200, data(entry("120"))), Verdict.PASS, null),
                Arguments.of(
                        "no result is no values",
                        new Reply(200, "{\"totalCount\":0,\"result\":[]}"),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of("a result without data is no values", new Reply(200, data()), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "an entry without values is no values",
                        new Reply(200, data(entry(""))),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "a null value is no values, not zero",
                        new Reply(200, data(entry("null"))),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "an error status is an error with Dynatrace's body",
                        new Reply(401, "{\"error\":{\"code\":401,\"message\":\"Token Authentication failed\"}}"),
                        Verdict.ERROR,
                        "Metric query failed for latency: error response: Status 401 Unauthorized: "
                                + "{\"error\":{\"code\":401,\"message\":\"Token Authentication failed\"}}"),
                Arguments.of(
                        "a body that is not JSON is an error quoting it",
                        new Reply(200, "[1,2]"),
                        Verdict.ERROR,
                        "Metric query failed for latency: error unmarshaling result: not a JSON object, '[1,2]'"),
                Arguments.of(
                        "a value that is not a number is an error",
                        new Reply(200, data(entry("\"slow\""))),
                        Verdict.ERROR,
                        "Metric query failed for latency: error unmarshaling result: the value is not a number: slow"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesDynatracesAnswer(String name, Reply reply, Verdict verdict, String message) {
        dynatrace.reply(r -> reply);
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void sendsTheTokenAsApiTokenAndAsksForTenIntervalsInMilliseconds() {
        dynatrace.reply(r -> Reply.ok(data(entry("1"))));
        check(ProviderFixtures.TIMEOUT);
        LocalHttpServer.Request request = dynatrace.last();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/e/abc123/api/v2/metrics/query");
        assertThat(request.header("Authorization")).isEqualTo("Api-Token dt0c01.TOKEN");
        assertThat(request.param("metricSelector"))
                .isEqualTo("builtin:service.response.time:filter(eq(\"dt.entity.service.name\",\"podinfo\")):avg");
        assertThat(request.param("resolution")).isEqualTo("Inf");
        assertThat(request.param("to")).isEqualTo("1767225600000");
        assertThat(request.param("from")).isEqualTo(Long.toString(1767225600000L - 600_000));
    }

    @Test
    void aDynatraceThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        dynatrace.reply(r -> Reply.HANG);
        assertThat(check(ProviderFixtures.SHORT_TIMEOUT).message())
                .isEqualTo("Metric query failed for latency: request failed: GET " + dynatrace.url()
                        + "/e/abc123/api/v2/metrics/query: no answer within 500ms");
    }

    @Test
    void aTemplateWithoutAnAddressIsAProviderError() {
        lookup.putTemplate(ProviderFixtures.template("latency", "dynatrace", null, "dt", "q"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template latency.test provider dynatrace error: dynatrace address is not set: set "
                        + "the template's provider.address");
    }

    @Test
    void aMissingTokenIsAProviderErrorNamingTheKey() {
        lookup.putSecret("test", "dt", Map.of("token", "x"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo(
                        "Metric template latency.test provider dynatrace error: secret dt.test has no key dynatrace_token");
        assertThat(dynatrace.requests()).isEmpty();
    }

    @Test
    void theAvailabilityCheckListsOneMetricWithTheToken() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("latency", "1m", null, 5.0)));
        dynatrace.reply(r -> Reply.ok("{\"totalCount\":1200,\"metrics\":[{\"metricId\":\"builtin:host.cpu.usage\"}]}"));
        assertThat(await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary)).available())
                .isTrue();
        assertThat(dynatrace.last().path()).isEqualTo("/e/abc123/api/v2/metrics");
        assertThat(dynatrace.last().param("pageSize")).isEqualTo("1");
        assertThat(dynatrace.last().header("Authorization")).isEqualTo("Api-Token dt0c01.TOKEN");

        dynatrace.reply(r -> new Reply(503, "maintenance"));
        ProviderAvailability down = await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary));
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: dynatrace in metric template latency.test not avaiable: "
                        + "error response: Status 503 Service Unavailable: maintenance");
    }
}
