package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's webhooks against a stand-in that answers as Flagger's load tester does (spec §7.4): it reads the payload
 * the same way, refuses what it would refuse, and answers {@code bash} commands with 200 and background commands with
 * 202. Commands are recorded, not run.
 */
class LoadTesterCompatibilityTest {
    private static Vertx vertx;
    private static LocalHttpServer loadTester;
    private static Gates gates;
    private static final Set<String> openGates = ConcurrentHashMap.newKeySet();
    private static final List<String> commands = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        loadTester = new LocalHttpServer(vertx).reply(LoadTesterCompatibilityTest::answer);
        gates = Gates.create(
                vertx,
                GatesConfig.builder().build(),
                new StaticObjectLookup(),
                new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh"));
    }

    @AfterAll
    static void stop() {
        gates.close();
        loadTester.close();
        await(vertx.close());
    }

    @BeforeEach
    void reset() {
        openGates.clear();
        commands.clear();
    }

    /** The load tester's contract for the endpoints the seed and the gate tests use. */
    private static Reply answer(LocalHttpServer.Request request) {
        JsonObject payload;
        try {
            payload = new JsonObject(request.body());
        } catch (DecodeException e) {
            return new Reply(400, e.getMessage());
        }
        String key = payload.getString("name") + "." + payload.getString("namespace");
        switch (request.path()) {
            case "/gate/check":
                return openGates.contains(key) ? new Reply(200, "Approved") : new Reply(403, "Forbidden");
            case "/gate/open":
                openGates.add(key);
                return new Reply(202, "");
            case "/":
                break;
            default:
                return new Reply(404, "");
        }
        JsonObject metadata = payload.getJsonObject("metadata");
        if (metadata == null) {
            return new Reply(400, "metadata not found in payload");
        }
        String type = metadata.getString("type", "cmd");
        commands.add(type + ": " + metadata.getString("cmd"));
        return switch (type) {
            case "cmd" -> new Reply(202, "");
            case "bash" -> new Reply(200, "");
            default -> new Reply(400, "unknown type");
        };
    }

    private static CanaryAnalysis.Webhook hook(
            String name, String type, String path, String timeout, Map<String, String> metadata) {
        CanaryAnalysis.Webhook hook = new CanaryAnalysis.Webhook();
        hook.name = name;
        hook.type = type;
        hook.url = loadTester.url() + path;
        hook.timeout = timeout;
        hook.metadata = metadata;
        return hook;
    }

    @Test
    void theSeedsBashPreRolloutCheckPasses() {
        CanaryAnalysis.Webhook hook = hook(
                "acceptance-test",
                "pre-rollout",
                "/",
                "30s",
                Map.of("type", "bash", "cmd", "curl -sd 'test' http://podinfo-canary.test:9898/token | grep token"));
        HookOutcome outcome = await(gates.webhookGate().call(Fixtures.podinfo(), hook, CanaryPhase.Progressing));
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.statusCode()).isEqualTo(200);
        assertThat(commands)
                .containsExactly("bash: curl -sd 'test' http://podinfo-canary.test:9898/token | grep token");
    }

    @Test
    void theSeedsHeyRolloutWebhookPassesWithTheLoadTestersAccepted() {
        CanaryAnalysis.Webhook hook = hook(
                "load-test",
                "rollout",
                "/",
                null,
                Map.of("cmd", "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"));
        HookOutcome outcome = await(gates.webhookGate().call(Fixtures.podinfo(), hook, CanaryPhase.Progressing));
        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.statusCode()).isEqualTo(202);
        assertThat(commands).containsExactly("cmd: hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/");
    }

    @Test
    void aClosedGateRefusesWithForbiddenUntilItIsOpened() {
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Webhook check = hook("gate", "confirm-rollout", "/gate/check", null, null);
        HookOutcome closed = await(gates.webhookGate().call(canary, check, CanaryPhase.Succeeded));
        assertThat(closed.passed()).isFalse();
        assertThat(closed.error()).isEqualTo("Forbidden");
        assertThat(await(gates.webhookGate()
                                .call(canary, hook("open", "rollout", "/gate/open", null, null), CanaryPhase.Succeeded))
                        .passed())
                .isTrue();
        assertThat(await(gates.webhookGate().call(canary, check, CanaryPhase.Succeeded))
                        .passed())
                .isTrue();
    }

    @Test
    void aHookWithoutMetadataIsRefusedWithTheLoadTestersReason() {
        HookOutcome outcome = await(gates.webhookGate()
                .call(Fixtures.podinfo(), hook("bare", "rollout", "/", null, null), CanaryPhase.Progressing));
        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.error()).isEqualTo("metadata not found in payload");
    }

    @Test
    void measuresWebhookLatency() {
        CanaryAnalysis.Webhook hook = hook("load-test", "rollout", "/", null, Map.of("cmd", "hey"));
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long start = System.nanoTime();
            assertThat(await(gates.webhookGate().call(Fixtures.podinfo(), hook, CanaryPhase.Progressing))
                            .passed())
                    .isTrue();
            micros.add((System.nanoTime() - start) / 1000);
        }
        Collections.sort(micros);
        System.out.printf(
                "local webhook call latency over %d calls: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                micros.size(),
                micros.get(micros.size() / 2) / 1000.0,
                micros.get(micros.size() * 9 / 10) / 1000.0,
                micros.get(micros.size() - 1) / 1000.0);
        assertThat(loadTester.requests()).hasSizeGreaterThanOrEqualTo(50);
    }
}
