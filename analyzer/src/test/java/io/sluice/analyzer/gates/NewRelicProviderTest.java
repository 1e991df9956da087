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

/** New Relic templates against a stand-in that answers like the Insights query API. */
class NewRelicProviderTest extends StandInProviders {
    private static final String NO_VALUES =
            "Halt advancement no values found for custom metric: errors: no values found";

    private LocalHttpServer newrelic;

    @BeforeEach
    void setUp() {
        newrelic = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "errors",
                "newrelic",
                newrelic.url(),
                "nr",
                "SELECT filter(sum(nginx_ingress_controller_requests), WHERE status >= '500') / "
                        + "sum(nginx_ingress_controller_requests) * 100 FROM Metric WHERE service = '{{ target }}'"));
        lookup.putSecret("test", "nr", Map.of("newrelic_account_id", "100200", "newrelic_query_key", "NRIQ-key\n"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(client, lookup, timeout, new NewRelicProvider(ProviderFixtures.http(client)));
    }

    private MetricOutcome check(Duration timeout) {
        return await(gate(timeout).check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "2m", null, 5.0)));
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the result of the only row is the value",
                        new Reply(200, "{\"results\":[{\"result\":6.25}],\"metadata\":{\"contents\":[]}}"),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 6.25 > 5"),
                Arguments.of(
                        "a value within range passes",
                        new Reply(200, "{\"results\":[{\"result\":0}]}"),
                        Verdict.PASS,
                        null),
                Arguments.of("no rows is no values", new Reply(200, "{\"results\":[]}"), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "more than one row is no values",
                        new Reply(200, "{\"results\":[{\"result\":1},{\"result\":2}]}"),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "a null result is no values",
                        new Reply(200, "{\"results\":[{\"result\":null}]}"),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "a row without result is no values",
                        new Reply(200, "{\"results\":[{\"count\":3}]}"),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "an error status is an error with New Relic's body",
                        new Reply(400, "{\"error\":\"NRQL Syntax Error\"}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error response: Status 400 Bad Request: {\"error\":\"NRQL Syntax Error\"}"),
                Arguments.of(
                        "a body that is not JSON is an error quoting it",
                        new Reply(200, "upstream connect error"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: not a JSON object, 'upstream connect error'"),
                Arguments.of(
                        "a result that is not a number is an error",
                        new Reply(200, "{\"results\":[{\"result\":\"high\"}]}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: results[0].result is not a number: high"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesNewRelicsAnswer(String name, Reply reply, Verdict verdict, String message) {
        newrelic.reply(r -> reply);
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void sendsTheAccountInThePathTheKeyInItsHeaderAndTheIntervalAsSince() {
        newrelic.reply(r -> Reply.ok("{\"results\":[{\"result\":1}]}"));
        check(ProviderFixtures.TIMEOUT);
        LocalHttpServer.Request request = newrelic.last();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/accounts/100200/query");
        assertThat(request.header("X-Query-Key")).isEqualTo("NRIQ-key");
        assertThat(request.param("nrql"))
                .isEqualTo("SELECT filter(sum(nginx_ingress_controller_requests), WHERE status >= '500') / "
                        + "sum(nginx_ingress_controller_requests) * 100 FROM Metric WHERE service = 'podinfo' "
                        + "SINCE 120 seconds ago");
    }

    @Test
    void aNewRelicThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        newrelic.reply(r -> Reply.HANG);
        assertThat(check(ProviderFixtures.SHORT_TIMEOUT).message())
                .isEqualTo("Metric query failed for errors: request failed: GET " + newrelic.url()
                        + "/v1/accounts/100200/query: no answer within 500ms");
    }

    @Test
    void withoutAnAddressTheTemplateGoesToTheInsightsApi() {
        assertThat(new NewRelicProvider(ProviderFixtures.http(client)).defaultAddress())
                .isEqualTo("https://insights-api.newrelic.com");
    }

    @Test
    void aMissingKeyIsAProviderErrorNamingIt() {
        lookup.putSecret("test", "nr", Map.of("newrelic_query_key", "k"));
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric template errors.test provider newrelic error: secret nr.test has no key "
                        + "newrelic_account_id");
        assertThat(newrelic.requests()).isEmpty();
    }

    @Test
    void theAvailabilityCheckRunsAQueryWithTheKey() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("errors", "1m", null, 5.0)));
        newrelic.reply(r -> Reply.ok("{\"results\":[{\"events\":[]}]}"));
        assertThat(await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary)).available())
                .isTrue();
        assertThat(newrelic.last().param("nrql")).isEqualTo("SELECT * FROM Metric SINCE 60 seconds ago");
        assertThat(newrelic.last().header("X-Query-Key")).isEqualTo("NRIQ-key");

        newrelic.reply(r -> new Reply(401, "{\"error\":\"Invalid query key\"}"));
        ProviderAvailability down = await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary));
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: newrelic in metric template errors.test not avaiable: "
                        + "error response: Status 401 Unauthorized: {\"error\":\"Invalid query key\"}");
    }
}
