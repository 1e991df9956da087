package io.sluice.analyzer.crash;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.analyzer.Controller;
import io.sluice.analyzer.Settings;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.Kube;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One analyzer process as a restarted pod has it: its own client, informer caches and reconciler (with its own
 * {@code ClusterView} write memory and {@code EventRecorder} counts), nothing carried over from an earlier instance.
 * Reconciles are started by the test, one at a time, as the work queue would start them, so ticks need no timers.
 *
 * <p>{@code Reconciler} and {@code Caches} are package-private in {@code io.sluice.analyzer} and this package may not
 * add files there, so they are reached by reflection (the seam a public test entry point would replace; see the
 * harness's class comment).
 */
final class AnalyzerPod implements AutoCloseable {
    private static final String PKG = "io.sluice.analyzer.";
    private static final long DEADLINE_SECONDS = 60;

    final int id;
    private final KubernetesClient client;
    private final WorkerExecutor pool;
    private final Object caches;
    private final Object reconciler;
    private final Method reconcile;

    AnalyzerPod(int id, CrashCluster cluster, Vertx vertx, FixedGates gates, Clock clock) {
        this.id = id;
        this.client = cluster.clientFor(id);
        this.pool = vertx.createSharedWorkerExecutor(Controller.POOL + "-" + id, 2);
        try {
            Class<?> cachesType = Class.forName(PKG + "Caches");
            Constructor<?> newCaches = cachesType.getDeclaredConstructor(KubernetesClient.class, String.class);
            newCaches.setAccessible(true);
            caches = newCaches.newInstance(client, null);
            Method start = cachesType.getDeclaredMethod("start");
            start.setAccessible(true);
            ((CompletableFuture<?>) start.invoke(caches)).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

            Class<?> reconcilerType = Class.forName(PKG + "Reconciler");
            Constructor<?> newReconciler = reconcilerType.getDeclaredConstructor(
                    Kube.class,
                    cachesType,
                    Settings.class,
                    MetricGate.class,
                    WebhookGate.class,
                    Notifier.class,
                    Clock.class);
            newReconciler.setAccessible(true);
            reconciler = newReconciler.newInstance(
                    new Kube(client, pool, () -> true), caches, Settings.defaults(), gates, gates, gates, clock);
            reconcile = reconcilerType.getDeclaredMethod("reconcile", String.class, String.class, Boolean.class);
            reconcile.setAccessible(true);
        } catch (ReflectiveOperationException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot start analyzer instance " + id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * One reconcile of the seed Canary; {@code due} as the work queue passes it (null: first sight). Returns the
     * failure, or null when it succeeded.
     */
    Throwable reconcile(Boolean due) {
        try {
            Future<?> f = (Future<?>) reconcile.invoke(reconciler, CrashCluster.NS, CrashCluster.TARGET, due);
            f.toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            return f.failed() ? f.cause() : null;
        } catch (IllegalAccessException | InvocationTargetException | ExecutionException | TimeoutException e) {
            throw new AssertionError("reconcile did not complete", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Waits until every informer holds exactly what the server holds (names and resourceVersions): what a reconcile
     * triggered by the last watch event sees. Fails after a deadline.
     */
    void awaitCaches(CrashCluster cluster) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!current(
                        "canaries",
                        cluster.client
                                .resources(io.sluice.model.flagger.Canary.class)
                                .inAnyNamespace()
                                .list()
                                .getItems())
                || !current(
                        "deployments",
                        cluster.client
                                .apps()
                                .deployments()
                                .inAnyNamespace()
                                .list()
                                .getItems())
                || !current(
                        "services",
                        cluster.client.services().inAnyNamespace().list().getItems())
                || !current(
                        "routeTables",
                        cluster.client
                                .resources(io.sluice.model.gloo.RouteTable.class)
                                .inAnyNamespace()
                                .list()
                                .getItems())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the informer caches of instance " + id + " did not catch up with the server");
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private boolean current(String field, List<? extends HasMetadata> live) {
        Map<String, String> want = new HashMap<>();
        live.forEach(o -> want.put(key(o), o.getMetadata().getResourceVersion()));
        Map<String, String> have = new HashMap<>();
        informer(field).getStore().list().forEach(o -> {
            HasMetadata m = (HasMetadata) o;
            have.put(key(m), m.getMetadata().getResourceVersion());
        });
        return want.equals(have);
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private SharedIndexInformer<?> informer(String field) {
        try {
            Field f = caches.getClass().getDeclaredField(field);
            f.setAccessible(true);
            return (SharedIndexInformer<?>) f.get(caches);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The pod is gone: its watches stop, its client and worker pool close. */
    @Override
    public void close() {
        for (String field : List.of("canaries", "deployments", "services", "routeTables")) {
            informer(field).stop();
        }
        client.close();
        pool.close();
    }
}
