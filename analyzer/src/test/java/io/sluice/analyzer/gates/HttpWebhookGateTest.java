package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpWebhookGateTest {
    private static Vertx vertx;
    private static WebClient client;
    private static WebClient insecure;
    private LocalHttpServer server;
    private AnalyzerMetrics metrics;
    private final List<Duration> delays = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        insecure =
                WebClient.create(vertx, new WebClientOptions().setTrustAll(true).setVerifyHost(false));
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    @BeforeEach
    void setUp() {
        server = new LocalHttpServer(vertx);
        metrics = new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private HttpWebhookGate gate() {
        Delay recording = d -> {
            delays.add(d);
            return Future.succeededFuture();
        };
        return new HttpWebhookGate(
                client, insecure, recording, GatesConfig.builder().build(), metrics);
    }

    private CanaryAnalysis.Webhook hook(String type, Integer retries, String timeout) {
        CanaryAnalysis.Webhook hook = new CanaryAnalysis.Webhook();
        hook.name = "load-test";
        hook.type = type;
        hook.url = server.url() + "/";
        hook.retries = retries;
        hook.timeout = timeout;
        hook.metadata = Map.of("cmd", "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/");
        return hook;
    }

    private HookOutcome call(CanaryAnalysis.Webhook hook) {
        return await(gate().call(Fixtures.podinfo(), hook, CanaryPhase.Progressing));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "200 OK passes                                                   | 200 | true",
                "202 Accepted, the load tester's answer to a background command, passes | 202 | true",
                "204 No Content passes although Flagger would refuse it          | 204 | true",
                "203 passes as any other 2xx                                     | 203 | true",
                "403 Forbidden, a closed gate, is a refusal                      | 403 | false",
                "404 is a refusal                                                | 404 | false",
            })
    void anyTwoHundredPasses(String name, int status, boolean passed) {
        server.reply(r -> new Reply(status, status == 403 ? "Forbidden" : ""));
        HookOutcome outcome = call(hook("rollout", null, null));
        assertThat(outcome.passed()).isEqualTo(passed);
        assertThat(outcome.statusCode()).isEqualTo(status);
        assertThat(outcome.hook()).isEqualTo("load-test");
        if (status == 403) {
            assertThat(outcome.error()).isEqualTo("Forbidden");
        }
        assertThat(Scrapes.value(
                        metrics.scrape(),
                        "sluice_webhook_calls_total{outcome=\"" + (passed ? "passed" : "refused")
                                + "\",type=\"rollout\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void postsFlaggersPayloadAsJson() {
        server.reply(r -> new Reply(202, ""));
        Canary canary = Fixtures.podinfo();
        await(gate().call(canary, hook("rollout", null, null), CanaryPhase.Progressing));
        LocalHttpServer.Request request = server.last();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        JsonObject body = new JsonObject(request.body());
        assertThat(body.fieldNames()).containsExactlyInAnyOrder("name", "namespace", "phase", "checksum", "metadata");
        assertThat(body.getString("name")).isEqualTo("podinfo");
        assertThat(body.getString("namespace")).isEqualTo("test");
        assertThat(body.getString("phase")).isEqualTo("Progressing");
        // The first 16 hex digits of SHA-256("5f1c2a3b4d5e6f70\n"), the fixture's lastAppliedSpec, worked out apart
        // from the code (printf '5f1c2a3b4d5e6f70\n' | sha256sum).
        assertThat(body.getString("checksum")).isEqualTo("29c71c1e61551f47");
        assertThat(body.getJsonObject("metadata").getMap())
                .isEqualTo(Map.of("cmd", "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"));
    }

    @Test
    void leavesMetadataOutWhenTheHookHasNone() {
        CanaryAnalysis.Webhook hook = hook("confirm-rollout", null, null);
        hook.metadata = null;
        call(hook);
        assertThat(new JsonObject(server.last().body()).containsKey("metadata")).isFalse();
    }

    @Test
    void theChecksumChangesWithTheRevisionAndTheTrackedConfigs() {
        Canary canary = Fixtures.podinfo();
        String first = WebhookPayloads.checksum(canary.getStatus());
        canary.getStatus().trackedConfigs = Map.of("configmap/podinfo-config", "abc");
        String second = WebhookPayloads.checksum(canary.getStatus());
        // printf '5f1c2a3b4d5e6f70\nconfigmap/podinfo-config=abc\n' | sha256sum
        assertThat(second).isEqualTo("9a2e2451e1f7f9ae");
        canary.getStatus().lastAppliedSpec = "0000000000000000";
        assertThat(List.of(first, second, WebhookPayloads.checksum(canary.getStatus())))
                .doesNotHaveDuplicates();
    }

    @Test
    void retriesAServerErrorAndPassesWhenTheServerRecovers() {
        AtomicInteger calls = new AtomicInteger();
        server.reply(r -> calls.incrementAndGet() == 1 ? new Reply(500, "warming up") : Reply.ok(""));
        HookOutcome outcome = call(hook("pre-rollout", 2, null));
        assertThat(outcome.passed()).isTrue();
        assertThat(server.requests()).hasSize(2);
        assertThat(delays).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void givesUpAfterTheRetriesWithTheLastStatusAndBody() {
        server.reply(r -> new Reply(500, "command curl failed: exit status 1"));
        HookOutcome outcome = call(hook("pre-rollout", 3, null));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.statusCode()).isEqualTo(500);
        assertThat(outcome.error())
                .isEqualTo("POST " + server.url() + "/ giving up after 4 attempt(s): "
                        + "500 Internal Server Error: command curl failed: exit status 1");
        assertThat(server.requests()).hasSize(4);
        assertThat(delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void retriesAreCappedAtTen() {
        server.reply(r -> new Reply(500, "down"));
        HookOutcome outcome = call(hook("rollout", 1_000_000, null));
        assertThat(outcome.error()).startsWith("POST " + server.url() + "/ giving up after 11 attempt(s): ");
        assertThat(server.requests()).hasSize(11);
        assertThat(delays).hasSize(10);
    }

    @Test
    void withoutRetriesAServerErrorIsOneAttempt() {
        server.reply(r -> new Reply(503, ""));
        HookOutcome outcome = call(hook("rollout", null, null));
        assertThat(outcome.error())
                .isEqualTo("POST " + server.url() + "/ giving up after 1 attempt(s): 503 Service Unavailable");
        assertThat(delays).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a 4xx refusal is final                 | 400",
                "501 Not Implemented is final           | 501",
            })
    void doesNotRetryFinalAnswers(String name, int status) {
        server.reply(r -> new Reply(status, "no"));
        HookOutcome outcome = call(hook("rollout", 5, null));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.error()).isEqualTo("no");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aLongRefusalIsCutInTheError() {
        server.reply(r -> new Reply(403, "x".repeat(100_000)));
        HookOutcome outcome = call(hook("rollout", null, null));
        assertThat(outcome.error()).hasSize(1025).endsWith("x…");
    }

    @Test
    void honoursRetryAfterOnTooManyRequests() {
        AtomicInteger calls = new AtomicInteger();
        server.reply(r -> calls.incrementAndGet() == 1 ? new Reply(429, "slow down") : Reply.ok(""));
        HttpWebhookGate gate = gate();
        assertThat(gate.backoff(1, 429, "7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(gate.backoff(1, 429, "3600")).isEqualTo(Duration.ofSeconds(30));
        assertThat(await(gate.call(Fixtures.podinfo(), hook("rollout", 1, null), CanaryPhase.Progressing))
                        .passed())
                .isTrue();
        assertThat(delays).containsExactly(Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "after {0} failed attempt(s) the next waits {1}")
    @CsvSource({"1, PT1S", "2, PT2S", "3, PT4S", "4, PT8S", "5, PT16S", "6, PT30S", "40, PT30S"})
    void backsOffExponentiallyUpToThirtySeconds(int failed, Duration expected) {
        assertThat(gate().backoff(failed, 500, null)).isEqualTo(expected);
    }

    @Test
    void aHookThatHangsPastItsTimeoutIsRetriedThenGivenUp() {
        server.reply(r -> Reply.HANG);
        HookOutcome outcome = call(hook("rollout", 1, "300ms"));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.statusCode()).isZero();
        assertThat(outcome.error())
                .isEqualTo("POST " + server.url() + "/ giving up after 2 attempt(s): no answer within 300ms");
        assertThat(server.requests()).hasSize(2);
        assertThat(Scrapes.value(metrics.scrape(), "sluice_webhook_calls_total{outcome=\"error\",type=\"rollout\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void anUnreachableHookIsRetriedThenGivenUp() {
        CanaryAnalysis.Webhook hook = hook("rollout", 2, null);
        server.close();
        HookOutcome outcome = call(hook);
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.error()).startsWith("POST " + hook.url + " giving up after 3 attempt(s): ");
        server = new LocalHttpServer(vertx);
    }

    @Test
    void anInvalidUrlIsAFailureThatSaysWhy() {
        CanaryAnalysis.Webhook hook = hook("rollout", 3, null);
        hook.url = "flagger-loadtester.test/";
        HookOutcome outcome = call(hook);
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.error())
                .isEqualTo("invalid webhook url \"flagger-loadtester.test/\": expected an absolute "
                        + "http or https URL");
    }

    @Test
    void neverEchoesCredentialsOfUrlsItCannotUse() {
        assertThat(HttpWebhookGate.redact("https://xoxb-t0ken@hooks.example/x"))
                .isEqualTo("https://xxxxx@hooks.example/x");
        assertThat(HttpWebhookGate.redact("http://bot:s3cret@host with space/")).doesNotContain("s3cret");
        assertThat(HttpWebhookGate.urlProblem("http://bot:s3cret@host with space/"))
                .doesNotContain("s3cret")
                .startsWith("invalid webhook url");
        assertThat(HttpWebhookGate.urlProblem("ftp://bot:s3cret@host/")).doesNotContain("s3cret");
        assertThat(HttpWebhookGate.origin("https://hooks.slack.com/services/T000/B000/XXXXSECRET"))
                .isEqualTo("https://hooks.slack.com");
        assertThat(HttpWebhookGate.origin("not a url XXXXSECRET")).doesNotContain("XXXXSECRET");
    }

    @Test
    void redactsPasswordsInUrls() {
        assertThat(HttpWebhookGate.redact("https://bot:hunter2@hooks.example/x"))
                .isEqualTo("https://bot:xxxxx@hooks.example/x");
        assertThat(HttpWebhookGate.redact("http://127.0.0.1:8080/")).isEqualTo("http://127.0.0.1:8080/");
    }

    @Test
    void disableTlsSkipsVerificationAndOtherwiseAnUntrustedCertificateFailsWithoutRetries() {
        SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
        HttpServer tls = vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(certificate.keyCertOptions()))
                .requestHandler(req -> req.response().setStatusCode(200).end());
        await(tls.listen());
        try {
            CanaryAnalysis.Webhook hook = hook("rollout", 3, null);
            hook.url = "https://127.0.0.1:" + tls.actualPort() + "/";
            HookOutcome refused = call(hook);
            assertThat(refused.passed()).isFalse();
            assertThat(refused.error()).startsWith("POST " + hook.url + ": ");
            assertThat(delays).isEmpty();

            hook.disableTLS = true;
            assertThat(call(hook).passed()).isTrue();
        } finally {
            await(tls.close());
        }
    }
}
