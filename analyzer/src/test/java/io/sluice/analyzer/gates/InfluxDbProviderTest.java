package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import io.vertx.core.json.JsonObject;
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

/** InfluxDB templates against a stand-in that answers like InfluxDB 2's {@code /api/v2/query} in annotated CSV. */
class InfluxDbProviderTest extends StandInProviders {
    private static final String NO_VALUES =
            "Halt advancement no values found for custom metric: latency: no values found";

    private LocalHttpServer influx;

    @BeforeEach
    void setUp() {
        influx = standIn();
        lookup.putTemplate(ProviderFixtures.template(
                "latency",
                "influxdb",
                influx.url(),
                "influx",
                "from(bucket: \"apps\") |> range(start: -{{ interval }}) "
                        + "|> filter(fn: (r) => r.app == \"{{ target }}\") |> mean()"));
        lookup.putSecret("test", "influx", Map.of("token", "tok-1\n", "org", "acme"));
    }

    private PrometheusMetricGate gate(Duration timeout) {
        return ProviderFixtures.gate(client, lookup, timeout, new InfluxDbProvider(ProviderFixtures.http(client)));
    }

    private MetricOutcome check(Duration timeout) {
        return await(gate(timeout).check(Fixtures.podinfo(), ProviderFixtures.metric("latency", "1m", null, 500.0)));
    }

    /** One table of {@code _value}s of {@code type}, as InfluxDB writes it (CRLF line ends). */
    static String table(String type, String... values) {
        StringBuilder csv = new StringBuilder()
                .append("#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,")
                .append(type)
                .append(",string,string\r\n")
                .append("#group,false,false,true,true,false,true,true\r\n")
                .append("#default,_result,,,,,,\r\n")
                .append(",result,table,_start,_stop,_value,_field,_measurement\r\n");
        for (String v : values) {
            csv.append(",,0,2025-12-31T23:59:00Z,2026-01-01T00:00:00Z,")
                    .append(v)
                    .append(",latency,http\r\n");
        }
        return csv.append("\r\n").toString();
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of(
                        "the _value of the first record is the value",
                        new Reply(200, table("double", "812.5", "100")),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement latency 812.50 > 500"),
                Arguments.of("a value within range passes", new Reply(200, table("double", "120")), Verdict.PASS, null),
                Arguments.of(
                        "a long (a count) is a number too",
                        new Reply(200, table("long", "742")),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement latency 742.00 > 500"),
                Arguments.of(
                        "an empty answer is no values, not zero", new Reply(200, "\r\n"), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "a table without records is no values",
                        new Reply(200, table("double")),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of(
                        "an empty _value is no values",
                        new Reply(200, table("double", "")),
                        Verdict.NO_DATA,
                        NO_VALUES),
                Arguments.of("NaN is no values", new Reply(200, table("double", "NaN")), Verdict.NO_DATA, NO_VALUES),
                Arguments.of(
                        "a table of errors is the query's error",
                        new Reply(
                                200,
                                "#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n,error,reference\r\n"
                                        + ",\"type error: missing argument \"\"fn\"\"\",897\r\n"),
                        Verdict.ERROR,
                        "Metric query failed for latency: influxdb query error: type error: missing argument \"fn\""
                                + " (reference 897)"),
                Arguments.of(
                        "an error status is an error with InfluxDB's body",
                        new Reply(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}"),
                        Verdict.ERROR,
                        "Metric query failed for latency: error response: Status 401 Unauthorized: "
                                + "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}"),
                Arguments.of(
                        "a body that is not annotated CSV is an error quoting it",
                        new Reply(200, "<html>maintenance</html>"),
                        Verdict.ERROR,
                        "Metric query failed for latency: error unmarshaling result: not annotated CSV, "
                                + "'<html>maintenance</html>'"),
                Arguments.of(
                        "a string _value is an error",
                        new Reply(200, table("string", "slow")),
                        Verdict.ERROR,
                        "Metric query failed for latency: error unmarshaling result: _value is of type string, not a"
                                + " number: slow"),
                Arguments.of(
                        "a double that does not parse is an error",
                        new Reply(200, table("double", "fast")),
                        Verdict.ERROR,
                        "Metric query failed for latency: error unmarshaling result: _value is not a double: fast"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void judgesInfluxDbsAnswer(String name, Reply reply, Verdict verdict, String message) {
        influx.reply(r -> reply);
        MetricOutcome outcome = check(ProviderFixtures.TIMEOUT);
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
    }

    @Test
    void postsTheFluxQueryForTheOrgWithTheToken() {
        influx.reply(r -> Reply.ok(table("double", "1")));
        check(ProviderFixtures.TIMEOUT);
        LocalHttpServer.Request request = influx.last();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v2/query");
        assertThat(request.param("org")).isEqualTo("acme");
        assertThat(request.header("Authorization")).isEqualTo("Token tok-1");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        JsonObject body = new JsonObject(request.body());
        assertThat(body.getString("query"))
                .isEqualTo("from(bucket: \"apps\") |> range(start: -1m) |> filter(fn: (r) => r.app == \"podinfo\")"
                        + " |> mean()");
        assertThat(body.getString("type")).isEqualTo("flux");
        assertThat(body.getJsonObject("dialect").getJsonArray("annotations").encode())
                .isEqualTo("[\"datatype\",\"group\",\"default\"]");
    }

    @Test
    void aTemplateWithoutSecretRefSendsNoCredentials() {
        lookup.putTemplate(ProviderFixtures.template("latency", "influxdb", influx.url(), null, "from(bucket: \"a\")"));
        influx.reply(r -> Reply.ok(table("double", "1")));
        assertThat(check(ProviderFixtures.TIMEOUT).verdict()).isEqualTo(Verdict.PASS);
        assertThat(influx.last().header("Authorization")).isNull();
        assertThat(influx.last().param("org")).isNull();
    }

    @Test
    void anInfluxDbThatDoesNotAnswerIsAnErrorAfterTheDeadline() {
        influx.reply(r -> Reply.HANG);
        assertThat(check(ProviderFixtures.SHORT_TIMEOUT).message())
                .isEqualTo("Metric query failed for latency: request failed: POST " + influx.url()
                        + "/api/v2/query: no answer within 500ms");
    }

    @Test
    void aTemplateWithoutAnAddressIsAProviderError() {
        lookup.putTemplate(ProviderFixtures.template("latency", "influxdb", null, "influx", "q"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template latency.test provider influxdb error: influxdb address is not set: set "
                        + "the template's provider.address");
    }

    @Test
    void aSecretWithoutTheOrgIsAProviderErrorNamingTheKey() {
        lookup.putSecret("test", "influx", Map.of("token", "tok-1"));
        assertThat(check(ProviderFixtures.TIMEOUT).message())
                .isEqualTo("Metric template latency.test provider influxdb error: secret influx.test has no key org");
        assertThat(influx.requests()).isEmpty();
    }

    @Test
    void theAvailabilityCheckQueriesTheDefaultBucket() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("latency", "1m", null, 5.0)));
        influx.reply(r -> Reply.ok(""));
        assertThat(await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary)).available())
                .isTrue();
        assertThat(new JsonObject(influx.last().body()).getString("query"))
                .isEqualTo("from(bucket: \"default\") |> range(start: -2h)");
        assertThat(influx.last().header("Authorization")).isEqualTo("Token tok-1");

        influx.reply(r -> new Reply(404, "{\"code\":\"not found\",\"message\":\"bucket \\\"default\\\" not found\"}"));
        ProviderAvailability down = await(gate(ProviderFixtures.TIMEOUT).checkProviders(canary));
        assertThat(down.message())
                .isEqualTo("Error checking metric providers: influxdb in metric template latency.test not avaiable: "
                        + "error response: Status 404 Not Found: "
                        + "{\"code\":\"not found\",\"message\":\"bucket \\\"default\\\" not found\"}");
    }
}
