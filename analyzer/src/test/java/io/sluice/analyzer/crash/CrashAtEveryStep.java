package io.sluice.analyzer.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestInstance;

/**
 * What every crash point must leave, shared by {@link CrashAtEveryStepTest} (a subset, in {@code mvn test}) and
 * {@link CrashAtEveryStepIT} (every point, in {@code mvn verify}). See {@link CrashAtEveryStepTest} for what a step
 * is and why the assertions say what they say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CrashAtEveryStep {
    /** The mock web server logs every request it answers, thousands per scenario here; held so the level sticks. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger(MockWebServer.class.getName());

    private Vertx vertx;
    private CrashHarness harness;
    private final Map<String, CrashHarness.Run> references = new ConcurrentHashMap<>();

    @BeforeAll
    void startVertx() {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        vertx = Vertx.vertx();
        harness = new CrashHarness(vertx);
    }

    @AfterAll
    void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** The uninterrupted run, once per scenario. */
    CrashHarness.Run reference(Scenario scenario) {
        return references.computeIfAbsent(scenario.name(), n -> {
            CrashHarness.Run run = harness.run(scenario, null);
            assertThat(run.violations()).as("the uninterrupted run").isEmpty();
            assertThat(run.failures()).as("the uninterrupted run").isEmpty();
            return run;
        });
    }

    /**
     * One dynamic test per crash point of the scenario's reference run; with {@code subset}, only those of the
     * reconciles {@link CrashHarness.Run#distinctReleaseReconciles()} keeps.
     */
    Stream<DynamicTest> crashes(Scenario scenario, boolean subset) {
        CrashHarness.Run reference = reference(scenario);
        List<CrashHarness.CrashPoint> points = reference.crashPoints().stream()
                .filter(p -> !subset || reference.distinctReleaseReconciles().contains(p.reconcile()))
                .toList();
        assertThat(points).as("crash points of %s", scenario).isNotEmpty();
        return points.stream()
                .map(p -> DynamicTest.dynamicTest(
                        scenario + ": crash in " + p, () -> check(scenario, reference, harness.run(scenario, p), p)));
    }

    static void check(Scenario scenario, CrashHarness.Run reference, CrashHarness.Run crashed, Object point) {
        String where = scenario + ", crash in " + point;
        assertThat(crashed.violations())
                .as("%s: canary scaled to 0 while the delegate routes traffic to it", where)
                .isEmpty();
        assertThat(crashed.end()).as("%s: how the run ends", where).isEqualTo(reference.end());
        assertThat(crashed.routes())
                .as("%s: the delegate's routes, change by change (a repeated weight is a step taken twice)", where)
                .containsExactlyElementsOf(reference.routes());
        assertThat(crashed.steps())
                .as("%s: the status's steps, change by change", where)
                .containsExactlyElementsOf(reference.steps());
        for (int i = 1; i < crashed.steps().size(); i++) {
            CrashCluster.Step before = crashed.steps().get(i - 1);
            CrashCluster.Step after = crashed.steps().get(i);
            if ("Progressing".equals(before.phase()) && "Progressing".equals(after.phase())) {
                assertThat(Duration.between(
                                crashed.stepTimes().get(i - 1),
                                crashed.stepTimes().get(i)))
                        .as("%s: from %s to %s, one analysis interval at least", where, before, after)
                        .isGreaterThanOrEqualTo(CrashHarness.INTERVAL);
            }
        }
        Map<String, Long> advanced = counts(crashed.advances());
        Map<String, Long> once = counts(reference.advances());
        advanced.forEach((event, n) -> assertThat(n)
                .as("%s: times '%s' was emitted", where, event)
                .isLessThanOrEqualTo(once.getOrDefault(event, 0L)));
    }

    private static Map<String, Long> counts(List<String> events) {
        return events.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
