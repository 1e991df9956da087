package io.sluice.analyzer.crash;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Crash at every step (issue 13, first proof): for every reconcile of a seed run and every k below the number of
 * mutating API calls that reconcile makes in the uninterrupted run, the analyzer's first k calls of that reconcile
 * reach the API server and every later one of its writes fails; the instance is then thrown away and a fresh one (new
 * client, new informer caches, new reconciler, so no {@code ClusterView} write memory and no {@code EventRecorder}
 * counts) starts from what the server holds and drives the run to its end ({@link CrashHarness}). Whether the k-th
 * write's answer reached the old instance does not matter: it is discarded right after, so "k writes applied, then
 * gone" also covers a crash between a write and its response.
 *
 * <p>Each crash point must leave:
 *
 * <ul>
 *   <li><b>The same end</b> as the uninterrupted run: phase, primary image, target image and replicas (0 after a
 *       promotion or a rollback), the delegate's routes (100/0 to the primary) and its owners.
 *   <li><b>No step taken twice.</b> A <em>step</em> is one change of the run's position as the status records it,
 *       the tuple (phase, {@code canaryWeight}, {@code iterations}, {@code failedChecks}): a weight increase, an A/B or
 *       blue/green iteration, a failed check counted, a phase transition. The status records each step (a run goes on
 *       from the weights the delegate routes, except that a status one step ahead of them is a step whose route write
 *       was lost, routed from the status rather than taken again), so it is where a step is taken. The harness
 *       records, at the API server, every change of that tuple and every change of the delegate's routes, in order,
 *       and both sequences must equal the uninterrupted run's. That is stronger than "no repeat": a step taken twice
 *       shows as a value revisited (routes 70/30, 40/60, 70/30, 40/60 after a stale repair; weight 60 written twice
 *       around a regression) or an extra element (a failed check counted twice makes {@code failedChecks} skip its
 *       reconcile's count), and a lost or reordered step breaks the equality too. Nor is a step taken early: two
 *       successive steps of a Progressing run are written at least one {@code analysis.interval} apart by the run's
 *       clock, so a restarted instance waits out the interval the status started (its first reconcile is a first
 *       sight, which decides for itself whether the tick is due). On top, no {@code Advance …}
 *       Event is emitted more often than in the uninterrupted run; Events are not compared one for one, because a
 *       crash may legitimately lose one (the refused write is the Event).
 *   <li><b>No scale-down under traffic</b>: after every mutating request the server answers (either analyzer
 *       instance's, and the test's own as users and controllers), under the server's dispatch lock, the canary
 *       Deployment must not have {@code spec.replicas: 0} while any route of the delegate gives {@code podinfo-canary}
 *       a non-zero weight.
 * </ul>
 *
 * <p>Reconciles follow each other without timers or sleeps: the harness calls the reconciler the way the work queue
 * would (a watch event after a reconcile that wrote, an analysis tick with the clock moved one interval after a quiet
 * one) and waits, before each, until the informer caches hold what the server holds.
 *
 * <p>This class, in {@code mvn test}, takes the seed promotion and the seed rollback after the new image was set, every
 * crash point of one reconcile of each shape of writes ({@link CrashHarness.Run#distinctReleaseReconciles()}: the
 * rollback's later failed checks write like the earlier ones and are left out): 20 and 17 points, 25 to 45 s here.
 * {@link CrashAtEveryStepIT}, in {@code mvn verify}, takes every crash point, bootstrap included, of promotion (29),
 * rollback (32), both again with the test playing Gloo Mesh so that steps and the scale-down also wait for its
 * acceptance (29, 32), A/B (30), blue/green (32) and a deletion with {@code revertOnDeletion} at weight 30 (24): 208
 * points, one and a half to three minutes on two cores, depending on the machine's load.
 *
 * <p>Seam: {@code Reconciler} and {@code Caches} are package-private in {@code io.sluice.analyzer}, so
 * {@link AnalyzerPod} reaches them by reflection. A public test entry (for instance a {@code Controller} taking its
 * work queue's timers, or a public factory for a reconciler over a client and caches) would remove that.
 */
class CrashAtEveryStepTest extends CrashAtEveryStep {
    @TestFactory
    Stream<DynamicTest> promotion() {
        return crashes(Scenario.promotion(), true);
    }

    @TestFactory
    Stream<DynamicTest> rollback() {
        return crashes(Scenario.rollback(), true);
    }
}
