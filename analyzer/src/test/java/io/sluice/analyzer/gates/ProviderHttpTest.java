package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.analyzer.gates.ProviderHttp.Answer;
import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP exchange the providers share: what it sends and what it refuses. */
class ProviderHttpTest {
    private static Vertx vertx;
    private static WebClient client;
    private LocalHttpServer server;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    @BeforeEach
    void setUp() {
        server = new LocalHttpServer(vertx).reply(r -> Reply.ok("{}"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private ProviderTarget target(String address, Map<String, List<String>> headers) {
        return new ProviderTarget(address, null, Map.of(), headers, false);
    }

    @Test
    void sendsTheTemplatesHeadersAndLetsTheProvidersCredentialsWin() {
        ProviderTarget target = target(
                server.url() + "/prefix/", Map.of("X-Team", List.of("a"), "DD-API-KEY", List.of("from-template")));
        Answer answer = await(new ProviderHttp(client, client, OutboundHosts.ANY)
                .send(
                        "datadog",
                        target,
                        Call.get("/api/v1/query", Map.of("q", "x y"), Map.of("DD-API-KEY", "k")),
                        ProviderFixtures.TIMEOUT));
        assertThat(answer).isEqualTo(new Answer.Response(200, "OK", "{}", false));
        assertThat(server.last().path()).isEqualTo("/prefix/api/v1/query");
        assertThat(server.last().param("q")).isEqualTo("x y");
        assertThat(server.last().header("X-Team")).isEqualTo("a");
        assertThat(server.last().headers().getAll("DD-API-KEY")).containsExactly("k");
    }

    @Test
    void aHostOutsideTheAllowedOutboundHostsIsNeverCalled() {
        Answer answer = await(new ProviderHttp(client, client, new OutboundHosts(List.of("api.datadoghq.com")))
                .send(
                        "datadog",
                        target(server.url(), Map.of()),
                        Call.get("/api/v1/validate", Map.of(), Map.of()),
                        ProviderFixtures.TIMEOUT));
        assertThat(answer).isEqualTo(new Answer.Unreachable("host 127.0.0.1 is not in --allowed-outbound-hosts"));
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anAddressThatIsNotAnHttpUrlIsRefusedWithoutItsPassword() {
        Answer answer = await(new ProviderHttp(client, client, OutboundHosts.ANY)
                .send(
                        "newrelic",
                        target("ftp://user:secret@example.com", Map.of()),
                        Call.get("/q", Map.of(), Map.of()),
                        ProviderFixtures.TIMEOUT));
        assertThat(answer)
                .isEqualTo(
                        new Answer.Unreachable("invalid newrelic address \"ftp://user:xxxxx@example.com\": expected an"
                                + " absolute http or https URL without a query"));
    }

    @Test
    void anUnreachableAddressIsAnAnswerNamingTheUrl() {
        String closed = server.url();
        server.close();
        server = new LocalHttpServer(vertx);
        Answer answer = await(new ProviderHttp(client, client, OutboundHosts.ANY)
                .send(
                        "dynatrace",
                        target(closed, Map.of()),
                        Call.get("/api/v2/metrics", Map.of(), Map.of()),
                        ProviderFixtures.TIMEOUT));
        assertThat(answer).isInstanceOf(Answer.Unreachable.class);
        assertThat(((Answer.Unreachable) answer).error())
                .startsWith("request failed: GET " + closed + "/api/v2/metrics: ");
    }

    @Test
    void theAnalyzerRegistersEveryHttpProvider() {
        GatesConfig config = GatesConfig.builder().build();
        assertThat(Gates.providers(client, client, config))
                .extracting(MetricsProvider::type)
                .containsExactly("datadog", "newrelic", "dynatrace", "graphite", "influxdb", "splunk");
    }

    @Test
    void aCredentialTheClientRefusesIsAnAnswerNotAnException() {
        Answer answer = await(new ProviderHttp(client, client, OutboundHosts.ANY)
                .send(
                        "datadog",
                        target(server.url(), Map.of()),
                        Call.get("/api/v1/validate", Map.of(), Map.of("DD-API-KEY", "a\nb")),
                        ProviderFixtures.TIMEOUT));
        assertThat(answer).isInstanceOf(Answer.Unreachable.class);
        assertThat(server.requests()).isEmpty();
    }
}
