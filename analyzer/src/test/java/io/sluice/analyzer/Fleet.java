package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.gloo.RouteTable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Several Canaries on the mock API server, in namespaces of their own choosing: each a Deployment, its parent
 * RouteTable and a Canary without checks whose analysis interval is an hour (nothing moves on a tick). The test plays
 * the Deployment controller ({@link #settle()}) in every namespace.
 */
final class Fleet {
    final MockCluster cluster;

    Fleet(MockCluster cluster) {
        this.cluster = cluster;
    }

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
        create(ns, name, "1h");
    }

    /** As {@link #create(String, String)}, with the analysis interval {@code interval}. */
    void create(String ns, String name, String interval) {
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
        Canary canary =
                cluster.client.getKubernetesSerialization().unmarshal("""
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
                          analysis: {interval: %3$s, threshold: 5, maxWeight: 50, stepWeight: 10}
                        """.formatted(name, ns, interval), Canary.class);
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
        cluster.setImage(ns, name, "example/app:" + version);
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
            settle();
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                    .get();
        }
    }

    /** Every Deployment's rollout finished: all replicas updated and available. */
    void settle() {
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
    }
}
