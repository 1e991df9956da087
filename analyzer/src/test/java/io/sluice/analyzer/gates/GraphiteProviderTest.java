package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Graphite templates against a stand-in that answers like Graphite's {@code /render?format=json}. */
class GraphiteProviderTest extends StandInProviders {
    private static final String NO_VALUES =
            "Halt advancement no values found for custom metric: errors: no values found";

    private LocalHttpServer graphite;

    @BeforeEach
    void setUp() {
        graphite = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "errors",
                "graphite",
                graphite.url() + "/graphite/",
                "gr",
                "target=sumSeries(stats.{{ target }}.5xx)\n  &target=sumSeries(stats.{{ target }}.all)"
                        + "&from=-{{ interval }}"));
        lookup.putSecret("test", "gr", Map.of("username", "admin\n", "password", "s3cret"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(client, lookup, timeout, new GraphiteProvider(ProviderFixtures.http(client)));
    }

    private MetricOutcome check(Duration timeout) {
        return await(gate(timeout).check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 5.0)));
    }

    static String series(String target, String... points) {
        return "{\"target\":\"" + target + "\",\"tags\":{\"name\":\"" + target + "\"},\"datapoints\":["
                + String.join(",", points) + "]}";
    }

    static String render(String... series) {
        return "[" + String.join(",", series) + "]";
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the last non-null datapoint of all series is the value",
                        new Reply(
                                200,
                                render(
                                        series("a", "[1.0,1767225540]", "[null,1767225600]"),
                                        series("b", "[7.5,1767225540]", "[null,1767225600]"))),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 7.50 > 5"),
                Arguments.of(
                        "a value within range passes",
                        new Reply(200, render(series("a", "[2,1767225540]"))),
                        Verdict.PASS,
                        null),
                Arguments.of(
                        "a value written as a string is read as a number",
                        new Reply(200, render(series("a", "[\"6.25\",\"1767225540\"]"))),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement errors 6.25 > 5"),
                Arguments.of("no series is no values", new Reply(200, "[]"), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "only null datapoints is no values, not zero",
                        new Reply(200, render(series("a", "[null,1767225540]", "[null,1767225600]"))),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "an error status is an error with Graphite's body",
                        new Reply(400, "Invalid target: sumSeries("),
                        Verdict.ERROR,
                        "Metric query failed for errors: error response: Status 400 Bad Request: "
                                + "Invalid target: sumSeries("),
                Arguments.of(
                        "a body that is not JSON is an error quoting it",
                        new Reply(200, "<html>maintenance</html>"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: not a JSON array of series, "
                                + "'<html>maintenance</html>'"),
                Arguments.of(
                        "a JSON object instead of the series is an error",
                        new Reply(200, "{\"error\":\"x\"}"),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: not a JSON array of series, "
                                + "'{\"error\":\"x\"}'"),
                Arguments.of(
                        "a datapoint that is not a pair is an error",
                        new Reply(200, render(series("a", "[1.0]"))),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: a datapoint is not a "
                                + "[value, timestamp] pair, '" + render(series("a", "[1.0]")) + "'"),
                Arguments.of(
                        "a value that is not a number is an error",
                        new Reply(200, render(series("a", "[\"many\",1767225540]"))),
                        Verdict.ERROR,
                        "Metric query failed for errors: error unmarshaling result: a datapoint value is not a "
                                + "number: many"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesGraphitesAnswer(String name, Reply reply, Verdict verdict, String message) {
        graphite.reply(r -> reply);
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void sendsTheQueryAsTheRenderQueryStringWithBasicAuthentication() {
        graphite.reply(r -> Reply.ok(render(series("a", "[1,1767225540]"))));
        check(ProviderFixtures.TIMEOUT);
        LocalHttpServer.Request request = graphite.last();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/graphite/render");
        assertThat(request.params().getAll("target"))
                .containsExactly("sumSeries(stats.podinfo.5xx) ", "sumSeries(stats.podinfo.all)");
        assertThat(request.param("from")).isEqualTo("-1m");
        assertThat(request.param("format")).isEqualTo("json");
        assertThat(request.header("Authorization"))
                .isEqualTo(
                        "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theTemplatesFormatIsReplacedByJson() {
        lookup.putTemplate(
                ProviderFixtures.template("errors", "graphite", graphite.url(), null, "target=x&format=csv"));
        graphite.reply(r -> Reply.ok(render(series("x", "[1,1767225540]"))));
        check(ProviderFixtures.TIMEOUT);
        assertThat(graphite.last().params().getAll("format")).containsExactly("json");
        assertThat(graphite.last().header("Authorization")).isNull();
    }

    @Test
    void aGraphiteThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        graphite.reply(r -> Reply.HANG);
        assertThat(check(ProviderFixtures.SHORT_TIMEOUT).message())
                .isEqualTo("Metric query failed for errors: request failed: GET " + graphite.url()
                        + "/graphite/render: no answer within 500ms");
    }

    @Test
    void aTemplateWithoutAnAddressIsAProviderError() {
        lookup.putTemplate(ProviderFixtures.template("errors", "graphite", null, null, "target=x"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template errors.test provider graphite error: graphite address is not set: set "
                        + "the template's provider.address");
    }

    @Test
    void aSecretWithoutThePasswordIsAProviderErrorNamingTheKey() {
        lookup.putSecret("test", "gr", Map.of("username", "admin"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template errors.test provider graphite error: secret gr.test has no key password");
        assertThat(graphite.requests()).isEmpty();
    }

    @Test
    void theAvailabilityCheckRendersATestTargetAndTakesNoValuesAsOnline() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("errors", "1m", null, 5.0)));
        graphite.reply(r -> Reply.ok("[]"));
        assertThat(await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary)).available())
                .isTrue();
        assertThat(graphite.last().path()).isEqualTo("/graphite/render");
        assertThat(graphite.last().param("target")).isEqualTo("test");
        assertThat(graphite.last().header("Authorization")).startsWith("Basic ");

        graphite.reply(r -> new Reply(503, "maintenance"));
        ProviderAvailability down = await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary));
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: graphite in metric template errors.test not avaiable: "
                        + "running query failed: error response: Status 503 Service Unavailable: maintenance");
    }
}
