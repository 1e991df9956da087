package io.sluice.analyzer.crash;

import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Scenario} against a fresh mock API server, without a crash (the reference) or with one: at reconcile
 * {@code r} of the run the analyzer's first {@code k} writes go through and every later write of that instance fails;
 * the instance is then discarded and a new one (new client, caches, reconciler) continues from what the server holds,
 * its first reconcile a first sight ({@code due == null}) as after a pod restart.
 *
 * <p>How reconciles follow each other, the way the controller's work queue orders them: after a reconcile that wrote
 * something or failed, a watch event (the clock moves 50 ms, {@code due == false}); after a quiet one, the next
 * analysis tick (the clock moves one {@code analysis.interval}, {@code due == true}). After each reconcile the test
 * plays the Deployment controller, the garbage collector and, when the scenario says so, Gloo Mesh.
 */
final class CrashHarness {
    static final Duration INTERVAL = Duration.ofSeconds(20);
    static final Duration WATCH_EVENT = Duration.ofMillis(50);
    static final Instant START = Instant.parse("2026-05-17T08:09:51Z");
    /** A run that has not ended after this many reconciles is stuck. */
    static final int MAX_RECONCILES = 80;

    private final Vertx vertx;

    CrashHarness(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Where the crash happens: reconcile {@code reconcile} (0-based, counted over the run) after {@code k} writes. */
    record CrashPoint(int reconcile, int k) {
        @Override
        public String toString() {
            return "reconcile " + reconcile + " after " + k + " write(s)";
        }
    }

    /**
     * What a run left.
     *
     * @param writes     per reconcile, the analyzer's mutating API calls as {@code METHOD path} (refused ones
     *                   included)
     * @param routes     the delegate's routes after each change
     * @param steps      the Canary's step after each change
     * @param stepTimes  when each of {@code steps} was written, by the run's clock
     * @param violations every moment the canary had 0 replicas while the delegate sent it traffic
     * @param end        the cluster at the end (phase, images, replicas, routes)
     * @param advances   the {@code Advance … canary weight} and iteration Events emitted, in order
     * @param failures   the reconciles that failed, for the diagnosis
     * @param released   the first reconcile after the user set the new image (the bootstrap comes before it)
     */
    record Run(
            List<List<String>> writes,
            List<String> routes,
            List<CrashCluster.Step> steps,
            List<Instant> stepTimes,
            List<String> violations,
            String end,
            List<String> advances,
            List<String> failures,
            int released) {

        /**
         * One reconcile of each shape of writes after the release: the first reconcile (from {@link #released}) whose
         * sequence of {@code METHOD path} was not seen before; later reconciles that write the same objects the same
         * way (another failed check, another iteration) are left out.
         */
        List<Integer> distinctReleaseReconciles() {
            List<Integer> out = new ArrayList<>();
            java.util.Set<List<String>> seen = new java.util.HashSet<>();
            for (int r = released; r < writes.size(); r++) {
                if (!writes.get(r).isEmpty() && seen.add(writes.get(r))) {
                    out.add(r);
                }
            }
            return out;
        }

        /** Every crash point of this (reference) run: every reconcile, every k below its number of writes. */
        List<CrashPoint> crashPoints() {
            List<CrashPoint> out = new ArrayList<>();
            for (int r = 0; r < writes.size(); r++) {
                for (int k = 0; k < writes.get(r).size(); k++) {
                    out.add(new CrashPoint(r, k));
                }
            }
            return out;
        }
    }

    Run run(Scenario scenario, CrashPoint crash) {
        try (CrashCluster cluster = new CrashCluster().seed(scenario.canary())) {
            return run(scenario, crash, cluster);
        }
    }

    private Run run(Scenario scenario, CrashPoint crash, CrashCluster cluster) {
        FixedGates gates = new FixedGates();
        MutableClock clock = new MutableClock(START);
        cluster.clock(clock);
        List<List<String>> writes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int released = -1;
        int instance = 1;
        AnalyzerPod pod = new AnalyzerPod(instance, cluster, vertx, gates, clock);
        try {
            Boolean due = null;
            int stage = 0;
            for (int r = 0; ; r++) {
                if (r == MAX_RECONCILES) {
                    throw new AssertionError(scenario + (crash == null ? "" : " crashed at " + crash)
                            + ": not ended after " + r + " reconciles, waiting for "
                            + scenario.stages().get(stage).goal() + "; steps " + cluster.stepHistory()
                            + "; routes " + cluster.routeHistory() + "; failures " + failures);
                }
                boolean crashes = crash != null && crash.reconcile() == r;
                if (crashes) {
                    cluster.crashAfter(pod.id, crash.k());
                }
                pod.awaitCaches(cluster);
                int before = cluster.analyzerWrites().size();
                Throwable failed = pod.reconcile(due);
                List<String> all = cluster.analyzerWrites();
                int wrote = all.size() - before;
                writes.add(all.subList(before, all.size()));
                if (failed != null) {
                    failures.add("reconcile " + r + " of instance " + pod.id + ": " + failed);
                }
                cluster.settle();
                cluster.collectGarbage();
                if (scenario.glooMesh()) {
                    cluster.acceptRoutes();
                }
                if (crashes) {
                    if (cluster.refused() == 0) {
                        throw new AssertionError(
                                scenario + ": the crash at " + crash + " was never reached (" + wrote + " writes)");
                    }
                    pod.close();
                    pod = new AnalyzerPod(++instance, cluster, vertx, gates, clock);
                    due = null;
                    clock.advance(WATCH_EVENT);
                } else if (wrote > 0 || failed != null) {
                    due = false;
                    clock.advance(WATCH_EVENT);
                } else if (scenario.stages().get(stage).reached().test(cluster)) {
                    if (stage == scenario.stages().size() - 1) {
                        break;
                    }
                    scenario.stages().get(stage++).then().accept(cluster, gates);
                    if (released < 0) {
                        released = r + 1;
                    }
                    due = false;
                    clock.advance(WATCH_EVENT);
                } else {
                    due = true;
                    clock.advance(INTERVAL);
                }
            }
        } finally {
            pod.close();
        }
        return new Run(
                writes,
                cluster.routeHistory(),
                cluster.stepHistory(),
                cluster.stepTimes(),
                cluster.violations(),
                end(cluster),
                gates.events.stream()
                        .filter(e -> e.startsWith("Normal Advance"))
                        .toList(),
                failures,
                released);
    }

    /** The cluster as a run leaves it, in one line. */
    static String end(CrashCluster cluster) {
        Canary canary = cluster.canary();
        RouteTable delegate = cluster.delegate();
        return "phase " + (canary == null ? "(Canary gone)" : canary.getStatus().phase)
                + "; primary " + image(cluster, "podinfo-primary")
                + "; target " + image(cluster, CrashCluster.TARGET) + " x" + Scenario.replicas(cluster, "podinfo")
                + "; routes " + CrashCluster.routes(delegate)
                + "; delegate owners "
                + (delegate == null || delegate.getMetadata().getOwnerReferences() == null
                        ? "-"
                        : delegate.getMetadata().getOwnerReferences().size());
    }

    private static String image(CrashCluster cluster, String deployment) {
        var d = cluster.deployment(deployment);
        return d == null
                ? "(gone)"
                : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
