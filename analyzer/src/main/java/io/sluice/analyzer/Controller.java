package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.analyzer.decision.ProgressBudget;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.RateLimiter;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer's controller: informers feed Canary keys into the work queue, the queue runs reconciles. Informer
 * callbacks run on fabric8's threads and only hop onto this verticle's context to enqueue.
 */
public final class Controller extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    /** Name of the worker pool that runs every blocking Kubernetes call. */
    public static final String POOL = "sluice-kube";

    private final KubernetesClient client;
    private final Settings settings;
    private final String namespace;
    private final MetricGate metrics;
    private final WebhookGate webhooks;
    private final Notifier notifier;
    private final Clock clock;
    private final BooleanSupplier leading;
    private volatile Caches caches;
    private WorkerExecutor pool;
    private WorkQueue queue;
    private Reconciler reconciler;
    private volatile Context context;
    private long resyncTimer = -1;
    private long heartbeat = -1;
    private Liveness liveness = Liveness.system();
    private volatile boolean synced;
    private ReconcileListener listener = ReconcileListener.NONE;
    private java.util.function.Predicate<String> owns = key -> true;
    private java.util.function.Predicate<String> keeps = key -> true;
    private java.util.function.Function<Canary, Future<io.sluice.analyzer.decision.ProviderAvailability>> providers;

    /**
     * @param namespace the one namespace to watch, or null for all
     * @param leading   whether this process holds the lease; writes stop the moment it turns false
     */
    public Controller(
            KubernetesClient client,
            Settings settings,
            String namespace,
            MetricGate metrics,
            WebhookGate webhooks,
            Notifier notifier,
            Clock clock,
            BooleanSupplier leading) {
        this.client = client;
        this.settings = settings;
        this.namespace = namespace;
        this.metrics = metrics;
        this.webhooks = webhooks;
        this.notifier = notifier;
        this.clock = clock;
        this.leading = leading;
    }

    /** Set before deployment: who hears about every reconcile (the analyzer's metrics). */
    public Controller listener(ReconcileListener l) {
        this.listener = l;
        return this;
    }

    /** Set before deployment: where the controller reports its progress for {@code /healthz}. */
    public Controller liveness(Liveness l) {
        this.liveness = l;
        return this;
    }

    /** Set before deployment: how to ask the metric providers whether they answer. */
    public Controller providers(
            java.util.function.Function<Canary, Future<io.sluice.analyzer.decision.ProviderAvailability>> check) {
        this.providers = check;
        return this;
    }

    /**
     * Set before deployment: which Canaries, by key {@code namespace/name}, this replica acts on (with shards, those of
     * the shards it holds; see {@link Reconciler#owns}). The caches still hold every Canary, so the concurrency budget
     * keeps counting cluster-wide.
     */
    public Controller owns(java.util.function.Predicate<String> owned) {
        this.owns = owned;
        return this;
    }

    /**
     * Set before deployment: of which Canaries, by key, the caches hold the Deployments and Services ({@link
     * Caches#keeps}); all of them unless set.
     */
    public Controller keeps(java.util.function.Predicate<String> cached) {
        this.keeps = cached;
        return this;
    }

    /** The caches, once the informers were built (for tests). */
    Caches caches() {
        return caches;
    }

    /**
     * From any thread: this replica now acts on the Canaries {@code keys} matches (it gained their shard), so each is
     * looked at once, as at start: a Canary's next tick is taken from its status, so none is taken early or twice.
     */
    public void reclaim(java.util.function.Predicate<String> keys) {
        Context c = context;
        if (c == null) {
            return;
        }
        c.runOnContext(v -> {
            if (synced) {
                caches.canaries.getStore().list().stream()
                        .map(Controller::key)
                        .filter(keys)
                        .forEach(queue::add);
            }
        });
    }

    /**
     * Waits, on a worker, for every informer's first list, however long it takes: a large cluster behind a busy API
     * server may need minutes, and exiting would only start the lists over. Which kinds are still listing is logged
     * every half minute; readiness stays false meanwhile. A list that fails (RBAC, a missing CRD) ends the wait.
     */
    private static void awaitFirstLists(Caches caches) throws Exception {
        java.util.concurrent.CompletableFuture<Void> all = caches.start();
        long started = System.nanoTime();
        while (true) {
            try {
                all.get(30, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.info(
                        "still waiting for the first lists of the caches after {} s: {}",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                        caches.listing());
            }
        }
    }

    /** True once every informer finished its first list. */
    public boolean synced() {
        return synced;
    }

    @Override
    public void start(Promise<Void> started) {
        context = vertx.getOrCreateContext();
        pool = vertx.createSharedWorkerExecutor(POOL, 8);
        Kube kube = new Kube(client, pool, leading, new RateLimiter(settings.kubeQps(), settings.kubeBurst()));
        pool.executeBlocking(
                        () -> {
                            caches = new Caches(client, namespace).keeps(keeps);
                            caches.canaries.addIndexers(Map.of(BY_PARENT, RouteTableEvents::parentOf));
                            caches.routeTables.addIndexers(Map.of(BY_DELEGATE, RouteTableEvents::delegatesOf));
                            caches.canaries.addEventHandler(
                                    handler(this::onCanary, this::onCanaryUpdate, c -> enqueue(key(c))));
                            watch(caches.deployments, d -> forTarget(d));
                            watch(caches.services, s -> forOwner(s));
                            // The echo of a delegate write of this process's own changes nothing to reconcile.
                            watch(
                                    caches.routeTables,
                                    this::forRouteTable,
                                    rt -> reconciler.routeWrites().isEcho(rt));
                            caches.namespaces.addEventHandler(handler(
                                    n -> {},
                                    (a, b) -> {
                                        if (!Objects.equals(capOf(a), capOf(b))) {
                                            context.runOnContext(v ->
                                                    budgetMoved(b.getMetadata().getName()));
                                        }
                                    },
                                    n -> {}));
                            // No ConfigMap or Secret informers: they would cache every one in the cluster. A tracked
                            // config is read
                            // by name when a Canary reconciles, which each Canary does at least once per analysis
                            // interval (idle ones
                            // too), on every event of its Deployment, and at each resync: a change is seen within one
                            // interval.
                            awaitFirstLists(caches);
                            return null;
                        },
                        false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        started.fail(ar.cause());
                        return;
                    }
                    reconciler = new Reconciler(kube, caches, settings, metrics, webhooks, notifier, clock)
                            .listener(listener)
                            .owns(owns);
                    if (providers != null) {
                        reconciler.providers(providers);
                    }
                    reconciler.siblings(c -> c.getSpec() == null || c.getSpec().targetRef == null
                            ? List.of()
                            : caches.targeting(c.getMetadata().getNamespace(), c.getSpec().targetRef.name));
                    reconciler.all(() -> caches.canaries.getStore().list());
                    reconciler.namespaceCaps(new NamespaceCaps(caches::namespace));
                    queue = new WorkQueue(vertx, settings.maxBackoff(), settings.maxTicksPerSecond(), (key, due) -> {
                                int dot = key.indexOf('/');
                                liveness.reconcileStarted(key);
                                return reconciler
                                        .reconcile(key.substring(0, dot), key.substring(dot + 1), due)
                                        .andThen(done -> liveness.reconcileEnded(key));
                            })
                            .maxInFlight(settings.maxConcurrentReconciles())
                            .ticks(new WorkQueue.TickListener() {
                                @Override
                                public void started(String key, Duration lateness) {
                                    listener.tickStarted(key, lateness);
                                }

                                @Override
                                public void deferred(String key, Duration by) {
                                    listener.tickDeferred(key, by);
                                }
                            });
                    // The event loop's heartbeat for /healthz: a blocked context stops it.
                    liveness.beat();
                    heartbeat = vertx.setPeriodic(1000, t -> liveness.beat());
                    // Reconciles read the caches, so none runs before every informer listed: until then the queue does
                    // not
                    // exist and the informers' first adds are dropped; every Canary is enqueued here instead.
                    synced = true;
                    LOG.info(
                            "informers synced; watching {}",
                            namespace == null ? "all namespaces" : "namespace " + namespace);
                    caches.canaries.getStore().list().forEach(c -> queue.add(key(c)));
                    resyncTimer = vertx.setPeriodic(settings.resync().toMillis(), t -> {
                        caches.canaries.getStore().list().forEach(c -> queue.add(key(c)));
                        // The Deployments and Services no Canary reads any more are let go of off the event loop.
                        pool.executeBlocking(caches::sweep, false)
                                .onSuccess(n -> LOG.debug("let go of {} Deployments and Services no Canary reads", n));
                    });
                    started.complete();
                });
    }

    /**
     * Stops the watches, from any thread (the shutdown hook): they must end before the client that serves them is
     * closed, and the client before Vert.x, whose HTTP client it uses.
     */
    public void stopInformers() {
        Caches c = caches;
        if (c != null) {
            c.stop();
        }
    }

    @Override
    public void stop(Promise<Void> stopped) {
        if (queue != null) {
            queue.stop();
        }
        vertx.cancelTimer(resyncTimer);
        vertx.cancelTimer(heartbeat);
        liveness.stopped();
        stopInformers();
        if (pool != null) {
            pool.close();
        }
        stopped.complete();
    }

    /**
     * Watches a kind that only triggers Canaries. The callbacks run on fabric8's threads and only hop onto the
     * verticle's context; finding the Canaries concerned (index look-ups) and enqueuing happen there.
     */
    private <T extends HasMetadata> void watch(SharedIndexInformer<T> i, Consumer<T> onChange) {
        watch(i, onChange, o -> false);
    }

    /** As {@link #watch(SharedIndexInformer, Consumer)}, skipping the updates {@code echo} tells (on the context). */
    private <T extends HasMetadata> void watch(
            SharedIndexInformer<T> i, Consumer<T> onChange, java.util.function.Predicate<T> echo) {
        Consumer<T> hop = o -> context.runOnContext(v -> {
            if (synced) {
                onChange.accept(o);
            }
        });
        i.addEventHandler(handler(
                hop,
                (a, b) -> {
                    if (!Objects.equals(
                            a.getMetadata().getResourceVersion(),
                            b.getMetadata().getResourceVersion())) {
                        context.runOnContext(v -> {
                            if (synced && !echo.test(b)) {
                                onChange.accept(b);
                            }
                        });
                    }
                },
                hop));
    }

    private static <T> ResourceEventHandler<T> handler(
            Consumer<T> add, java.util.function.BiConsumer<T, T> update, Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                add.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                update.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                delete.accept(obj);
            }
        };
    }

    /** The index of Canaries by their parent RouteTable, {@code namespace/name}. */
    private static final String BY_PARENT = "parent";
    /** The index of RouteTables by each RouteTable they delegate to, {@code namespace/name}. */
    private static final String BY_DELEGATE = "delegate";

    /** The work-queue key of {@code o}: {@code <namespace>/<name>}. */
    static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Hops onto the verticle's context: the queue is only ever touched there. */
    private void enqueue(String key) {
        context.runOnContext(v -> {
            if (synced) {
                queue.add(key);
            }
        });
    }

    private void onCanary(Canary c) {
        enqueue(key(c));
    }

    /** Our own status writes come back as updates too; only what can change a decision is enqueued. */
    private void onCanaryUpdate(Canary before, Canary after) {
        if (worthReconciling(before, after)) {
            enqueue(key(after));
        }
        if (endedRun(before, after)) {
            // A slot of the concurrency budget freed, the cluster's and the namespace's.
            context.runOnContext(v -> budgetMoved(after.getMetadata().getNamespace()));
        }
    }

    /**
     * On the context: a slot of {@code ns}'s budget freed or its cap changed, so its queued Canaries look again at
     * once; with a cluster-wide cap, every queued Canary does (the slot may be the cluster's, and a namespace's waiters
     * weigh in the cluster's queue).
     */
    private void budgetMoved(String ns) {
        if (!synced) {
            return;
        }
        boolean cluster = settings.maxProgressingCanaries() > 0;
        caches.canaries.getStore().list().stream()
                .filter(c -> cluster || ns.equals(c.getMetadata().getNamespace()))
                .filter(c -> ProgressBudget.Entry.of(key(c), c.getStatus()).queuedSince() != null)
                .forEach(c -> queue.add(key(c)));
    }

    private static String capOf(io.fabric8.kubernetes.api.model.Namespace n) {
        Map<String, String> a = n.getMetadata().getAnnotations();
        return a == null ? null : a.get(io.sluice.model.WellKnown.MAX_PROGRESSING_ANNOTATION);
    }

    /** The update ends a run: its phase no longer holds traffic. */
    static boolean endedRun(Canary before, Canary after) {
        return running(before) && !running(after);
    }

    private static boolean running(Canary c) {
        return c.getStatus() != null
                && c.getStatus().phase() != null
                && c.getStatus().phase().isRunning();
    }

    /**
     * Whether an update of a Canary can change a decision: its spec, deletion, finalizers or annotations, the revision
     * or the runtime request the admission service recorded (acted on at once, not at the next tick). The analyzer's
     * own status writes are not.
     */
    static boolean worthReconciling(Canary before, Canary after) {
        boolean spec = !Objects.equals(
                before.getMetadata().getGeneration(), after.getMetadata().getGeneration());
        boolean deleting = after.getMetadata().getDeletionTimestamp() != null;
        boolean finalizers = !Objects.equals(
                before.getMetadata().getFinalizers(), after.getMetadata().getFinalizers());
        boolean admitted = !Objects.equals(revisionOf(before), revisionOf(after));
        boolean requested = !Objects.equals(requestOf(before), requestOf(after));
        boolean annotations = !Objects.equals(
                before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations());
        return spec || deleting || finalizers || admitted || requested || annotations;
    }

    private static String requestOf(Canary c) {
        return c.getStatus() == null || c.getStatus().request == null ? null : c.getStatus().request.uid;
    }

    private static String revisionOf(Canary c) {
        return c.getStatus() == null || c.getStatus().admittedRevision == null
                ? null
                : c.getStatus().admittedRevision.revision;
    }

    /** On the context: the Canaries whose target or primary this Deployment is. */
    private void forTarget(HasMetadata d) {
        LOG.debug(
                "Deployment {}/{} changed (resourceVersion {})",
                d.getMetadata().getNamespace(),
                d.getMetadata().getName(),
                d.getMetadata().getResourceVersion());
        String ns = d.getMetadata().getNamespace();
        String name = d.getMetadata().getName();
        List<Canary> hit = caches.readingDeployment(ns, name);
        hit.forEach(c -> queue.add(key(c)));
    }

    /** On the context. */
    private void forOwner(Service s) {
        if (s.getMetadata().getOwnerReferences() == null) {
            return;
        }
        s.getMetadata().getOwnerReferences().stream()
                .filter(o -> "Canary".equals(o.getKind()))
                .forEach(o -> queue.add(s.getMetadata().getNamespace() + "/" + o.getName()));
    }

    /** On the context: the Canaries whose parent or delegate this RouteTable is. */
    private void forRouteTable(RouteTable rt) {
        RouteTableEvents.concerned(
                        rt,
                        parent -> caches.canaries.getIndexer().byIndex(BY_PARENT, parent),
                        delegate -> caches.routeTables.getIndexer().byIndex(BY_DELEGATE, delegate))
                .forEach(queue::add);
    }
}
