package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runtime requests end to end (issue 17): one Canary steered by a plain {@code kubectl annotate} and by the {@code
 * kubectl sluice} plugin as built ({@code cli/target/kubectl-sluice}, found by kubectl on its PATH), with Sluice's
 * admission judging and recording each request and the analyzer carrying it out.
 *
 * <p>The Canary has no metrics or webhooks, an interval of 10 s and five steps of 10%, so a run lasts over a minute
 * if nobody steers it, and the sandbox runs no Prometheus. The methods run in order on the one Canary; each starts
 * from where the one before left it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RuntimeControlIT {
    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static final Path LOGS = REPO.resolve("sandbox/target/control-logs");
    static final Path PLUGIN = REPO.resolve("cli/target/kubectl-sluice");
    static final String NS = SeedRun.NAMESPACE;
    static final String CANARY = "steer";
    static final String IMAGE = "ghcr.io/stefanprodan/podinfo:";
    static final String ADMIN = Sandbox.ADMIN;
    /** The Events' wording of each action, as in "Promotion requested by kubernetes-admin via kubectl". */
    static final Map<String, String> EVENT_NOUN =
            Map.of("promote", "Promotion", "abort", "Abort", "retry", "Retry", "pause", "Pause", "resume", "Resume");

    static Environment env;
    /** kubectl with {@code cli/target} first on its PATH: {@code kubectl sluice} is the plugin as built. */
    static Kubectl plugin;

    @BeforeAll
    static void start() throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        assertThat(PLUGIN)
                .as("the kubectl plugin, built by `make plugin` or by the reactor before the sandbox"
                        + " (mvn -pl sandbox -am verify)")
                .isExecutable();
        env = Environment.start(new Environment.Options(
                REPO, Duration.ofSeconds(1), Environment.NO_EXTRA_ARGS, true, false, TestLaunchers.of(REPO)));
        env.startAnalyzer();
        plugin = env.kubectl().withPlugins(PLUGIN.getParent());
        Path examples = REPO.resolve("manifests/examples/podinfo");
        for (String f : List.of("namespace.yaml", "workspace.yaml", "workspacesettings.yaml")) {
            env.kubectl().run("apply", "-f", examples.resolve(f).toString()).ok();
        }
        apply(FlaggerTakeoverIT.deploymentYaml(CANARY, CANARY, "6.0.0", 1, "", ""));
        apply(FlaggerTakeoverIT.parentRouteTable(CANARY));
        String canary = FlaggerTakeoverIT.canary(CANARY, "gloo-mesh");
        String steps = "maxWeight: 40\n    stepWeight: 20";
        assertThat(canary).contains(steps);
        apply(canary.replace(steps, "maxWeight: 50\n    stepWeight: 10"));
        await("the Canary to be Initialized", Duration.ofSeconds(90), () -> "Initialized".equals(phase()));
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.keepLogs(LOGS);
            env.close();
        }
    }

    /** Needs the admission side only: requests that do not fit the phase never reach the Canary. */
    @Test
    @Order(1)
    void aRequestThatDoesNotFitThePhaseIsDeniedWithTheReason() {
        String reason = "cannot promote canary test/steer: promote needs a run in progress before promotion"
                + " (Waiting, Progressing or WaitingPromotion), and the canary is in phase Initialized";
        Kubectl.Result annotate = annotate("promote");
        assertThat(annotate.exit()).as("kubectl annotate of a denied request").isNotZero();
        assertThat(annotate.err()).contains(reason);
        Kubectl.Result malformed = annotate("promot");
        assertThat(malformed.exit()).isNotZero();
        // A 422 with its cause: kubectl prints the field and the parser's message.
        assertThat(malformed.err())
                .contains("metadata.annotations[sluice.io/request]")
                .contains("names no known action \"promot\"; expected one of promote, abort, retry, pause, resume");
        JsonObject canary = env.canary(NS, CANARY);
        assertThat(canary.getJsonObject("metadata")
                        .getJsonObject("annotations", new JsonObject())
                        .getMap())
                .as("a denied request is not stored")
                .doesNotContainKey("sluice.io/request");
        assertThat(status().getValue("request")).isNull();

        Kubectl.Result sluice = sluice("promote", CANARY, "-n", NS, "--timeout", "20s");
        assertThat(sluice.exit())
                .as("kubectl sluice promote: refused\n%s", sluice.err())
                .isEqualTo(1);
        assertThat(sluice.err()).contains(reason);
    }

    /**
     * {@code kubectl annotate} as kubernetes-admin: each request recorded with its requester and source (admission),
     * then carried out with an Event naming them (analyzer).
     */
    @Test
    @Order(2)
    void plainKubectlAnnotatePausesResumesAndPromotes() {
        String revision = newRevision("6.0.1");
        try (Kubectl.Running wait =
                plugin.start("sluice", "wait", CANARY, "-n", NS, "--for=promoted", "--timeout", "3m")) {
            JsonObject pause = request(annotate("pause").ok(), "pause", revision, "kubectl");
            String shown = sluice("status", CANARY, "-n", NS).ok().out();
            assertThat(shown).contains("Phase:         Progressing");
            assertThat(shown)
                    .as("the request, pending or answered")
                    .containsAnyOf(
                            "Request:       pending: pause@" + revision + " by kubernetes-admin via kubectl",
                            "Last request:  pause@" + revision + ": done");

            // The analyzer's side from here on.
            handled(pause);
            int held = weight();
            holds("the weight held at " + held + "% by the pause", Duration.ofSeconds(25), () -> weight() == held);
            assertThat(sluice("status", CANARY, "-n", NS).ok().out())
                    .contains("Paused:        yes, by kubernetes-admin via kubectl");

            JsonObject resume = request(annotate("resume").ok(), "resume", revision, "kubectl");
            handled(resume);
            await("the run to advance after the resume", Duration.ofSeconds(30), () -> weight() > held);

            JsonObject promote = request(annotate("promote").ok(), "promote", revision, "kubectl");
            handled(promote);
            await("the promotion to finish", Duration.ofSeconds(45), () -> "Succeeded".equals(phase()));
            assertThat(messages())
                    .as("promoted before the last step")
                    .noneMatch(m -> m.equals("Advance steer.test canary weight 50"))
                    .contains("Promotion requested by kubernetes-admin via kubectl");
            assertThat(SeedRun.image(env, NS, CANARY + "-primary")).isEqualTo(IMAGE + "6.0.1");
            assertThat(wait.exitWithin(30))
                    .as("kubectl sluice wait --for=promoted:\n%s", wait.output())
                    .isZero();
            assertThat(wait.output()).contains("revision " + revision + " of test/steer promoted");
        }
        Kubectl.Result again = annotate("promote", "sluice.io/request-id=" + UUID.randomUUID());
        assertThat(again.exit()).isNotZero();
        assertThat(again.err())
                .contains("cannot promote canary test/steer: promote needs a run in progress before promotion"
                        + " (Waiting, Progressing or WaitingPromotion), and the canary is in phase Succeeded");
    }

    /** Abort rolls the run back at once; retry runs the failed revision again. */
    @Test
    @Order(3)
    void plainKubectlAnnotateAbortsAndRetries() {
        String revision = newRevision("6.0.2");
        JsonObject abort = request(annotate("abort").ok(), "abort", revision, "kubectl");

        // The analyzer's side from here on.
        handled(abort);
        await("the abort to fail the run", Duration.ofSeconds(30), () -> "Failed".equals(phase()));
        JsonObject delegate = new JsonObject(env.kubectl()
                .run("-n", NS, "get", "routetable", CANARY + "-delegate", "-o", "json")
                .ok()
                .out());
        assertThat(SeedRun.canaryWeight(delegate)).as("routes 100/0").isZero();
        assertThat(weights(delegate))
                .containsOnly(Map.entry(CANARY + "-primary", 100), Map.entry(CANARY + "-canary", 0));
        await("the canary scaled down", Duration.ofSeconds(30), () -> replicas(CANARY) == 0);
        assertThat(SeedRun.image(env, NS, CANARY + "-primary")).isEqualTo(IMAGE + "6.0.1");

        JsonObject retry = request(annotate("retry").ok(), "retry", revision, "kubectl");
        handled(retry);
        // A Failed run left the canary at 0 replicas: scaled up again with the same revision, it is a new run.
        await(
                "a run of the failed revision",
                Duration.ofSeconds(30),
                () -> "Progressing".equals(phase()) && revision.equals(runRevision(status())) && replicas(CANARY) > 0);
    }

    /** The plugin, on the retried run: recorded as {@code kubectl-sluice}, exit 0 once the analyzer carried it out. */
    @Test
    @Order(4)
    void thePluginPausesResumesAndPromotes() {
        String revision = runRevision(status());
        for (String action : List.of("pause", "resume", "promote")) {
            Kubectl.Result r = sluice(action, CANARY, "-n", NS, "--timeout", "45s");
            // The admission's side first: the plugin's request recorded under its own field manager.
            assertThat(r.err()).contains("admitted: recorded for kubernetes-admin via kubectl-sluice");
            JsonObject recorded = status().getJsonObject("request");
            assertThat(recorded)
                    .as("status.request after kubectl sluice %s (the analyzer's status writes keep it)", action)
                    .isNotNull();
            assertThat(recorded.getString("action")).isEqualTo(action);
            assertThat(recorded.getString("revision")).isEqualTo(revision);
            assertThat(recorded.getString("user")).isEqualTo(ADMIN);
            assertThat(recorded.getString("source")).isEqualTo("kubectl-sluice");
            // The analyzer's: carried out, so the plugin ends with 0.
            assertThat(r.exit())
                    .as("kubectl sluice %s:\n%s%s", action, r.err(), r.out())
                    .isZero();
            assertThat(r.out()).contains(action + " of test/steer revision " + revision + ": done");
            String event = EVENT_NOUN.get(action) + " requested by kubernetes-admin via kubectl-sluice";
            await(
                    "the Event \"" + event + "\"",
                    Duration.ofSeconds(10),
                    () -> messages().contains(event));
            if (action.equals("pause")) {
                assertThat(sluice("status", CANARY, "-n", NS).ok().out())
                        .contains("Paused:        yes, by kubernetes-admin via kubectl-sluice")
                        .contains("Last request:  pause@" + revision + ": done");
            }
        }
        Kubectl.Result wait = sluice("wait", CANARY, "-n", NS, "--for=promoted", "--timeout", "50s");
        assertThat(wait.exit())
                .as("kubectl sluice wait --for=promoted:\n%s", wait.err())
                .isZero();
        String shown = sluice("status", CANARY, "-n", NS).ok().out();
        assertThat(shown)
                .contains("Phase:         Succeeded")
                .contains("Last request:  promote@" + revision + ": done");

        Kubectl.Result denied = sluice("promote", CANARY, "-n", NS, "--timeout", "20s");
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err())
                .contains("cannot promote canary test/steer: promote needs a run in progress before promotion"
                        + " (Waiting, Progressing or WaitingPromotion), and the canary is in phase Succeeded");
    }

    /** {@code kubectl set image} to {@code version}; waits for its run to start and returns its revision. */
    static String newRevision(String version) {
        String before = status().getString("lastAppliedSpec");
        env.kubectl()
                .run("-n", NS, "set", "image", "deployment/" + CANARY, "podinfod=" + IMAGE + version)
                .ok();
        return await("a run of " + version, Duration.ofSeconds(40), () -> {
            JsonObject s = status();
            String revision = runRevision(s);
            return "Progressing".equals(s.getString("phase")) && revision != null && !revision.equals(before)
                    ? revision
                    : null;
        });
    }

    /**
     * The admission's record of the request {@code sent} (a kubectl run that succeeded): action, revision, requester and source, with the admission
     * request's uid that the analyzer echoes.
     */
    static JsonObject request(Kubectl.Result sent, String action, String revision, String source) {
        JsonObject recorded = await("status.request to record " + action, Duration.ofSeconds(20), () -> {
            JsonObject r = status().getJsonObject("request");
            return r != null && action.equals(r.getString("action")) ? r : null;
        });
        assertThat(recorded.getString("revision")).isEqualTo(revision);
        assertThat(recorded.getString("user")).isEqualTo(ADMIN);
        assertThat(recorded.getJsonArray("groups").getList()).containsAll(Sandbox.ADMIN_GROUPS);
        assertThat(recorded.getString("source")).isEqualTo(source);
        assertThat(recorded.getString("uid")).isNotBlank();
        assertThat(recorded.getString("requestedAt")).isNotBlank();
        return recorded;
    }

    /** The analyzer's answer to {@code request}: done, with its Event naming who asked. */
    static void handled(JsonObject request) {
        String uid = request.getString("uid");
        JsonObject answer =
                await("the analyzer to answer " + request.getString("action"), Duration.ofSeconds(20), () -> {
                    JsonObject h = status().getJsonObject("requestHandled");
                    return h != null && uid.equals(h.getString("uid")) ? h : null;
                });
        assertThat(answer.getString("outcome")).as("requestHandled %s", answer).isEqualTo("done");
        assertThat(answer.getString("action")).isEqualTo(request.getString("action"));
        assertThat(answer.getString("revision")).isEqualTo(request.getString("revision"));
        assertThat(answer.getString("handledAt")).isNotBlank();
        String event = EVENT_NOUN.get(request.getString("action")) + " requested by " + request.getString("user")
                + " via " + request.getString("source");
        await(
                "the Event \"" + event + "\"",
                Duration.ofSeconds(10),
                () -> messages().contains(event));
    }

    static Kubectl.Result annotate(String value, String... more) {
        List<String> args = new ArrayList<>(
                List.of("-n", NS, "annotate", "canary", CANARY, "sluice.io/request=" + value, "--overwrite"));
        args.addAll(List.of(more));
        return env.kubectl().run(args.toArray(String[]::new));
    }

    static Kubectl.Result sluice(String... args) {
        List<String> command = new ArrayList<>(List.of("sluice"));
        command.addAll(List.of(args));
        return plugin.run(command.toArray(String[]::new));
    }

    static JsonObject status() {
        return env.canary(NS, CANARY).getJsonObject("status", new JsonObject());
    }

    static String phase() {
        return status().getString("phase");
    }

    static int weight() {
        return status().getInteger("canaryWeight", 0);
    }

    /** The revision of the run in progress, as the admission resolves it. */
    static String runRevision(JsonObject status) {
        JsonObject run = status.getJsonObject("currentRun");
        return run != null && run.getString("revision") != null
                ? run.getString("revision")
                : status.getString("lastAppliedSpec");
    }

    static List<String> messages() {
        return SeedRun.events(env, NS, CANARY).stream().map(SeedRun::message).toList();
    }

    static int replicas(String deployment) {
        Integer n = env.admin()
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName(deployment)
                .get()
                .getSpec()
                .getReplicas();
        return n == null ? 1 : n;
    }

    /** The delegate's weight of each destination, by Service name. */
    static Map<String, Integer> weights(JsonObject delegate) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (Object http : delegate.getJsonObject("spec").getJsonArray("http", new JsonArray())) {
            for (Object d : ((JsonObject) http)
                    .getJsonObject("forwardTo", new JsonObject())
                    .getJsonArray("destinations", new JsonArray())) {
                JsonObject destination = (JsonObject) d;
                out.put(
                        destination.getJsonObject("ref", new JsonObject()).getString("name"),
                        destination.getInteger("weight", 0));
            }
        }
        return out;
    }

    static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        return Environment.await(what, timeout, () -> {
            env.checkAlive();
            return probe.get();
        });
    }

    /**
     * Checks that {@code condition} stays true for {@code span} (an absence, such as no advance, needs a window):
     * fails at the first probe that finds it false.
     */
    static void holds(String what, Duration span, Supplier<Boolean> condition) {
        Instant end = Instant.now().plus(span);
        while (Instant.now().isBefore(end)) {
            env.checkAlive();
            assertThat(condition.get()).as(what).isTrue();
            pause(Duration.ofMillis(500));
        }
    }

    private static void pause(Duration d) {
        Object lock = new Object();
        synchronized (lock) {
            try {
                lock.wait(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Creates the object with kubectl as the administrator. */
    static void apply(String yaml) throws IOException {
        Path file = Files.createTempFile(env.sandbox().dir(), "control", ".yaml");
        Files.writeString(file, yaml);
        env.kubectl().run("apply", "-f", file.toString()).ok();
    }
}
