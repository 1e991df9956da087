package io.sluice.analyzer.crash;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.HttpMatch;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A seed run: the Canary as the scenario changes it, its stages, and whether the test plays Gloo Mesh. The harness drives reconciles until the cluster
 * is quiet (a reconcile wrote nothing) and the current stage's goal holds, then does what the stage does next (a user
 * sets an image, deletes the Canary); the last stage ends the run.
 */
record Scenario(String name, UnaryOperator<Canary> canary, List<Stage> stages, boolean glooMesh) {

    Scenario(String name, UnaryOperator<Canary> canary, List<Stage> stages) {
        this(name, canary, stages, false);
    }

    /**
     * The same run with the test playing Gloo Mesh, which accepts every generation of the delegate after each
     * reconcile: steps and the canary's scale-down then also wait for that acceptance.
     */
    Scenario withGlooMesh() {
        return new Scenario(name + ", Gloo Mesh accepting", canary, stages, true);
    }

    /** A goal the run must reach, and what the outside world does once it did (nothing for the last stage). */
    record Stage(String goal, Predicate<CrashCluster> reached, BiConsumer<CrashCluster, FixedGates> then) {}

    @Override
    public String toString() {
        return name;
    }

    static Stage initializedThenSetImage(String version, String failingMetric) {
        return new Stage(
                "Initialized", c -> phase(c, "Initialized") && replicas(c, CrashCluster.TARGET) == 0, (c, gates) -> {
                    gates.failing = failingMetric;
                    c.setImage(version);
                });
    }

    static Stage ended(String phase) {
        return new Stage(
                phase + ", canary scaled to 0",
                c -> phase(c, phase) && replicas(c, CrashCluster.TARGET) == 0,
                (c, gates) -> {});
    }

    /** The seed: promoted through 30 and 60. */
    static Scenario promotion() {
        return new Scenario("promotion", c -> c, List.of(initializedThenSetImage("6.0.1", null), ended("Succeeded")));
    }

    /** The seed with a failing success rate: five failed checks at weight 30, then the rollback. */
    static Scenario rollback() {
        return new Scenario(
                "rollback", c -> c, List.of(initializedThenSetImage("6.0.2", "request-success-rate"), ended("Failed")));
    }

    /** A/B: three iterations for the requests that match a header, no weights. */
    static Scenario abTesting() {
        return new Scenario(
                "A/B",
                c -> {
                    HttpMatch m = new HttpMatch();
                    m.headers = Map.of("x-canary", HttpMatch.StringMatch.exact("insider"));
                    iterations(c).getSpec().analysis.match = List.of(m);
                    return c;
                },
                List.of(initializedThenSetImage("6.0.1", null), ended("Succeeded")));
    }

    /** Three iterations instead of weights. */
    private static Canary iterations(Canary c) {
        var a = c.getSpec().analysis;
        a.stepWeight = null;
        a.maxWeight = null;
        a.iterations = 3;
        return c;
    }

    /** Blue/green: three iterations without weights or match, then the switch. */
    static Scenario blueGreen() {
        return new Scenario(
                "blue/green",
                Scenario::iterations,
                List.of(initializedThenSetImage("6.0.1", null), ended("Succeeded")));
    }

    /**
     * {@code revertOnDeletion: true}: a run reaches weight 30, then the Canary is deleted; the run ends when the
     * finalizer let it go.
     */
    static Scenario deletion() {
        return new Scenario(
                "deletion",
                c -> {
                    c.getSpec().revertOnDeletion = true;
                    return c;
                },
                List.of(
                        initializedThenSetImage("6.0.1", null),
                        new Stage(
                                "Progressing at weight 30",
                                c -> phase(c, "Progressing") && CrashCluster.canaryWeight(c.delegate()) == 30,
                                (c, gates) -> c.client
                                        .resources(Canary.class)
                                        .inNamespace(CrashCluster.NS)
                                        .withName(CrashCluster.TARGET)
                                        .delete()),
                        new Stage("the Canary is gone", c -> c.canary() == null, (c, gates) -> {})));
    }

    static boolean phase(CrashCluster c, String phase) {
        Canary canary = c.canary();
        return canary != null && canary.getStatus() != null && phase.equals(canary.getStatus().phase);
    }

    static int replicas(CrashCluster c, String deployment) {
        var d = c.deployment(deployment);
        return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
    }
}
