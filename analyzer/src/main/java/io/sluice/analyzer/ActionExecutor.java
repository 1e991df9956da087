package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.ConfigTracker;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.ScaledObjects;
import io.sluice.analyzer.kube.Workloads;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what a decision asks, after its status was written: one method per kind of {@link Action}, chosen by the
 * action itself ({@link Action#accept}), so a new kind does not compile until it is handled here.
 *
 * <p>{@link #run} performs the actions in order, best effort: the status is already written, so a reconcile that
 * retries decides from it and would never repeat what this one dropped. A failed write skips the later writes (scaling
 * the canary down while the routes still send it traffic would be worse than waiting), but Events, alerts and hooks
 * always run; the first failure is reported afterwards for backoff, and the converging writes are repaired on the next
 * reconcile.
 */
final class ActionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);

    private final Kube kube;
    private final ClusterView view;
    private final KubernetesSerialization json;
    private final Settings settings;
    private final WebhookGate webhooks;
    private final Notifier notifier;
    private final EventRecorder events;
    /** While false, no action starts; see {@link #fencedBy}. */
    private final BooleanSupplier fence;

    private final String refusal;

    ActionExecutor(
            Kube kube,
            ClusterView view,
            Settings settings,
            WebhookGate webhooks,
            Notifier notifier,
            EventRecorder events) {
        this(kube, view, settings, webhooks, notifier, events, () -> true, null);
    }

    private ActionExecutor(
            Kube kube,
            ClusterView view,
            Settings settings,
            WebhookGate webhooks,
            Notifier notifier,
            EventRecorder events,
            BooleanSupplier fence,
            String refusal) {
        this.kube = kube;
        this.view = view;
        this.json = kube.serialization();
        this.settings = settings;
        this.webhooks = webhooks;
        this.notifier = notifier;
        this.events = events;
        this.fence = fence;
        this.refusal = refusal;
    }

    /**
     * The executor for one Canary on a sharded replica: its actions run only while {@code held} (the Canary's shard is
     * held here), checked before each action starts and, for every write, again on the worker right before the
     * request ({@link Kube#fenced}), so that neither a later action nor a write already queued goes out once the
     * shard is lost. Events are fenced the same way.
     */
    ActionExecutor fencedBy(BooleanSupplier held, String why) {
        Kube fenced = kube.fenced(held, why);
        return new ActionExecutor(fenced, view, settings, webhooks, notifier, events.through(fenced), held, why);
    }

    /**
     * Runs {@code actions} in order while the fence holds; once it drops every remaining action is refused as a
     * write after lost leadership is.
     */
    Future<Void> run(Snapshot s, List<Action> actions) {
        Throwable[] first = {null};
        Perform perform = new Perform(s);
        Future<Void> chain = Future.succeededFuture();
        for (Action a : actions) {
            chain = chain.compose(v -> {
                if (first[0] != null && !a.informs()) {
                    LOG.info(
                            "{}: {} skipped after an earlier failure",
                            s.canary().key(),
                            a);
                    return Future.succeededFuture();
                }
                Future<Void> done = fence.getAsBoolean()
                        ? a.accept(perform)
                        : Future.failedFuture(new Kube.NotLeaderException(refusal));
                return done.recover(err -> {
                    if (first[0] == null) {
                        first[0] = err;
                    }
                    if (err instanceof Kube.NotLeaderException || Kube.isConflict(err)) {
                        // Lost leadership, or someone wrote the object first: retried shortly, not worth an Event.
                        LOG.info("{}: {} not done: {}", s.canary().key(), a, err.getMessage());
                        return Future.succeededFuture();
                    }
                    LOG.warn("{}: {} failed: {}", s.canary().key(), a, err.getMessage());
                    boolean routing = a instanceof Action.SetRoutes || a instanceof Action.HandBackRoutes;
                    return routing && s.delegateAt() != null && s.delegateAt().problem() == null
                            ? events.routesNotWritten(s.canary(), s.delegateAt().key(), err)
                            : events.actionFailed(s.canary(), err);
                });
            });
        }
        return chain.compose(v -> first[0] == null ? Future.succeededFuture() : Future.failedFuture(first[0]));
    }

    /** The actions of one reconcile, on what it read. */
    private final class Perform implements Action.Visitor<Future<Void>> {
        private final Snapshot s;

        Perform(Snapshot s) {
            this.s = s;
        }

        @Override
        public Future<Void> reconcileServices(Action.ReconcileServices a) {
            return services(s, a.apex());
        }

        @Override
        public Future<Void> ensurePrimary(Action.EnsurePrimary a) {
            // Copies are only created here; their data follows the target's only at promotion, or the primary would
            // run the canary's configuration before the analysis judged it.
            return s.primary() != null || s.target() == null || s.selectorKey() == null
                    ? syncConfigCopies(s, false)
                    : syncConfigCopies(s, false).compose(v -> createPrimary(s));
        }

        @Override
        public Future<Void> reconcileAutoscaler(Action.ReconcileAutoscaler a) {
            return autoscaler(s, a.update());
        }

        @Override
        public Future<Void> setRoutes(Action.SetRoutes a) {
            return routes(s, a.primary(), a.canary(), false);
        }

        @Override
        public Future<Void> handBackRoutes(Action.HandBackRoutes a) {
            return routes(s, 100, 0, true);
        }

        @Override
        public Future<Void> restoreApexService(Action.RestoreApexService a) {
            return restoreApex(s);
        }

        @Override
        public Future<Void> scaleTarget(Action.ScaleTarget a) {
            return scale(s, a.replicas());
        }

        @Override
        public Future<Void> restoreTarget(Action.RestoreTarget a) {
            return scale(s, a.replicas());
        }

        @Override
        public Future<Void> promoteTemplate(Action.PromoteTemplate a) {
            return promote(s, a.revision());
        }

        @Override
        public Future<Void> emitEvent(Action.EmitEvent a) {
            return events.record(s.canary(), a);
        }

        @Override
        public Future<Void> sendAlert(Action.SendAlert a) {
            notifier.alert(s.canary(), a.message(), a.severity(), a.withMetadata());
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> callHooks(Action.CallHooks a) {
            return postHooks(s.canary(), a);
        }

        @Override
        public Future<Void> addFinalizer(Action.AddFinalizer a) {
            return finalizer(s.canary(), true);
        }

        @Override
        public Future<Void> removeFinalizer(Action.RemoveFinalizer a) {
            return finalizer(s.canary(), false);
        }
    }

    private Future<Void> services(Snapshot s, boolean apex) {
        if (s.target() == null || s.selectorKey() == null) {
            return Future.succeededFuture();
        }
        Canary c = s.canary();
        String key = s.selectorKey();
        String value = s.target().getSpec().getSelector().getMatchLabels().get(key);
        String svc = CanaryDefaults.serviceName(c.getSpec());
        var meta = c.getSpec().service;
        String ns = c.getMetadata().getNamespace();
        List<String> names =
                apex ? List.of(svc + "-canary", svc + "-primary", svc) : List.of(svc + "-canary", svc + "-primary");
        String canaryKey = Controller.key(c);
        ConvergedServices.Inputs inputs = new ConvergedServices.Inputs(
                c.getMetadata().getUid(),
                c.getMetadata().getGeneration(),
                s.target().getMetadata().getResourceVersion(),
                apex,
                names.stream().map(n -> view.serviceText(ns, n)).toList());
        if (view.services.unchanged(canaryKey, inputs)) {
            return Future.succeededFuture();
        }
        view.services.forget(canaryKey);
        Map<String, Integer> ports = Workloads.discoveredPorts(c, s.target());
        List<Service> desired = new ArrayList<>();
        desired.add(Workloads.service(c, names.get(0), key, value, meta.canary, ports));
        desired.add(Workloads.service(c, names.get(1), key, value + "-primary", meta.primary, ports));
        if (apex) {
            desired.add(Workloads.service(c, names.get(2), key, value + "-primary", meta.apex, ports));
        }
        java.util.concurrent.atomic.AtomicBoolean wrote = new java.util.concurrent.atomic.AtomicBoolean();
        Future<Void> chain = Future.succeededFuture();
        for (Service d : desired) {
            chain = chain.compose(v -> view.service(
                            d.getMetadata().getNamespace(), d.getMetadata().getName())
                    .compose(live -> {
                        if (live == null) {
                            LOG.info(
                                    "Service {}.{} created",
                                    d.getMetadata().getName(),
                                    d.getMetadata().getNamespace());
                            wrote.set(true);
                            return kube.create(d).mapEmpty();
                        }
                        Service merged = Workloads.merge(live, d, c);
                        if (merged == null) {
                            return Future.succeededFuture();
                        }
                        LOG.info(
                                "Service {}.{} updated",
                                d.getMetadata().getName(),
                                d.getMetadata().getNamespace());
                        wrote.set(true);
                        return kube.update(merged).mapEmpty();
                    }));
        }
        // Remembered only when nothing needed writing: the texts read before are then the Services as they should be.
        return chain.onSuccess(v -> {
            if (!wrote.get()) {
                view.services.converged(canaryKey, inputs);
            }
        });
    }

    /** The apex Service selecting the target's pods, without this Canary among its owners. */
    private Future<Void> restoreApex(Snapshot s) {
        if (s.target() == null || s.selectorKey() == null) {
            return Future.succeededFuture();
        }
        Canary c = s.canary();
        String key = s.selectorKey();
        String value = s.target().getSpec().getSelector().getMatchLabels().get(key);
        String svc = CanaryDefaults.serviceName(c.getSpec());
        Service desired = Workloads.service(
                c, svc, key, value, c.getSpec().service.apex, Workloads.discoveredPorts(c, s.target()));
        desired.getMetadata().setOwnerReferences(null);
        String ns = desired.getMetadata().getNamespace();
        return view.service(ns, svc).compose(live -> {
            if (live == null) {
                LOG.info("Service {}.{} created for the target", svc, ns);
                return kube.create(desired).mapEmpty();
            }
            Service merged = Workloads.merge(live, desired, c);
            Service next = merged == null ? json.clone(live) : merged;
            List<OwnerReference> owners = next.getMetadata().getOwnerReferences();
            boolean owned = owners != null
                    && owners.removeIf(o -> "Canary".equals(o.getKind())
                            && c.getMetadata().getName().equals(o.getName()));
            if (merged == null && !owned) {
                return Future.succeededFuture();
            }
            LOG.info("Service {}.{} restored to the target's pods and released", svc, ns);
            return kube.update(next).mapEmpty();
        });
    }

    private static Set<String> trackedKeys(Snapshot s) {
        return ConfigTracker.keys(s.tracked());
    }

    private Future<Void> createPrimary(Snapshot s) {
        Deployment p = Workloads.primary(
                s.canary(),
                s.target(),
                s.selectorKey(),
                s.revision(),
                trackedKeys(s),
                settings.includeLabelPrefixes(),
                settings.selectorLabels(),
                json);
        LOG.info(
                "Deployment {}.{} created",
                p.getMetadata().getName(),
                p.getMetadata().getNamespace());
        return kube.create(p).map(view::created).mapEmpty();
    }

    /** The Warning on a Canary the analyzer cannot decode; nothing else is done for it. */
    Future<Void> undecodable(io.sluice.analyzer.kube.UndecodableCanary canary) {
        return events.undecodable(canary);
    }

    /**
     * The {@code -primary} copies of tracked configs, owned by every Canary whose target uses them: this Canary's owner
     * reference is added to the live copy's, never replacing one (see {@link Workloads#withOwner}), so garbage
     * collection deletes a shared copy only once the last of its Canaries is gone.
     */
    private Future<Void> syncConfigCopies(Snapshot s, boolean update) {
        Future<Void> chain = Future.succeededFuture();
        for (HasMetadata o : s.tracked()) {
            chain = chain.compose(v -> {
                String ns = o.getMetadata().getNamespace();
                String name = o.getMetadata().getName() + "-primary";
                Future<? extends HasMetadata> live =
                        o instanceof ConfigMap ? kube.configMapOf(ns, name) : kube.secretOf(ns, name);
                return live.compose(l -> {
                    HasMetadata copy = json.clone(o);
                    ObjectMeta m = new ObjectMeta();
                    m.setName(name);
                    m.setNamespace(ns);
                    m.setLabels(o.getMetadata().getLabels());
                    List<OwnerReference> owners = Workloads.withOwner(
                            l == null ? null : l.getMetadata().getOwnerReferences(), s.canary());
                    m.setOwnerReferences(owners);
                    copy.setMetadata(m);
                    if (l == null) {
                        LOG.info("{} {}.{} synced", o.getKind(), name, ns);
                        return kube.create(copy).mapEmpty();
                    }
                    m.setResourceVersion(l.getMetadata().getResourceVersion());
                    boolean ownerAdded = !Objects.equals(owners, l.getMetadata().getOwnerReferences());
                    if (ownerAdded && (!update || sameData(copy, l))) {
                        // Another Canary's target uses the same config: join its owners, keep its data until promotion.
                        HasMetadata joined = json.clone(l);
                        joined.getMetadata().setOwnerReferences(owners);
                        LOG.info("{} {}.{} shared: owned by {} Canaries", o.getKind(), name, ns, owners.size());
                        return kube.update(joined).mapEmpty();
                    }
                    if (!update || sameData(copy, l)) {
                        return Future.succeededFuture();
                    }
                    LOG.info("{} {}.{} synced", o.getKind(), name, ns);
                    return kube.update(copy).mapEmpty();
                });
            });
        }
        return chain;
    }

    private static boolean sameData(HasMetadata a, HasMetadata b) {
        if (a instanceof ConfigMap x && b instanceof ConfigMap y) {
            return Objects.equals(x.getData(), y.getData()) && Objects.equals(x.getBinaryData(), y.getBinaryData());
        }
        if (a instanceof Secret x && b instanceof Secret y) {
            return Objects.equals(x.getData(), y.getData()) && Objects.equals(x.getType(), y.getType());
        }
        return false;
    }

    private Future<Void> autoscaler(Snapshot s, boolean update) {
        if (s.scaledObject() != null) {
            return primaryScaledObject(s, update);
        }
        if (s.hpa() == null) {
            return Future.succeededFuture();
        }
        HorizontalPodAutoscaler desired = Workloads.primaryHpa(s.canary(), s.hpa(), json);
        String ns = desired.getMetadata().getNamespace();
        return kube.hpa(ns, desired.getMetadata().getName()).compose(live -> {
            if (live == null) {
                return kube.create(desired).mapEmpty();
            }
            HorizontalPodAutoscaler next = update
                    ? Workloads.primaryHpaUpdate(live, desired, s.hpa(), settings.includeLabelPrefixes(), json)
                    : null;
            return next == null ? Future.succeededFuture() : kube.update(next).mapEmpty();
        });
    }

    /** As {@link #autoscaler} for a KEDA ScaledObject: created when missing, brought in line only in update mode. */
    private Future<Void> primaryScaledObject(Snapshot s, boolean update) {
        GenericKubernetesResource desired = ScaledObjects.primary(s.canary(), s.scaledObject(), json);
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        return kube.scaledObject(ns, name).compose(live -> {
            if (live == null) {
                LOG.info("Keda ScaledObject {}.{} created", name, ns);
                return kube.createScaledObject(desired).mapEmpty();
            }
            GenericKubernetesResource next =
                    update ? ScaledObjects.primaryUpdate(live, desired, settings.includeLabelPrefixes(), json) : null;
            if (next == null) {
                return Future.succeededFuture();
            }
            LOG.info("Keda ScaledObject {}.{} updated", name, ns);
            return kube.updateScaledObject(next).mapEmpty();
        });
    }

    /**
     * A KEDA ScaledObject would scale the canary back up from 0 (or fight its scale-up): it is paused at 0 replicas
     * before the canary goes to 0 and resumed before it comes back, as Flagger pauses and resumes it.
     */
    private Future<Void> pauseOrResume(Snapshot s, int replicas) {
        GenericKubernetesResource so = s.scaledObject();
        if (so == null) {
            return Future.succeededFuture();
        }
        String ns = so.getMetadata().getNamespace();
        String name = so.getMetadata().getName();
        String key = ScaledObjects.PAUSED_REPLICAS_ANNOTATION;
        if (replicas == 0 && !ScaledObjects.paused(so)) {
            LOG.info("Keda ScaledObject {}.{} paused", name, ns);
            return kube.annotateScaledObject(ns, name, key, "0");
        }
        if (replicas > 0 && ScaledObjects.hasPause(so)) {
            LOG.info("Keda ScaledObject {}.{} resumed", name, ns);
            return kube.annotateScaledObject(ns, name, key, null);
        }
        return Future.succeededFuture();
    }

    private Future<Void> routes(Snapshot s, int primary, int canary, boolean release) {
        GlooRouter.Delegate where = s.delegateAt();
        if (where == null
                || where.problem() != null
                || s.parent() == null
                || GlooRouter.foreignOwner(s.delegate(), s.canary()) != null) {
            // Already reported as a Warning by the decision; writing would only make things worse.
            return Future.succeededFuture();
        }
        // From the cache: a write based on a stale version fails with a conflict and is retried.
        return view.routeTable(where.namespace(), where.name()).compose(live -> {
            RouteTable desired = release
                    ? GlooRouter.handedBack(s.canary(), s.parent(), where, live)
                    : GlooRouter.desired(s.canary(), s.parent(), where, live, primary, canary);
            if (live == null) {
                LOG.info("Delegate RouteTable {} created", where.key());
                return kube.createRouteTable(desired)
                        .map(view.routeWrites::wrote)
                        .mapEmpty();
            }
            if (GlooRouter.same(live, desired, json)) {
                return Future.succeededFuture();
            }
            LOG.info("Delegate RouteTable {} updated: primary {} canary {}", where.key(), primary, canary);
            return kube.updateRouteTable(desired)
                    .map(version -> view.routeWrites.wrote(
                            desired.getMetadata().getNamespace(),
                            desired.getMetadata().getName(),
                            version))
                    .mapEmpty();
        });
    }

    private Future<Void> scale(Snapshot s, int replicas) {
        if (s.target() == null) {
            return Future.succeededFuture();
        }
        return pauseOrResume(s, replicas).compose(v -> scaleDeployment(s, replicas));
    }

    private Future<Void> scaleDeployment(Snapshot s, int replicas) {
        Integer now = s.target().getSpec().getReplicas();
        if (now != null && now == replicas) {
            return Future.succeededFuture();
        }
        LOG.info(
                "Scaling Deployment {}.{} to {}",
                s.target().getMetadata().getName(),
                s.target().getMetadata().getNamespace(),
                replicas);
        return kube.scale(
                s.target().getMetadata().getNamespace(),
                s.target().getMetadata().getName(),
                replicas);
    }

    private Future<Void> promote(Snapshot s, String revision) {
        String ns = s.canary().getMetadata().getNamespace();
        String tgt = s.canary().getSpec().targetRef.name;
        return view.deploymentRead(ns, tgt).compose(read -> {
            String now = read.revision();
            if (read.deployment() != null && !Objects.equals(now, revision)) {
                // The template changed after the analysis: copying it would promote what nobody analysed. The next
                // reconcile sees the new revision and restarts the run.
                return events.promotionRefused(s.canary(), now, revision);
            }
            return syncConfigCopies(s, true).compose(v -> promoteCopy(s, read.deployment(), revision));
        });
    }

    private Future<Void> promoteCopy(Snapshot s, Deployment target, String revision) {
        String ns = s.canary().getMetadata().getNamespace();
        String tgt = s.canary().getSpec().targetRef.name;
        return view.deployment(ns, tgt + "-primary").compose(primary -> {
            if (target == null || primary == null || s.selectorKey() == null) {
                return Future.failedFuture(new IllegalStateException(
                        "promotion of " + tgt + "." + ns + " needs both " + tgt + " and " + tgt + "-primary"));
            }
            Deployment next = Workloads.promote(
                    primary,
                    target,
                    s.selectorKey(),
                    revision,
                    trackedKeys(s),
                    settings.includeLabelPrefixes(),
                    settings.selectorLabels(),
                    s.canary().getSpec().autoscalerRef != null,
                    json);
            return kube.update(next).mapEmpty();
        });
    }

    private Future<Void> postHooks(Canary canary, Action.CallHooks call) {
        List<CanaryAnalysis.Webhook> hooks = new ArrayList<>();
        var a = canary.getSpec().effectiveAnalysis();
        if (a != null && a.webhooks != null) {
            a.webhooks.stream()
                    .filter(h -> call.type().equals(CanaryDefaults.webhookType(h)))
                    .forEach(hooks::add);
        }
        Future<Boolean> chain = Future.succeededFuture(true);
        for (CanaryAnalysis.Webhook h : hooks) {
            chain = chain.compose(ok -> !ok
                    ? Future.succeededFuture(false)
                    : webhooks.call(canary, h, call.phase())
                            .compose(o -> o.passed()
                                    ? events.postRolloutPassed(canary, h.name).map(true)
                                    : events.postRolloutFailed(canary, h.name, o.error())
                                            .map(false)));
        }
        return chain.mapEmpty();
    }

    private Future<Void> finalizer(Canary canary, boolean add) {
        Canary copy = json.clone(canary);
        List<String> f = copy.getMetadata().getFinalizers() == null
                ? new ArrayList<>()
                : new ArrayList<>(copy.getMetadata().getFinalizers());
        boolean changed =
                add ? !f.contains(WellKnown.FINALIZER) && f.add(WellKnown.FINALIZER) : f.remove(WellKnown.FINALIZER);
        if (!changed) {
            return Future.succeededFuture();
        }
        copy.getMetadata().setFinalizers(f);
        copy.setStatus(null);
        return kube.updateCanary(copy).map(view::remember).mapEmpty();
    }
}
