package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.TolerantSerialization;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three analyzer replicas with three shards on one mock API server, each with its own client, Vert.x, informers and
 * Leases, as three pods. The Leases are short (4 s, renew deadline 2 s, retry 200 ms) so that a shard moves within
 * the test; the Canaries analyse as often as allowed (every 10 s) without checks, so a run is five steps of 10 up to 50,
 * then the promotion.
 */
class ShardingTest {
    static final int SHARDS = 3;
    static final String NS = "apps";
    /** The Canaries' analysis interval: one step each. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** The weights of a run's steps, as {@link Fleet}'s Canary spec gives them: stepWeight 10 up to maxWeight 50. */
    static final List<Integer> STEPS = List.of(10, 20, 30, 40, 50);
    /** A step's Event, {@code Advance <name>.<namespace> canary weight <w>}. */
    static final Pattern STEP = Pattern.compile("Advance \\S+ canary weight (\\d+)");

    MockCluster cluster;
    Fleet fleet;
    final List<Replica> replicas = new ArrayList<>();
    /** Every status of every Canary the API server sent to the test's own watch, in order, by Canary name. */
    final Map<String, List<CanaryStatus>> history = new java.util.concurrent.ConcurrentHashMap<>();

    SharedIndexInformer<Canary> watch;

    /** Which replica acted on which Canary, in order: {@code replica key}. */
    final List<String[]> handled = new CopyOnWriteArrayList<>();

    final class Replica {
        final String id;
        final KubernetesClient client;
        final Vertx vertx = Vertx.vertx();
        final ShardLeases leases;
        final Controller controller;

        Replica(String id) throws Exception {
            this.id = id;
            this.client = new KubernetesClientBuilder()
                    .withConfig(cluster.client.getConfiguration())
                    .withKubernetesSerialization(TolerantSerialization.create())
                    .build();
            Kube.register(client);
            TestGates gates = new TestGates();
            Settings d = Settings.defaults();
            Settings settings = new Settings(
                    d.selectorLabels(),
                    d.includeLabelPrefixes(),
                    d.configTracking(),
                    d.waitForRouteAcceptance(),
                    d.noDataPolicy(),
                    d.noDataDeadline(),
                    d.resync(),
                    Duration.ofSeconds(1),
                    id,
                    d.kubeQps(),
                    d.kubeBurst(),
                    d.maxProgressingCanaries(),
                    d.maxTicksPerSecond(),
                    d.maxConcurrentReconciles(),
                    d.noCrossNamespaceRefs());
            leases = new ShardLeases(
                    client,
                    new ShardLeases.Config(
                            "sluice-system",
                            "sluice-analyzer-leader",
                            id,
                            SHARDS,
                            3,
                            Duration.ofSeconds(4),
                            Duration.ofSeconds(2),
                            Duration.ofMillis(200)),
                    Clock.systemUTC(),
                    new ShardLeases.Listener() {
                        @Override
                        public void gained(int shard) {
                            Replica.this.controller().reclaim(key -> Shards.of(key, SHARDS) == shard);
                        }

                        @Override
                        public void lost(int shard) {}
                    });
            controller = new Controller(
                            client, settings, null, gates, gates, gates, Clock.systemUTC(), leases::holdsAny)
                    .owns(leases::holdsKey)
                    .keeps(leases::cachesKey)
                    .listener(new ReconcileListener() {
                        @Override
                        public void reconciled(Canary c, CanaryStatus before, CanaryStatus after, Duration took) {
                            handled.add(new String[] {id, Controller.key(c)});
                        }

                        @Override
                        public void failed(String key, Throwable error, Duration took) {}

                        @Override
                        public void forgotten(String key) {}
                    });
            await(vertx.deployVerticle(controller));
            leases.start();
        }

        Controller controller() {
            return controller;
        }

        Set<Integer> shards() {
            Set<Integer> held = new java.util.TreeSet<>();
            for (int i = 0; i < SHARDS; i++) {
                if (leases.holds(i)) {
                    held.add(i);
                }
            }
            return held;
        }

        void close() throws Exception {
            leases.stop();
            controller.stopInformers();
            client.close();
            await(vertx.close());
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        fleet = new Fleet(cluster);
        watch = cluster.client.resources(Canary.class).inNamespace(NS).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Canary c) {
                record(c);
            }

            @Override
            public void onUpdate(Canary before, Canary after) {
                record(after);
            }

            @Override
            public void onDelete(Canary c, boolean unknown) {}
        });
        for (String id : List.of("replica-a", "replica-b", "replica-c")) {
            replicas.add(new Replica(id));
        }
    }

    void record(Canary c) {
        if (c.getStatus() != null) {
            history.computeIfAbsent(c.getMetadata().getName(), k -> new CopyOnWriteArrayList<>())
                    .add(c.getStatus());
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Replica r : replicas) {
            r.close();
        }
        watch.stop();
        cluster.close();
    }

    /** Plays the Deployment controller until {@code condition} holds; fails after two minutes. */
    void settleUntil(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(() -> what + "; " + state()).isLessThan(end);
            fleet.settle();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Who holds which shard, and where each Canary stands: said when a wait fails. */
    String state() {
        StringBuilder b = new StringBuilder();
        replicas.forEach(
                r -> b.append(r.id).append(" holds ").append(r.shards()).append("; "));
        cluster.client
                .resources(Canary.class)
                .inNamespace(NS)
                .list()
                .getItems()
                .forEach(c -> b.append(c.getMetadata().getName())
                        .append(" (shard ")
                        .append(Shards.of(NS, c.getMetadata().getName(), SHARDS))
                        .append(") ")
                        .append(c.getStatus() == null ? "-" : c.getStatus().phase + " " + c.getStatus().canaryWeight)
                        .append("; "));
        return b.toString();
    }

    /** Two Canaries in each shard. */
    List<String> canaries() {
        Map<Integer, List<String>> byShard = new HashMap<>();
        for (int i = 0; byShard.values().stream().mapToInt(List::size).sum() < 2 * SHARDS; i++) {
            String name = "app-" + i;
            List<String> in = byShard.computeIfAbsent(Shards.of(NS, name, SHARDS), k -> new ArrayList<>());
            if (in.size() < 2) {
                in.add(name);
            }
        }
        return byShard.values().stream().flatMap(List::stream).sorted().toList();
    }

    Replica holderOf(String name) {
        int shard = Shards.of(NS, name, SHARDS);
        return replicas.stream()
                .filter(r -> r.leases.holds(shard))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no replica holds shard " + shard));
    }

    Map<String, Set<String>> handlersSince(int from) {
        return handled.subList(from, handled.size()).stream()
                .collect(Collectors.groupingBy(h -> h[1], Collectors.mapping(h -> h[0], Collectors.toSet())));
    }

    @Test
    @DisplayName("three replicas take one shard each; every Canary is handled by its shard's holder alone; a replica"
            + " cut off mid-run stops at once and its Canaries reach their last step on the others without a step going back or"
            + " taken twice")
    void threeReplicas() {
        settleUntil(
                "each replica holds one shard",
                () -> replicas.stream().allMatch(r -> r.shards().size() == 1));
        assertThat(replicas.stream().flatMap(r -> r.shards().stream()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(0, 1, 2);

        List<String> names = canaries();
        names.forEach(n -> fleet.create(NS, n, INTERVAL.toSeconds() + "s"));
        settleUntil(
                "every Canary Initialized",
                () -> names.stream().allMatch(n -> fleet.phase(NS, n).equals("Initialized")));
        // Each replica keeps the Deployments and Services of its own shard's Canaries only, once the shards it held
        // on its way up are two lease durations behind it.
        settleUntil(
                "each replica keeps its own shard only",
                () -> replicas.stream()
                        .allMatch(r ->
                                names.stream().allMatch(n -> r.leases.cachesKey(NS + "/" + n) == (holderOf(n) == r))));
        for (Replica r : replicas) {
            Caches caches = r.controller().caches();
            caches.sweep();
            for (String n : names) {
                boolean own = holderOf(n) == r;
                for (String d : List.of(n, n + "-primary")) {
                    assertThat(caches.deploymentText(NS, d) != null)
                            .as("%s holds Deployment %s (shard %d)", r.id, d, Shards.of(NS, n, SHARDS))
                            .isEqualTo(own);
                }
                for (String svc : List.of(n, n + "-canary", n + "-primary")) {

                    assertThat(caches.serviceText(NS, svc) != null)
                            .as("%s holds Service %s (shard %d)", r.id, svc, Shards.of(NS, n, SHARDS))
                            .isEqualTo(own);
                }
            }
        }
        names.forEach(n -> fleet.setImage(NS, n, "2"));
        settleUntil(
                "every Canary past its first step",
                () -> names.stream()
                        .allMatch(n -> fleet.canary(NS, n).getStatus().canaryWeight >= 10
                                || !Set.of("Initialized", "Progressing").contains(fleet.phase(NS, n))));
        // A step's Event is written after its status, and a fence that drops in between refuses it: with every first
        // step's Event written, the replicas are an interval away from their next step, and the cut below falls
        // between two steps, as the exact count of Events at the end needs.
        settleUntil(
                "every Canary's first step Event written",
                () -> names.stream()
                        .allMatch(n -> stepWeights().getOrDefault(n, List.of()).contains(10)));

        Map<String, Set<String>> before = handlersSince(0);
        for (String n : names) {
            assertThat(before.get(NS + "/" + n))
                    .as("who handled %s, of shard %d", n, Shards.of(NS, n, SHARDS))
                    .containsExactly(holderOf(n).id);
        }

        // Cut one replica off mid-run: its fence drops at once, its Leases expire after their duration.
        Replica cut = holderOf(names.get(0));
        int cutShard = Shards.of(NS, names.get(0), SHARDS);
        for (String n : names) {
            if (Shards.of(NS, n, SHARDS) == cutShard) {
                assertThat(fleet.canary(NS, n).getStatus().canaryWeight)
                        .as("%s is mid-run when its replica is cut off", n)
                        .isLessThan(50);
            }
        }
        cut.leases.partition();
        int mark = handled.size();
        settleUntil(
                "every Canary at its last step",
                () -> names.stream()
                        .allMatch(n -> fleet.canary(NS, n).getStatus().canaryWeight >= 50
                                || !fleet.phase(NS, n).equals("Progressing")));

        Map<String, Set<String>> after = handlersSince(mark);
        assertThat(after.values().stream().flatMap(Set::stream))
                .as("the cut-off replica acted no more")
                .doesNotContain(cut.id);
        for (String n : names) {
            if (Shards.of(NS, n, SHARDS) == cutShard) {
                assertThat(after.get(NS + "/" + n))
                        .as("%s continued elsewhere", n)
                        .isNotEmpty();
            }
        }
        for (String n : names) {
            List<Integer> weights = history.get(n).stream()
                    .filter(s -> "Progressing".equals(s.phase))
                    .map(s -> s.canaryWeight)
                    .toList();
            for (int i = 1; i < weights.size(); i++) {
                assertThat(weights.get(i))
                        .as("%s's weight went back: %s", n, weights)
                        .isGreaterThanOrEqualTo(weights.get(i - 1));
            }
            assertThat(weights).as("%s reached the last step", n).contains(50);
        }
        // Each step's Event is written after its status: wait for the last step's, then count them all.
        settleUntil(
                "the last step's Event of every Canary written",
                () -> names.stream()
                        .allMatch(n -> stepWeights().getOrDefault(n, List.of()).contains(50)));
        Map<String, List<Integer>> steps = stepWeights();
        for (String n : names) {
            assertThat(steps.get(n))
                    .as("%s's step Events, each counted as often as it was written", n)
                    .containsExactlyElementsOf(STEPS);
        }
        // Two replicas acting on one Canary do not take the same step twice (the status write is fenced by its
        // resourceVersion): each takes the next step on its own schedule, and steps come closer than the interval.
        // Half of it leaves room for the Events' second-truncated times and a slow write.
        Map<String, List<Instant>> times = stepTimes();
        for (String n : names) {
            List<Instant> at = times.get(n);
            for (int i = 1; i < at.size(); i++) {
                assertThat(Duration.between(at.get(i - 1), at.get(i)))
                        .as("%s's steps one interval apart: %s", n, at)
                        .isGreaterThanOrEqualTo(INTERVAL.dividedBy(2));
            }
        }
    }

    /** When each step's Event of each Canary was first written, by Canary name, in the order of the weights. */
    Map<String, List<Instant>> stepTimes() {
        Map<String, java.util.TreeMap<Integer, Instant>> byWeight = new java.util.TreeMap<>();
        for (Event e : cluster.client.v1().events().inNamespace(NS).list().getItems()) {
            Matcher m = STEP.matcher(e.getMessage() == null ? "" : e.getMessage());
            if (m.matches()) {
                byWeight.computeIfAbsent(e.getInvolvedObject().getName(), k -> new java.util.TreeMap<>())
                        .put(Integer.parseInt(m.group(1)), Instant.parse(e.getFirstTimestamp()));
            }
        }
        Map<String, List<Instant>> times = new java.util.TreeMap<>();
        byWeight.forEach((name, at) -> times.put(name, List.copyOf(at.values())));
        return times;
    }

    /**
     * The weight of every step Event, by Canary name, sorted, each as many times as its {@code count} says: a step
     * taken twice shows twice (its Event is aggregated into one with count 2, or written under a second name).
     */
    Map<String, List<Integer>> stepWeights() {
        Map<String, List<Integer>> weights = new java.util.TreeMap<>();
        for (Event e : cluster.client.v1().events().inNamespace(NS).list().getItems()) {
            Matcher m = STEP.matcher(e.getMessage() == null ? "" : e.getMessage());
            if (!m.matches()) {
                continue;
            }
            int weight = Integer.parseInt(m.group(1));
            int count = e.getCount() == null ? 1 : e.getCount();
            List<Integer> of = weights.computeIfAbsent(e.getInvolvedObject().getName(), k -> new ArrayList<>());
            for (int i = 0; i < count; i++) {
                of.add(weight);
            }
        }
        weights.values().forEach(java.util.Collections::sort);
        return weights;
    }
}
