package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole controller (informers, queue, reconciler) against the mock API server with a namespace's cap of the
 * concurrency budget: the Namespace's annotation holds its Canaries, not the others', and a run that ends there lets
 * the next one start at once. The analysis interval is an hour, so nothing here moves on a tick.
 */
class NamespaceBudgetControllerTest {
    MockCluster cluster;
    Vertx vertx;
    final TestGates gates = new TestGates();
    final ch.qos.logback.classic.Logger capsLog =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(NamespaceCaps.class);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() {
        logged.start();
        capsLog.addAppender(logged);
        cluster = new MockCluster();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        capsLog.detachAppender(logged);
        await(vertx.close());
        cluster.close();
    }

    void deploy() throws Exception {
        Controller controller = new Controller(
                cluster.client, Settings.defaults(), null, gates, gates, gates, Clock.systemUTC(), () -> true);
        await(vertx.deployVerticle(controller));
    }

    @Test
    @DisplayName("a namespace's cap holds its second Canary with the namespace's queue named, leaves other namespaces"
            + " alone, and the waiter starts as soon as the run ahead of it ends")
    void namespaceCap() throws Exception {
        namespace("team-a", "1");
        namespace("team-b", null);
        for (String[] c : new String[][] {{"team-a", "one"}, {"team-a", "two"}, {"team-b", "three"}}) {
            create(c[0], c[1]);
        }
        deploy();
        settleUntil(() -> phase("team-a", "one").equals("Initialized")
                && phase("team-a", "two").equals("Initialized")
                && phase("team-b", "three").equals("Initialized"));

        setImage("team-a", "one", "2");
        settleUntil(() -> phase("team-a", "one").equals("Progressing"));
        setImage("team-a", "two", "2");
        settleUntil(() -> phase("team-a", "two").equals("Waiting"));
        assertThat(queued("team-a", "two").message)
                .isEqualTo("Waiting for a free slot of namespace team-a: 1 canaries progressing in it, at most 1"
                        + " (sluice.io/max-progressing-canaries on the namespace); place 1 in the namespace's queue");
        setImage("team-b", "three", "2");
        settleUntil(() -> phase("team-b", "three").equals("Progressing"));

        // The run ahead ends (a person aborts it): the waiter is woken at once, not at its next tick an hour on.
        abort("team-a", "one");
        settleUntil(() -> phase("team-a", "one").equals("Failed"));
        settleUntil(() -> phase("team-a", "two").equals("Progressing"));
        assertThat(queued("team-a", "two")).isNull();
    }

    @Test
    @DisplayName("an invalid cap is ignored, and said once per namespace and value, not on every reconcile")
    void invalidCap() throws Exception {
        namespace("team-c", "two");
        create("team-c", "one");
        create("team-c", "two");
        deploy();
        settleUntil(() -> phase("team-c", "one").equals("Initialized")
                && phase("team-c", "two").equals("Initialized"));
        setImage("team-c", "one", "2");
        settleUntil(() -> phase("team-c", "one").equals("Progressing"));
        setImage("team-c", "two", "2");
        settleUntil(() -> phase("team-c", "two").equals("Progressing"));
        assertThat(warnings())
                .containsExactly("namespace team-c: annotation sluice.io/max-progressing-canaries=\"two\" is not a"
                        + " non-negative integer; the namespace has no cap of its own");

        cluster.client.namespaces().withName("team-c").edit(n -> {
            n.getMetadata().getAnnotations().put(WellKnown.MAX_PROGRESSING_ANNOTATION, "-1");
            return n;
        });
        String before = run("team-c", "one");
        setImage("team-c", "one", "3");
        settleUntil(() -> !before.equals(run("team-c", "one")));
        String other = run("team-c", "two");
        setImage("team-c", "two", "3");
        settleUntil(() -> !other.equals(run("team-c", "two")));
        assertThat(warnings()).hasSize(2).last().asString().contains("\"-1\"");
    }

    List<String> warnings() {
        return logged.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    // ---------------------------------------------------------------- fixtures

    void namespace(String name, String cap) {
        var b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        var n = b.build();
        if (cap != null) {
            n.getMetadata()
                    .setAnnotations(
                            new java.util.HashMap<>(java.util.Map.of(WellKnown.MAX_PROGRESSING_ANNOTATION, cap)));
        }
        cluster.client.namespaces().resource(n).create();
    }

    /** A Deployment {@code name}, its parent RouteTable and a Canary without checks, in {@code ns}. */
    void create(String ns, String name) {
        cluster.client
                .apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, name, "1"))
                .create();
        RouteTable parent =
                cluster.client.getKubernetesSerialization().unmarshal("""
                        apiVersion: networking.gloo.solo.io/v2
                        kind: RouteTable
                        metadata:
                          name: %1$s
                          namespace: %2$s
                        spec:
                          hosts: ['%1$s.%2$s.svc.cluster.local']
                          http:
                            - delegate:
                                routeTables:
                                  - name: %1$s-delegate
                                    namespace: %2$s
                        """.formatted(name, ns), RouteTable.class);
        cluster.client
                .resources(RouteTable.class)
                .inNamespace(ns)
                .resource(parent)
                .create();
        Canary canary = cluster.client.getKubernetesSerialization().unmarshal("""
                        apiVersion: flagger.app/v1beta1
                        kind: Canary
                        metadata:
                          name: %1$s
                          namespace: %2$s
                        spec:
                          provider: gloo-mesh
                          targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
                          routeTableRef: {name: %1$s, namespace: %2$s}
                          service: {port: 9898}
                          analysis: {interval: 1h, threshold: 5, maxWeight: 50, stepWeight: 10}
                        """.formatted(name, ns), Canary.class);
        cluster.client.resources(Canary.class).inNamespace(ns).resource(canary).create();
    }

    static Deployment deployment(String ns, String name, String version) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/app:" + version)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    void setImage(String ns, String name, String version) {
        for (int attempt = 1; ; attempt++) {
            try {
                cluster.client
                        .apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName(name)
                        .edit(d -> {
                            d.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .get(0)
                                    .setImage("example/app:" + version);
                            return d;
                        });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** The revision of the run in progress. */
    String run(String ns, String name) {
        Canary c = canary(ns, name);
        return c.getStatus() == null || c.getStatus().currentRun == null ? null : c.getStatus().currentRun.revision;
    }

    /** What the admission service and the API server do with {@code sluice.io/request: abort}. */
    void abort(String ns, String name) {
        var canaries = cluster.client.resources(Canary.class).inNamespace(ns).withName(name);
        canaries.editStatus(c -> {
            var r = new io.sluice.model.flagger.CanaryStatus.RecordedRequest();
            r.action = "abort";
            r.revision = io.sluice.model.control.RuntimeRequests.runRevision(c.getStatus());
            r.user = "jane";
            r.source = "kubectl";
            r.uid = "uid-abort-" + name;
            c.getStatus().request = r;
            return c;
        });
        canaries.edit(c -> {
            if (c.getMetadata().getAnnotations() == null) {
                c.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            c.getMetadata().getAnnotations().put(WellKnown.REQUEST_ANNOTATION, "abort");
            return c;
        });
    }

    Canary canary(String ns, String name) {
        return cluster.client
                .resources(Canary.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    String phase(String ns, String name) {
        Canary c = canary(ns, name);
        return c == null || c.getStatus() == null || c.getStatus().phase == null ? "" : c.getStatus().phase;
    }

    CanaryCondition queued(String ns, String name) {
        var conditions = canary(ns, name).getStatus().conditions;
        return conditions == null
                ? null
                : conditions.stream()
                        .filter(c -> "Queued".equals(c.type))
                        .findFirst()
                        .orElse(null);
    }

    /** Plays the Deployment controller in every namespace until {@code condition} holds; fails after 20 s. */
    void settleUntil(BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in time").isLessThan(end);
            for (Deployment d :
                    cluster.client.apps().deployments().inAnyNamespace().list().getItems()) {
                int n = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                Long gen = d.getMetadata().getGeneration();
                if (d.getStatus() != null
                        && gen != null
                        && gen.equals(d.getStatus().getObservedGeneration())
                        && Integer.valueOf(n).equals(d.getStatus().getReadyReplicas())) {
                    continue;
                }
                d.setStatus(new DeploymentStatusBuilder()
                        .withObservedGeneration(gen)
                        .withReplicas(n)
                        .withUpdatedReplicas(n)
                        .withAvailableReplicas(n)
                        .withReadyReplicas(n)
                        .build());
                try {
                    cluster.client
                            .apps()
                            .deployments()
                            .inNamespace(d.getMetadata().getNamespace())
                            .resource(d)
                            .updateStatus();
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    // The analyzer scaled it in between: settled on the next round.
                }
            }
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                    .get();
        }
    }
}
