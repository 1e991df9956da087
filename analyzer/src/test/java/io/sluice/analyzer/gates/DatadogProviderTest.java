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

/** Datadog templates against a stand-in that answers like Datadog's {@code /api/v1/query} and {@code /validate}. */
class DatadogProviderTest extends StandInProviders {
    private LocalHttpServer datadog;

    @BeforeEach
    void setUp() {
        datadog = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "errors",
                "datadog",
                datadog.url(),
                "dd",
                "sum:trace.http.request.errors{service:{{ target }}}.as_count()"));
        lookup.putSecret("test", "dd", Map.of("datadog_api_key", "api-1\n", "datadog_application_key", "app-2"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(
                client, lookup, timeout, new DatadogProvider(ProviderFixtures.http(client), ProviderFixtures.CLOCK));
    }

    private PrometheusMetricGate gate() {
        return gate(ProviderFixtures.TIMEOUT);
    }

    private MetricOutcome check() {
        return await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 5.0)));
    }

    static String series(String... points) {
        return "{\"status\":\"ok\",\"res_type\":\"time_series\",\"series\":[{\"metric\":\"trace.http.request.errors\","
                + "\"pointlist\":[" + String.join(",", points) + "]}],\"query\":\"sum:x\"}";
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the oldest point of the first series is the value",
                        new Reply(200, series("[1767225000000.0,7.5]", "[1767225300000.0,1.0]")),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 7.50 > 5"),
                Arguments.of(
                        "a value within range passes",
                        new Reply(200, series("[1767225000000.0,2]")),
                        Verdict.PASS,
                        null),
                Arguments.of(
                        "no series is no values",
                        new Reply(200, "{\"status\":\"ok\",\"res_type\":\"time_series\",\"series\":[]}"),
                        Verdict.NO_DATA,
                        "Halt advancement no values found for custom metric: errors: no values found"),
                Arguments.of(
                        "a series without points is no values",
                        new Reply(200, series()),
                        Verdict.NO_DATA,
                        "Halt advancement no values found for custom metric: errors: no values found"),
                Arguments.of(
                        "a null point is no values, not zero",
                        new Reply(200, series("[1767225000000.0,null]")),
                        Verdict.NO_DATA,
                        "Halt advancement no values found for custom metric: errors: no values found"),
                Arguments.of(
                        "an error status is an error with Datadog's body",
                        new Reply(403, "{\"errors\":[\"Forbidden\"]}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error response: Status 403 Forbidden: {\"errors\":[\"Forbidden\"]}"),
                Arguments.of(
                        "an error field in a 200 is an error",
                        new Reply(200, "{\"status\":\"error\",\"error\":\"Rule 'sum:' is invalid\"}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: datadog error: Rule 'sum:' is invalid"),
                Arguments.of(
                        "a body that is not JSON is an error quoting it",
                        new Reply(200, "<html>maintenance</html>"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: not a JSON object, "
                                + "'<html>maintenance</html>'"),
                Arguments.of(
                        "a point that is not a number is an error",
                        new Reply(200, series("[1767225000000.0,\"7\"]")),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: series[0].pointlist[0] value is"
                                + " not a number: 7"),
                Arguments.of(
                        "a series of the wrong shape is an error",
                        new Reply(200, "{\"series\":{\"pointlist\":1}}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: a field has the wrong type, "
                                + "'{\"series\":{\"pointlist\":1}}'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesDatadogsAnswer(String name, Reply reply, Verdict verdict, String message) {
        datadog.reply(r -> reply);
        MetricOutcome outcome = check();
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void sendsTheKeysInDatadogsHeadersAndAsksForTenIntervals() {
        datadog.reply(r -> new Reply(200, series("[1767225000000.0,1]")));
        check();
        LocalHttpServer.Request request = datadog.last();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/api/v1/query");
        assertThat(request.header("DD-API-KEY")).isEqualTo("api-1");
        assertThat(request.header("DD-APPLICATION-KEY")).isEqualTo("app-2");
        assertThat(request.param("query")).isEqualTo("sum:trace.http.request.errors{service:podinfo}.as_count()");
        assertThat(request.param("to")).isEqualTo("1767225600");
        assertThat(request.param("from")).isEqualTo(Long.toString(1767225600L - 600));
    }

    @Test
    void aDatadogThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        datadog.reply(r -> Reply.HANG);
        MetricOutcome outcome = await(gate(ProviderFixtures.SHORT_TIMEOUT)
                .check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 5.0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric query failed for errors: request failed: GET " + datadog.url()
                        + "/api/v1/query: no answer within 500ms");
    }

    @Test
    void withoutAnAddressTheTemplateGoesToDatadogsApi() {
        assertThat(new DatadogProvider(ProviderFixtures.http(client), ProviderFixtures.CLOCK).defaultAddress())
                .isEqualTo("https://api.datadoghq.com");
    }

    @Test
    void aMissingKeyIsAProviderErrorNamingIt() {
        lookup.putSecret("test", "dd", Map.of("datadog_api_key", "api-1"));
        MetricOutcome outcome = check();
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric template errors.test provider datadog error: secret dd.test has no key "
                        + "datadog_application_key");
        assertThat(datadog.requests()).isEmpty();
    }

    @Test
    void aTemplateWithoutSecretRefIsAProviderErrorNamingTheKeys() {
        lookup.putTemplate(ProviderFixtures.template("errors", "datadog", datadog.url(), null, "q"));
        assertThat(check().message())
                .isEqualTo("Metric template errors.test provider datadog error: datadog needs a secretRef whose "
                        + "Secret holds datadog_api_key and datadog_application_key");
    }

    @Test
    void theAvailabilityCheckValidatesTheKeys() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("errors", "1m", null, 5.0)));
        datadog.reply(r -> r.path().equals("/api/v1/validate") ? Reply.ok("{\"valid\":true}") : new Reply(404, ""));
        assertThat(await(gate().checkProviders(canary)).available()).isTrue();
        assertThat(datadog.last().header("DD-API-KEY")).isEqualTo("api-1");
        assertThat(datadog.last().header("DD-APPLICATION-KEY")).isEqualTo("app-2");

        datadog.reply(r -> new Reply(403, "{\"errors\":[\"Forbidden\"]}"));
        ProviderAvailability down = await(gate().checkProviders(canary));
        assertThat(down.available()).isFalse();
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: datadog in metric template errors.test not avaiable: "
                        + "error response: Status 403 Forbidden: {\"errors\":[\"Forbidden\"]}");
    }
}
