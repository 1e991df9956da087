package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --allowed-outbound-hosts}: nothing leaves for a host outside the list, and the check says which host. */
class OutboundHostsTest {
    Vertx vertx;
    WebClient client;
    LocalHttpServer server;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        server = new LocalHttpServer(vertx);
        server.reply(r -> LocalHttpServer.Reply.ok(PrometheusAnswers.vector("1")));
    }

    @AfterEach
    void stop() {
        server.close();
        await(vertx.close());
    }

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @CsvSource({
        "http://prometheus.monitoring:9090/, prometheus.monitoring, true",
        "http://PROMETHEUS.monitoring/, prometheus.monitoring, true",
        "http://loadtester.test.svc.cluster.local/, *.svc.cluster.local, true",
        "http://svc.cluster.local/, *.svc.cluster.local, false",
        "http://evil.example/, *.svc.cluster.local, false",
        "http://prometheus.monitoring.evil.example/, prometheus.monitoring, false",
        "not a url, prometheus.monitoring, false"
    })
    void matches_hosts_and_domains(String url, String pattern, boolean allowed) {
        assertThat(new OutboundHosts(List.of(pattern)).problem(url) == null).isEqualTo(allowed);
    }

    @Test
    void an_empty_list_allows_every_host_and_a_bad_entry_is_refused_at_start() {
        assertThat(OutboundHosts.ANY.problem("http://anything/")).isNull();
        assertThatThrownBy(() -> new OutboundHosts(List.of("http://prometheus:9090")))
                .hasMessage("--allowed-outbound-hosts: \"http://prometheus:9090\" is not a host or *.domain (no scheme,"
                        + " port or path)");
    }

    @Test
    void a_webhook_to_a_host_outside_the_list_is_not_called_and_fails_its_check() {
        GatesConfig config = GatesConfig.builder()
                .outbound(new OutboundHosts(List.of("*.svc.cluster.local")))
                .build();
        HttpWebhookGate gate = new HttpWebhookGate(
                client,
                client,
                d -> Future.succeededFuture(),
                config,
                new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh"));
        CanaryAnalysis.Webhook hook = new CanaryAnalysis.Webhook();
        hook.name = "load-test";
        hook.type = "rollout";
        hook.url = server.url() + "/";
        HookOutcome outcome = await(gate.call(Fixtures.podinfo(), hook, CanaryPhase.Progressing));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.error()).isEqualTo("host 127.0.0.1 is not in --allowed-outbound-hosts");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void a_metric_server_outside_the_list_is_not_queried() {
        PrometheusClient prometheus =
                new PrometheusClient(client, client, new OutboundHosts(List.of("prometheus.monitoring")));
        QueryResult r =
                await(prometheus.query(PrometheusClient.Endpoint.of(server.url()), "vector(1)", Duration.ofSeconds(5)));
        assertThat(r).isEqualTo(new QueryResult.Failed("host 127.0.0.1 is not in --allowed-outbound-hosts"));
        assertThat(server.requests()).isEmpty();
        QueryResult allowed = await(new PrometheusClient(client, client, new OutboundHosts(List.of("127.0.0.1")))
                .query(PrometheusClient.Endpoint.of(server.url()), "vector(1)", Duration.ofSeconds(5)));
        assertThat(allowed).isEqualTo(new QueryResult.Value(1));
    }
}
