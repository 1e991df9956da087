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

/**
 * Splunk Observability templates against a stand-in that answers like SignalFlow's {@code /v2/signalflow/execute}
 * (Server-Sent Events) and the API's {@code /v2/metric}.
 */
class SplunkProviderTest extends StandInProviders {
    private static final String NO_VALUES =
            "Halt advancement no values found for custom metric: errors: no values found";

    private LocalHttpServer splunk;

    @BeforeEach
    void setUp() {
        splunk = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "errors",
                "splunk",
                splunk.url(),
                "sfx",
                "data('spans.count', filter=filter('sf_service', '{{ target }}') and filter('sf_error', 'true'))"
                        + ".sum().publish()"));
        lookup.putSecret("test", "sfx", Map.of("sf_token_key", "sfx-token\n"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(
                client, lookup, timeout, new SplunkProvider(ProviderFixtures.http(client), ProviderFixtures.CLOCK));
    }

    private MetricOutcome check(Duration timeout) {
        return await(gate(timeout).check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 5.0)));
    }

    static String event(String name, String json) {
        return "event: " + name + "\n" + "data: " + json.replace("\n", "\ndata: ") + "\n\n";
    }

    static String data(String tsId, String value, long ms) {
        return event(
                "data",
                "{\n  \"data\" : [ {\n    \"tsId\" : \"" + tsId + "\",\n    \"value\" : " + value
                        + "\n  } ],\n  \"logicalTimestampMs\" : " + ms + "\n}");
    }

    /** A computation's stream: start, metadata, the given events, the end of the channel. */
    static String stream(String... events) {
        return event("control-message", "{\"event\":\"STREAM_START\",\"timestampMs\":1767225600100}")
                + event(
                        "control-message",
                        "{\"event\":\"JOB_START\",\"handle\":\"FkH8\",\"timestampMs\":1767225600200}")
                + event(
                        "metadata",
                        "{\"tsId\":\"AAAAAKgF4M0\",\"properties\":{\"sf_metric\":\"spans.count\"},\"type\":\"metadata\"}")
                + String.join("", events)
                + event("control-message", "{\"event\":\"END_OF_CHANNEL\",\"timestampMs\":1767225600900}");
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the last value published is the value",
                        new Reply(
                                200,
                                stream(
                                        data("AAAAAKgF4M0", "1.0", 1767225000000L),
                                        data("AAAAAKgF4M0", "7.5", 1767225060000L),
                                        data("AAAAAKgF4M0", "null", 1767225120000L))),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 7.50 > 5"),
                Arguments.of(
                        "a value within range passes",
                        new Reply(200, stream(data("AAAAAKgF4M0", "2", 1767225000000L))),
                        Verdict.PASS,
                        null),
                Arguments.of("no data event is no values", new Reply(200, stream()), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "only null values is no values, not zero",
                        new Reply(200, stream(data("AAAAAKgF4M0", "null", 1767225000000L))),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "values of two time series are an error",
                        new Reply(
                                200,
                                stream(
                                        data("AAAAAKgF4M0", "1", 1767225000000L),
                                        data("AAAAAJzX7Q4", "2", 1767225000000L))),
                        Verdict.ERROR,
                        "Metric query failed for errors: invalid response: the program published 2 time series; a"
                                + " metric needs one (aggregate it, for example with sum() or mean())"),
                Arguments.of(
                        "an error event is the program's error",
                        new Reply(
                                200,
                                event(
                                        "error",
                                        "{\"errors\":[{\"code\":\"ANALYTICS_PROGRAM_NAME_ERROR\",\"message\":"
                                                + "\"name 'dat' is not defined\"}]}")),
                        Verdict.ERROR,
                        "Metric query failed for errors: splunk error: name 'dat' is not defined"),
                Arguments.of(
                        "an error status is an error with the body",
                        new Reply(401, "{\"code\":401,\"message\":\"Unauthorized\"}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error response: Status 401 Unauthorized: "
                                + "{\"code\":401,\"message\":\"Unauthorized\"}"),
                Arguments.of(
                        "a body that is not an event stream is an error quoting it",
                        new Reply(200, "<html>maintenance</html>"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: not a SignalFlow event stream, "
                                + "'<html>maintenance</html>'"),
                Arguments.of(
                        "a data event that is not JSON is an error",
                        new Reply(200, "event: data\ndata: {oops\n\n"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: a data event is not a JSON "
                                + "object, 'event: data\ndata: {oops\n\n'"),
                Arguments.of(
                        "a value that is not a number is an error",
                        new Reply(200, stream(data("AAAAAKgF4M0", "\"many\"", 1767225000000L))),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: a published value is not a "
                                + "number: many"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesSignalFlowsAnswer(String name, Reply reply, Verdict verdict, String message) {
        splunk.reply(r -> reply);
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void postsTheProgramWithTheTokenOverTenIntervalsInMilliseconds() {
        splunk.reply(r -> Reply.ok(stream(data("AAAAAKgF4M0", "1", 1767225000000L))));
        check(ProviderFixtures.TIMEOUT);
        LocalHttpServer.Request request = splunk.last();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v2/signalflow/execute");
        assertThat(request.header("X-SF-Token")).isEqualTo("sfx-token");
        assertThat(request.header("Content-Type")).isEqualTo("text/plain");
        assertThat(request.body())
                .isEqualTo("data('spans.count', filter=filter('sf_service', 'podinfo') and filter('sf_error', 'true'))"
                        + ".sum().publish()");
        assertThat(request.param("stop")).isEqualTo("1767225600000");
        assertThat(request.param("start")).isEqualTo(Long.toString(1767225600000L - 600_000));
        assertThat(request.param("immediate")).isEqualTo("true");
    }

    @Test
    void computationsGoToTheRealmsStreamHostAndTheCheckToItsApiHost() {
        assertThat(SplunkProvider.host("https://api.us1.signalfx.com", "api", "stream"))
                .isEqualTo("https://stream.us1.signalfx.com");
        assertThat(SplunkProvider.host("https://stream.eu0.signalfx.com/", "stream", "api"))
                .isEqualTo("https://api.eu0.signalfx.com/");
        assertThat(SplunkProvider.host("https://stream.us1.signalfx.com", "api", "stream"))
                .isEqualTo("https://stream.us1.signalfx.com");
        assertThat(SplunkProvider.host("http://signalflow-proxy.monitoring:8080", "api", "stream"))
                .isEqualTo("http://signalflow-proxy.monitoring:8080");
    }

    @Test
    void aSplunkThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        splunk.reply(r -> Reply.HANG);
        assertThat(check(ProviderFixtures.SHORT_TIMEOUT).message())
                .isEqualTo("Metric query failed for errors: request failed: POST " + splunk.url()
                        + "/v2/signalflow/execute: no answer within 500ms");
    }

    @Test
    void aTemplateWithoutAnAddressIsAProviderError() {
        lookup.putTemplate(ProviderFixtures.template("errors", "splunk", null, "sfx", "q"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template errors.test provider splunk error: splunk address is not set: set "
                        + "the template's provider.address");
    }

    @Test
    void aMissingTokenIsAProviderErrorNamingTheKey() {
        lookup.putSecret("test", "sfx", Map.of("token", "x"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo(
                        "Metric template errors.test provider splunk error: secret sfx.test has no key sf_token_key");
        lookup.putTemplate(ProviderFixtures.template("errors", "splunk", splunk.url(), null, "q"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template errors.test provider splunk error: splunk needs a secretRef whose Secret "
                        + "holds sf_token_key");
        assertThat(splunk.requests()).isEmpty();
    }

    @Test
    void theAvailabilityCheckListsOneMetricWithTheToken() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("errors", "1m", null, 5.0)));
        splunk.reply(r -> Reply.ok("{\"count\":1200,\"results\":[{\"name\":\"spans.count\"}]}"));
        assertThat(await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary)).available())
                .isTrue();
        assertThat(splunk.last().method()).isEqualTo("GET");
        assertThat(splunk.last().path()).isEqualTo("/v2/metric");
        assertThat(splunk.last().param("limit")).isEqualTo("1");
        assertThat(splunk.last().header("X-SF-Token")).isEqualTo("sfx-token");

        splunk.reply(r -> new Reply(401, "{\"code\":401,\"message\":\"Unauthorized\"}"));
        ProviderAvailability down = await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary));
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: splunk in metric template errors.test not avaiable: "
                        + "error response: Status 401 Unauthorized: {\"code\":401,\"message\":\"Unauthorized\"}");
    }
}
