package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The concurrency budget: who may start, and the queue's order, all from the Canaries' statuses. */
class ProgressBudgetTest {

    static CanaryStatus status(String phase, String queuedSince) {
        CanaryStatus s = new CanaryStatus();
        s.phase = phase;
        if (queuedSince != null) {
            CanaryCondition c = new CanaryCondition();
            c.type = ProgressBudget.QUEUED_CONDITION;
            c.status = "True";
            c.lastTransitionTime = queuedSince;
            s.conditions = new ArrayList<>(List.of(c));
        }
        return s;
    }

    static ProgressBudget.Entry entry(String key, String phase, String queuedSince) {
        return ProgressBudget.Entry.of(key, status(phase, queuedSince));
    }

    /** Two runs in progress (cap 2), three waiters: c queued first, then a and b at the same second. */
    static List<ProgressBudget.Entry> fullQueue() {
        return List.of(
                entry("x/run-1", "Progressing", null),
                entry("y/run-2", "Finalising", null),
                entry("x/a", "Waiting", "2026-01-01T00:02:00Z"),
                entry("x/b", "Waiting", "2026-01-01T00:02:00Z"),
                entry("y/c", "Waiting", "2026-01-01T00:01:00Z"),
                entry("y/idle", "Succeeded", null),
                entry("y/approval", "Waiting", null));
    }

    static int place(String self, List<ProgressBudget.Entry> all, int max) {
        ProgressBudget.Entry me = all.stream()
                .filter(e -> e.key().equals(self))
                .findFirst()
                .orElse(new ProgressBudget.Entry(self, false, null));
        return ProgressBudget.standing(
                        self,
                        me.queuedSince(),
                        all.stream().filter(e -> !e.key().equals(self)).toList(),
                        max)
                .place();
    }

    @Test
    @DisplayName("the queue goes oldest first, ties by namespace/name; a newcomer joins at the end")
    void order() {
        List<ProgressBudget.Entry> q = fullQueue();
        assertThat(List.of(place("y/c", q, 2), place("x/a", q, 2), place("x/b", q, 2), place("z/new", q, 2)))
                .containsExactly(1, 2, 3, 4);
        ProgressBudget.Standing s = ProgressBudget.standing("z/new", null, q, 2);
        assertThat(List.of(s.running(), s.max())).containsExactly(2, 2);
    }

    @Test
    @DisplayName("a freed slot goes to the oldest waiter only; with no cap everybody starts")
    void freedSlot() {
        List<ProgressBudget.Entry> q = new ArrayList<>(fullQueue());
        q.set(1, entry("y/run-2", "Succeeded", null));
        assertThat(place("y/c", q, 2)).isZero();
        assertThat(place("x/a", q, 2)).isEqualTo(2);
        assertThat(place("x/a", q, 3)).as("two free slots").isZero();
        assertThat(place("x/b", q, 3)).isEqualTo(3);
        assertThat(place("x/b", q, 0)).as("0: no limit").isZero();
    }

    @Test
    @DisplayName("a deleted waiter leaves the queue: those behind it move up")
    void deletedWaiter() {
        List<ProgressBudget.Entry> q = new ArrayList<>(fullQueue());
        q.removeIf(e -> e.key().equals("y/c"));
        assertThat(List.of(place("x/a", q, 2), place("x/b", q, 2))).containsExactly(1, 2);
        q.set(0, entry("x/run-1", "Failed", null));
        assertThat(place("x/a", q, 2)).isZero();
    }

    @Test
    @DisplayName("after a restart the queue is the same: it is read from the statuses alone")
    void restart() {
        List<ProgressBudget.Entry> before = fullQueue();
        List<ProgressBudget.Entry> after = before.stream()
                .map(e -> ProgressBudget.Entry.of(
                        e.key(), status(e.running() ? "Progressing" : "Waiting", e.queuedSince())))
                .toList();
        for (String k : List.of("y/c", "x/a", "x/b", "z/new")) {
            assertThat(place(k, after, 2)).as(k).isEqualTo(place(k, before, 2));
        }
    }

    @Test
    @DisplayName("a Queued condition counts only while the Canary is in Waiting")
    void queuedOnlyInWaiting() {
        assertThat(entry("x/a", "Progressing", "2026-01-01T00:02:00Z").queuedSince())
                .isNull();
        assertThat(entry("x/a", "Waiting", "2026-01-01T00:02:00Z").queuedSince())
                .isEqualTo("2026-01-01T00:02:00Z");
    }

    @Test
    @DisplayName("a new revision beyond the cap waits in Waiting with its place, and starts once a slot frees,"
            + " without waiting for its next tick")
    void waitsThenStarts() {
        World w = new World().initialized();
        w.standing = new ProgressBudget.Standing(2, 3, 3);
        w.newRevision("rev-2").event();
        String text =
                "Waiting for a free slot of the cluster: 3 canaries progressing, at most 3 (--max-progressing-canaries);"
                        + " place 2 in the cluster's queue";
        assertThat(w.phase()).isEqualTo("Waiting");
        assertThat(w.events).containsExactly("Normal " + text);
        assertThat(w.target.specReplicas()).as("not scaled up").isZero();
        CanaryCondition queued = CanaryDeciderTest.condition(w, ProgressBudget.QUEUED_CONDITION);
        assertThat(List.of(queued.status, queued.message)).containsExactly("True", text);
        String joined = queued.lastTransitionTime;

        w.standing = new ProgressBudget.Standing(1, 3, 3);
        w.tick();
        w.tick();
        queued = CanaryDeciderTest.condition(w, ProgressBudget.QUEUED_CONDITION);
        assertThat(queued.message).endsWith("place 1 in the cluster's queue");
        assertThat(queued.lastTransitionTime)
                .as("the time it joined the queue stays")
                .isEqualTo(joined);
        assertThat(w.events).hasSize(1);

        w.standing = ProgressBudget.Standing.FREE;
        w.event();
        assertThat(w.phase()).isEqualTo("Progressing");
        assertThat(w.events).last().isEqualTo("Normal New revision detected! Scaling up podinfo.test");
        assertThat(CanaryDeciderTest.condition(w, ProgressBudget.QUEUED_CONDITION))
                .isNull();
        assertThat(w.target.specReplicas()).isEqualTo(2);
    }

    @Test
    @DisplayName("a Canary waiting for approval, not for a slot, still starts only at its tick")
    void approvalWaitIsNotAQueue() {
        World w = new World();
        w.spec.analysis.webhooks.add(World.hook("gate", "confirm-rollout"));
        w.hooks = h -> new HookOutcome(h.name, !h.name.equals("gate"), 403, "denied");
        w.initialized().newRevision("rev-2").event();
        assertThat(w.phase()).isEqualTo("Waiting");
        w.hooks = h -> new HookOutcome(h.name, true, 200, null);
        w.event();
        assertThat(w.phase()).isEqualTo("Waiting");
        assertThat(CanaryDeciderTest.condition(w, ProgressBudget.QUEUED_CONDITION))
                .isNull();
        w.tick();
        assertThat(w.phase()).isEqualTo("Progressing");
    }

    static ProgressBudget.Standing standing(String self, List<ProgressBudget.Entry> all, ProgressBudget.Caps caps) {
        ProgressBudget.Entry me = all.stream()
                .filter(e -> e.key().equals(self))
                .findFirst()
                .orElse(new ProgressBudget.Entry(self, false, null));
        return ProgressBudget.standing(
                self,
                me.queuedSince(),
                all.stream().filter(e -> !e.key().equals(self)).toList(),
                caps);
    }

    static ProgressBudget.Caps caps(int cluster, String ns, int cap) {
        return new ProgressBudget.Caps(cluster, java.util.Map.of(ns, cap));
    }

    @Test
    @DisplayName("a namespace's cap holds its own Canaries, with their place in the namespace's queue; other"
            + " namespaces are not held by it")
    void namespaceCap() {
        List<ProgressBudget.Entry> q = List.of(
                entry("x/run-1", "Progressing", null),
                entry("x/a", "Waiting", "2026-01-01T00:02:00Z"),
                entry("y/run-2", "Progressing", null));
        ProgressBudget.Standing s = standing("x/b", q, caps(0, "x", 1));
        assertThat(s).isEqualTo(new ProgressBudget.Standing(2, 1, 1, ProgressBudget.Scope.NAMESPACE, "x"));
        assertThat(standing("x/a", q, caps(0, "x", 1)).place()).isEqualTo(1);
        assertThat(standing("x/a", q, caps(0, "x", 2)).mayStart()).isTrue();
        assertThat(standing("y/new", q, caps(0, "x", 1)).mayStart())
                .as("y has no cap")
                .isTrue();
        assertThat(standing("x/b", q, ProgressBudget.Caps.NONE).mayStart()).isTrue();
    }

    @Test
    @DisplayName("with both caps, a Canary starts only when both have room; the one it waits for is named,"
            + " the namespace's first")
    void bothCaps() {
        List<ProgressBudget.Entry> q =
                List.of(entry("x/run-1", "Progressing", null), entry("y/run-2", "Progressing", null));
        assertThat(standing("x/new", q, caps(2, "x", 1)))
                .isEqualTo(new ProgressBudget.Standing(1, 1, 1, ProgressBudget.Scope.NAMESPACE, "x"));
        assertThat(standing("x/new", q, caps(2, "x", 2)))
                .isEqualTo(new ProgressBudget.Standing(1, 2, 2, ProgressBudget.Scope.CLUSTER, null));
        assertThat(standing("x/new", q, caps(3, "x", 2)).mayStart()).isTrue();
    }

    @Test
    @DisplayName("a waiter its own namespace holds keeps no place in the cluster's queue: the others go past it")
    void namespaceHeldWaiterIsSkipped() {
        // Cluster cap 2, one run in x (x's cap 1) and nothing else: x/old waits for x, not for the cluster.
        List<ProgressBudget.Entry> q =
                List.of(entry("x/run-1", "Progressing", null), entry("x/old", "Waiting", "2026-01-01T00:01:00Z"));
        assertThat(standing("y/new", q, caps(2, "x", 1)).mayStart())
                .as("the free cluster slot is not kept for x/old")
                .isTrue();
        assertThat(standing("y/new", q, new ProgressBudget.Caps(2, java.util.Map.of()))
                        .place())
                .as("without x's cap, x/old is first in line for the cluster's slot")
                .isEqualTo(2);
        // A waiter its namespace lets through does hold its place in the cluster's queue.
        List<ProgressBudget.Entry> r = List.of(
                entry("x/run-1", "Progressing", null),
                entry("y/run-2", "Progressing", null),
                entry("x/old", "Waiting", "2026-01-01T00:01:00Z"));
        assertThat(standing("y/new", r, caps(2, "x", 2)))
                .isEqualTo(new ProgressBudget.Standing(2, 2, 2, ProgressBudget.Scope.CLUSTER, null));
        assertThat(standing("y/new", r, caps(2, "x", 1)).place())
                .as("x/old is held by x")
                .isEqualTo(1);
    }

    @Test
    @DisplayName("a paused waiter (spec.suspend or a runtime pause) holds no place in either queue")
    void pausedWaiterHoldsNoPlace() {
        ProgressBudget.Entry suspended =
                ProgressBudget.Entry.of("x/old", true, status("Waiting", "2026-01-01T00:01:00Z"));
        CanaryStatus pausedStatus = status("Waiting", "2026-01-01T00:01:00Z");
        pausedStatus.lastAppliedSpec = "rev-1";
        pausedStatus.request = new CanaryStatus.RecordedRequest();
        pausedStatus.request.uid = "u1";
        pausedStatus.request.action = "pause";
        pausedStatus.request.revision = "rev-1";
        pausedStatus.requestHandled = new CanaryStatus.HandledRequest();
        pausedStatus.requestHandled.uid = "u1";
        pausedStatus.requestHandled.outcome = "done";
        ProgressBudget.Entry paused = ProgressBudget.Entry.of("x/old", false, pausedStatus);
        assertThat(List.of(suspended.paused(), paused.paused())).containsExactly(true, true);
        for (ProgressBudget.Entry waiter : List.of(suspended, paused)) {
            List<ProgressBudget.Entry> q = List.of(entry("y/run", "Progressing", null), waiter);
            assertThat(standing("x/new", q, caps(2, "x", 1)).mayStart()).isTrue();
        }
        List<ProgressBudget.Entry> q =
                List.of(entry("y/run", "Progressing", null), entry("x/old", "Waiting", "2026-01-01T00:01:00Z"));
        assertThat(standing("x/new", q, caps(2, "x", 1)).place())
                .as("not paused: it is ahead")
                .isEqualTo(2);
    }

    @Test
    @DisplayName("a namespace's cap is a non-negative integer; anything else is no cap")
    void parseCap() {
        assertThat(ProgressBudget.parseCap("3")).isEqualTo(3);
        assertThat(ProgressBudget.parseCap(" 0 ")).isZero();
        for (String bad : new String[] {"-1", "two", "", "1.5", "99999999999", "+2"}) {
            assertThat(ProgressBudget.parseCap(bad)).as(bad).isNull();
        }
    }

    @Test
    @DisplayName("a Canary its namespace holds waits with a message naming the namespace's budget and its place")
    void namespaceMessage() {
        World w = new World().initialized();
        w.standing = new ProgressBudget.Standing(1, 2, 2, ProgressBudget.Scope.NAMESPACE, "test");
        w.newRevision("rev-2").event();
        assertThat(w.phase()).isEqualTo("Waiting");
        assertThat(CanaryDeciderTest.condition(w, ProgressBudget.QUEUED_CONDITION).message)
                .isEqualTo("Waiting for a free slot of namespace test: 2 canaries progressing in it, at most 2"
                        + " (sluice.io/max-progressing-canaries on the namespace); place 1 in the namespace's queue");
    }
}
