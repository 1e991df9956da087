package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.sluice.sandbox.Environment.Analyzer;
import io.sluice.sandbox.mesh.Prometheus;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two analyzers on one API server, as the installed Deployment runs them (two replicas, leader election on): one holds
 * the Lease and writes, the other stands by. Stopping the leader the way a rolling update does (SIGTERM) hands the
 * Lease to the standby at its next attempt (seconds, not a lease duration), and a run in progress goes on from the step the old
 * leader took without taking it again. A leader that freezes (SIGSTOP) fails its liveness probe, is killed (SIGKILL,
 * as the kubelet does) and is replaced once its Lease runs out, again without a step taken twice.
 *
 * <p>The handover times are printed ({@code handover: …}) so they can be quoted. The seed's Canary is applied with
 * the end-to-end tests' shorter timings ({@link ShortSeed}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoAnalyzersIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static final Path LOGS = REPO.resolve("sandbox/target/two-analyzers-logs");
    /** The analyzer's Lease (its {@code --leader-election-name} default) in its install namespace. */
    static final String LEASE = "sluice-analyzer-leader";
    /** The analyzer's {@code --lease-retry-period} default; the installed Deployment sets none (checked below). */
    static final Duration RETRY = Duration.ofSeconds(2);
    /**
     * The longest gap between a standby's attempts on the Lease: fabric8's elector waits the retry period plus a random
     * share of up to 1.2 times it ({@code LeaderElector.JITTER_FACTOR}) between attempts to acquire, so 2 to 4.4 s
     * with the 2 s default (the 5 s it had before gave 5 to 11 s, past the 6 s a handover may take). The test holds
     * a handover to this gap plus a second (the measured figure is printed against the 6 s target too).
     */
    static final Duration STANDBY_GAP = RETRY.plusMillis((long) (RETRY.toMillis() * 1.2));
    /** The liveness probe of {@code manifests/analyzer/deployment.yaml}, with Kubernetes' default timeout and threshold. */
    static final Duration PROBE_PERIOD = Duration.ofSeconds(10);

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    static final int PROBE_FAILURES = 3;

    static Environment env;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    /** Every canary weight the delegate RouteTable took, consecutive repeats folded. */
    static final List<Integer> WEIGHTS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        require(Prometheus.installed(), "prometheus", "prometheus");
        require(Tools.onPath("hey"), "hey", "hey");
        require(Tools.onPath("curl"), "curl", "curl");
        assertThat(Installed.of(Installed.render(REPO), Environment.ANALYZER_DEPLOYMENT)
                        .args())
                .as("the installed analyzer keeps the default Lease timing this test reads its limits from")
                .noneMatch(a -> a.startsWith("--lease-") || a.startsWith("--no-leader-election"));
        env = Environment.start(new Environment.Options(
                REPO, Duration.ofSeconds(1), Environment.NO_EXTRA_ARGS, true, true, TestLaunchers.of(REPO)));
        env.startAnalyzer();
        env.sandbox().cluster().onRouteTable(table -> {
            if (table.getJsonObject("metadata").getString("name").equals("podinfo-delegate")) {
                Integer w = SeedRun.canaryWeight(table);
                if (w != null
                        && (WEIGHTS.isEmpty()
                                || !WEIGHTS.get(WEIGHTS.size() - 1).equals(w))) {
                    WEIGHTS.add(w);
                }
            }
        });
        ShortSeed.apply(env, REPO);
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.keepLogs(LOGS);
            env.close();
        }
    }

    @Test
    @Order(1)
    void oneAnalyzerHoldsTheLeaseAndWritesTheOtherStandsBy() {
        Analyzer leader = leader();
        Analyzer standby = other(leader);
        awaitStandingBy(standby, leader);
        assertThat(leaderGauge(leader))
                .as("sluice_leader of %s", leader.identity())
                .isEqualTo(1.0);
        assertThat(leaderGauge(standby))
                .as("sluice_leader of %s", standby.identity())
                .isEqualTo(0.0);
        assertThat(status(standby, "/readyz")).as("a standby is ready").isEqualTo(200);
        assertThat(status(standby, "/healthz")).as("a standby is alive").isEqualTo(200);
        List<JsonObject> events = canaryEvents();
        assertThat(events).as("the Canary's Events so far").isNotEmpty();
        assertThat(events)
                .as("Events written by the leader only")
                .allMatch(e -> leader.identity().equals(e.getString("reportingInstance")));
    }

    @Test
    @Order(2)
    void aRollingUpdateHandsOverInSecondsAndTheRunGoesOnWithoutADoubleStep() throws Exception {
        Analyzer leader = leader();
        Analyzer standby = other(leader);
        awaitStandingBy(standby, leader);
        Release release = startRelease("ghcr.io/stefanprodan/podinfo:6.0.1");

        // What a rolling update does to the old pod: SIGTERM, then the pod's grace period for its shutdown.
        long sigterm = System.nanoTime();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(leader.process()::close);
        awaitHolder(standby);
        Duration handover = Duration.ofNanos(System.nanoTime() - sigterm);
        System.out.printf(
                "handover: SIGTERM to %s until the Lease names %s: %d ms (issue's target %d ms; asserted limit %d ms)%n",
                leader.identity(),
                standby.identity(),
                handover.toMillis(),
                RETRY.plusSeconds(1).toMillis(),
                STANDBY_GAP.plusSeconds(1).toMillis());
        stopped.join();
        assertThat(leader.process().tail(200)).contains("released for a standby to take over");

        assertPromotedWithoutADoubleStep(release, leader, standby);
        assertThat(handover)
                .as("handover after SIGTERM (the standby's longest gap between attempts %s plus a second)", STANDBY_GAP)
                .isLessThan(STANDBY_GAP.plusSeconds(1));
    }

    @Test
    @Order(3)
    void aWedgedLeaderFailsItsLivenessIsKilledAndReplacedWithoutADoubleStep() throws Exception {
        Analyzer leader = leader();
        Analyzer standby = env.startAnalyzer();
        awaitStandingBy(standby, leader);
        Release release = startRelease("ghcr.io/stefanprodan/podinfo:6.0.3");

        Instant frozen = Instant.now();
        leader.process().freeze();
        Lease held = lease();
        Instant expires = held.getSpec()
                .getRenewTime()
                .plusSeconds(held.getSpec().getLeaseDurationSeconds())
                .toInstant();
        // The kubelet's liveness probe: every period, a GET with a timeout; after the threshold of failures in a row,
        // SIGKILL.
        int failures = 0;
        Instant nextProbe = Instant.now();
        while (failures < PROBE_FAILURES) {
            awaitInstant(nextProbe);
            nextProbe = nextProbe.plus(PROBE_PERIOD);
            failures = status(leader, "/healthz") == 200 ? 0 : failures + 1;
        }
        Instant killed = Instant.now();
        leader.process().kill();
        assertThat(lease().getSpec().getHolderIdentity())
                .as("a killed leader does not release its Lease")
                .isEqualTo(leader.identity());
        awaitHolder(standby);
        Instant takenOver = Instant.now();
        Duration limit = Duration.ofSeconds(held.getSpec().getLeaseDurationSeconds())
                .plus(STANDBY_GAP)
                .plusSeconds(1);
        System.out.printf(
                "handover: %s frozen (SIGSTOP); liveness failed %d times, SIGKILL after %d ms; the Lease named %s"
                        + " %d ms after the freeze, %d ms after the Lease ran out (limit since the freeze %d ms)%n",
                leader.identity(),
                PROBE_FAILURES,
                Duration.between(frozen, killed).toMillis(),
                standby.identity(),
                Duration.between(frozen, takenOver).toMillis(),
                Duration.between(expires, takenOver).toMillis(),
                limit.toMillis());

        assertPromotedWithoutADoubleStep(release, leader, standby);
        assertThat(Duration.between(frozen, takenOver))
                .as("takeover after the leader froze (lease duration plus the standby's longest gap plus a second)")
                .isLessThan(limit);
        assertThat(Duration.between(expires, takenOver))
                .as("takeover after the frozen leader's Lease ran out")
                .isLessThan(STANDBY_GAP.plusSeconds(1));
    }

    /** The step after which the tests stop the leader. */
    static final String FIRST_STEP = "Advance podinfo.test canary weight 30";

    /** A release started: the Event counts and the number of delegate weights before it, and its image. */
    record Release(Map<String, Integer> before, int weightsBefore, String image) {}

    /** Sets {@code image} on the target as a user does and waits until the leader has taken the first step. */
    static Release startRelease(String image) {
        Release release = new Release(counts(), WEIGHTS.size(), image);
        env.kubectl()
                .run("-n", SeedRun.NAMESPACE, "set", "image", "deployment/podinfo", "podinfod=" + image)
                .ok();
        awaitEvent(FIRST_STEP, release.before());
        return release;
    }

    /** The run ends promoted, the primary runs its image, and no step was taken twice across the handover. */
    static void assertPromotedWithoutADoubleStep(Release release, Analyzer oldLeader, Analyzer newLeader) {
        String phase = awaitRunEnd(Duration.ofMinutes(3));
        assertThat(phase).as("the run across the handover").isEqualTo("Succeeded");
        assertThat(SeedRun.primaryImage(env)).isEqualTo(release.image());
        assertNoDoubleStep(release.before(), release.weightsBefore(), oldLeader, newLeader, FIRST_STEP);
    }

    /**
     * The run's Events are the seed's promotion, each recorded exactly once more than before the run (a step taken
     * twice would raise its Event's count twice); the old leader decided up to {@code lastStepOfOld} and the new one
     * everything after it (their logs, and the writer of each Event this run created); the delegate's weights went
     * 30, 60, 0, with no step back.
     */
    static void assertNoDoubleStep(
            Map<String, Integer> before,
            int weightsBefore,
            Analyzer oldLeader,
            Analyzer newLeader,
            String lastStepOfOld) {
        // The status says Succeeded a moment before the last Event is written.
        awaitEvent(SeedRun.PROMOTION.get(SeedRun.PROMOTION.size() - 1), before);
        List<String> run = SeedRun.lastRunMessages(env);
        assertThat(run)
                .filteredOn(m -> !m.startsWith("Halt advancement no values found"))
                .containsExactlyElementsOf(SeedRun.PROMOTION);
        Map<String, Integer> after = counts();
        Map<String, String> writers = new HashMap<>();
        canaryEvents().forEach(e -> writers.put(SeedRun.message(e), e.getString("reportingInstance")));
        String oldLog = oldLeader.process().tail(Integer.MAX_VALUE);
        String newLog = newLeader.process().tail(Integer.MAX_VALUE);
        int split = SeedRun.PROMOTION.indexOf(lastStepOfOld);
        for (int i = 0; i < SeedRun.PROMOTION.size(); i++) {
            String m = SeedRun.PROMOTION.get(i);
            Analyzer decided = i <= split ? oldLeader : newLeader;
            assertThat(after.getOrDefault(m, 0) - before.getOrDefault(m, 0))
                    .as("times '%s' was recorded in this run", m)
                    .isEqualTo(1);
            assertThat(i <= split ? oldLog : newLog)
                    .as("the log of %s, which took the step", decided.identity())
                    .contains(m);
            if (i <= split) {
                assertThat(newLog)
                        .as("the log of %s, which took over after '%s'", newLeader.identity(), lastStepOfOld)
                        .doesNotContain(m);
            }
            if (!before.containsKey(m)) {
                // A new Event names its writer; a repeated one is only counted up, keeping its first writer.
                assertThat(writers.get(m))
                        .as("the analyzer that recorded '%s'", m)
                        .isEqualTo(decided.identity());
            }
        }
        List<Integer> weights = new ArrayList<>(WEIGHTS.subList(weightsBefore, WEIGHTS.size()));
        while (!weights.isEmpty() && weights.get(0) == 0) {
            weights.remove(0);
        }
        assertThat(weights)
                .as("the delegate's canary weights in this run (all: %s)", WEIGHTS)
                .containsExactly(30, 60, 0);
    }

    // ---------------------------------------------------------------------------------------------

    static Lease lease() {
        return env.admin()
                .leases()
                .inNamespace(Environment.SYSTEM_NAMESPACE)
                .withName(LEASE)
                .get();
    }

    /** The analyzer the Lease names, once it names one of them. */
    static Analyzer leader() {
        return Wait.until("an analyzer to hold the Lease", Duration.ofSeconds(90), () -> {
            env.checkAlive();
            Lease l = lease();
            String holder = l == null ? null : l.getSpec().getHolderIdentity();
            return env.analyzers().stream()
                    .filter(a -> a.identity().equals(holder) && a.process().alive())
                    .findFirst()
                    .orElse(null);
        });
    }

    static Analyzer other(Analyzer leader) {
        return env.analyzers().stream()
                .filter(a -> a != leader && a.process().alive())
                .findFirst()
                .orElseThrow();
    }

    static void awaitHolder(Analyzer next) {
        Wait.until("the Lease to name " + next.identity(), Duration.ofMinutes(2), () -> {
            Lease l = lease();
            return l != null && next.identity().equals(l.getSpec().getHolderIdentity());
        });
    }

    /** The standby has read the Lease (it logs who holds it) and answers its probes. */
    static void awaitStandingBy(Analyzer standby, Analyzer leader) {
        Wait.until(standby.identity() + " to stand by behind " + leader.identity(), Duration.ofSeconds(90), () -> {
            if (!standby.process().alive()) {
                throw new AssertionError(
                        standby.identity() + " exited:\n" + standby.process().tail(40));
            }
            // The log is JSON with the message's arguments apart: "lease {}/{} held by {}", [ns, name, holder].
            return standby.process()
                            .tail(400)
                            .lines()
                            .anyMatch(l -> l.contains("held by") && l.contains("\"" + leader.identity() + "\""))
                    && status(standby, "/readyz") == 200;
        });
    }

    static void awaitEvent(String message, Map<String, Integer> before) {
        Wait.until("'" + message + "'", Duration.ofSeconds(120), () -> {
            env.checkAlive();
            return counts().getOrDefault(message, 0) > before.getOrDefault(message, 0);
        });
    }

    static String awaitRunEnd(Duration timeout) {
        return Wait.until("the run to end", timeout, () -> {
            String phase = env.canary(SeedRun.NAMESPACE, SeedRun.CANARY)
                    .getJsonObject("status")
                    .getString("phase");
            return List.of("Succeeded", "Failed").contains(phase) ? phase : null;
        });
    }

    static void awaitInstant(Instant when) {
        Wait.until(
                "the next probe",
                Duration.between(Instant.now(), when).plusSeconds(1),
                () -> !Instant.now().isBefore(when));
    }

    /** The Canary's core Events (the ones the analyzer writes). */
    static List<JsonObject> canaryEvents() {
        return SeedRun.events(env).stream()
                .filter(e -> e.containsKey("involvedObject"))
                .toList();
    }

    /** How many times each message was recorded on the Canary (an Event's count, summed over Events). */
    static Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonObject e : canaryEvents()) {
            counts.merge(SeedRun.message(e), e.getInteger("count", 1), Integer::sum);
        }
        return counts;
    }

    /** The status of a GET on the analyzer's health server, or -1 when it does not answer within the probe timeout. */
    static int status(Analyzer a, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + path))
                                    .timeout(PROBE_TIMEOUT)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static final Pattern LEADER_GAUGE =
            Pattern.compile("^sluice_leader(?:\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

    /** The analyzer's {@code sluice_leader} gauge. */
    static double leaderGauge(Analyzer a) {
        try {
            String body = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = LEADER_GAUGE.matcher(body);
            assertThat(m.find())
                    .as("sluice_leader in the metrics of %s", a.identity())
                    .isTrue();
            return Double.parseDouble(m.group(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
