package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.decision.CanaryDecider;
import io.sluice.analyzer.decision.Check;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.Result;
import io.sluice.analyzer.decision.Routes;
import io.sluice.analyzer.decision.Workload;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.NoDataPolicy;
import io.sluice.analyzer.gates.ProviderAvailability;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.ConfigTracker;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.Workloads;
import io.sluice.model.Revisions;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.validation.CanaryValidator;
import io.sluice.model.validation.Violation;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one Canary: observe (read once) → decide (pure, asking for checks as needed) → write the status
 * once (skipped when unchanged, fenced by resourceVersion; a conflict re-reads and decides again) → act.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int CONFLICT_RETRIES = 3;
    static final String COMPONENT = "sluice";

    private final Kube kube;
    private final ClusterView view;
    private final KubernetesSerialization json;
    private final Settings settings;
    private final MetricGate metrics;
    private final WebhookGate webhooks;
    private final Notifier notifier;
    private final Clock clock;
    private ReconcileListener listener = ReconcileListener.NONE;
    private java.util.function.Function<Canary, List<Canary>> siblings = c -> List.of();
    private java.util.function.Function<Canary, Future<ProviderAvailability>> providers =
            c -> Future.succeededFuture(ProviderAvailability.NOTHING_TO_REPORT);

    /** Reads what {@code caches} hold from them, the rest (and writes) through {@code kube}. */
    Reconciler(Kube kube, Caches caches, Settings settings, MetricGate metrics, WebhookGate webhooks, Notifier notifier,
            Clock clock) {
        this.kube = kube;
        this.view = new ClusterView(caches, kube);
        this.json = kube.serialization();
        this.settings = settings;
        this.metrics = metrics;
        this.webhooks = webhooks;
        this.notifier = notifier;
        this.clock = clock;
    }

    /**
     * How a reconcile ended.
     *
     * @param requeue      when to look again; with {@code consumedTick}, when the next analysis tick is due
     * @param consumedTick the analysis tick was used (or, at first sight, is not due yet): the next one is due
     *                     after {@code requeue}
     * @param gone         the Canary no longer exists
     */
    record Outcome(Duration requeue, boolean consumedTick, boolean gone, CanaryStatus status) {
    }

    /**
     * A reconcile whose status write went through but one of whose actions failed (its cause): retried for the
     * repair, while {@link #outcome()} says what the written status decided, including whether the tick was used.
     */
    static final class ActionsFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Outcome outcome;

        ActionsFailed(Throwable cause, Outcome outcome) {
            super(cause.getMessage(), cause);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    /**
     * Reconciles one Canary. {@code due} says whether the analysis interval elapsed; {@code null} means first
     * sight (a new Canary, or this process just started): due unless the status shows a change less than one
     * interval ago, so that a restarted analyzer does not take the next step early.
     */
    Future<Outcome> reconcile(String ns, String name, Boolean due) {
        long start = System.nanoTime();
        return attempt(ns, name, due, null, 0).andThen(ar -> {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.debug("reconcile of {}/{} took {} us", ns, name, took.toNanos() / 1000);
            if (ar.failed()) {
                listener.failed(ns + "/" + name, ar.cause(), took);
            } else if (ar.result().gone()) {
                listener.forgotten(ns + "/" + name);
            }
        });
    }

    /** How to ask the metric providers whether they answer (reported while initializing). */
    Reconciler providers(java.util.function.Function<Canary, Future<ProviderAvailability>> check) {
        this.providers = check;
        return this;
    }

    Reconciler listener(ReconcileListener l) {
        this.listener = l;
        return this;
    }

    /**
     * One decision. The first attempt reads the Canary from the cache; after a conflict (the cache, or this read, was
     * stale) it is read from the API server, and the checks already run this tick are not run again.
     */
    private Future<Outcome> attempt(String ns, String name, Boolean dueOrNull, Observations earlier, int conflicts) {
        Future<Canary> read = conflicts == 0 ? Future.succeededFuture(view.canary(ns, name))
                : view.freshCanary(ns, name);
        return read.compose(canary -> {
            if (canary == null) {
                return Future.succeededFuture(new Outcome(Duration.ZERO, false, true, null));
            }
            Duration wait = dueOrNull == null ? untilDue(canary) : Duration.ZERO;
            if (dueOrNull == null && !wait.isZero()) {
                // Not due yet: react to watch events meanwhile, take the next step when the interval is up.
                return attempt(ns, name, false, earlier, conflicts)
                        .map(o -> o.gone() ? o : new Outcome(wait, true, false, o.status()));
            }
            boolean due = dueOrNull == null || dueOrNull;
            Canary first = olderOnSameTarget(canary);
            if (first != null) {
                return blocked(canary, CanaryDecider.TARGET_CONFLICT_CONDITION, "TargetConflict",
                        "canary " + canary.key() + " targets " + canary.getSpec().targetRef.kind + " "
                                + canary.getSpec().targetRef.name + "." + canary.getMetadata().getNamespace()
                                + ", which canary " + first.key() + " already manages: nothing is done until one of"
                                + " them is deleted or retargeted", due);
            }
            List<Violation> invalid = CanaryValidator.validate(canary);
            if (!invalid.isEmpty()) {
                return invalid(canary, invalid, due);
            }
            return observe(canary, due).compose(snap -> {
                Observations obs = earlier == null ? snap.observations() : snap.observations().withOutcomesOf(earlier);
                return decide(canary, obs).compose(result -> {
                    Result.Decision d = result.decision();
                    long decided = System.nanoTime();
                    return writeStatus(canary, d.status()).compose(written -> {
                        if (LOG.isDebugEnabled()) {
                            LOG.debug("{}: decided, status {} in {} us; {} actions", canary.key(),
                                    written == canary ? "unchanged" : "written",
                                    (System.nanoTime() - decided) / 1000, d.actions().size());
                        }
                        Snapshot current = new Snapshot(written, snap.target(), snap.revision(), snap.selectorKey(),
                                snap.primary(), snap.hpa(), snap.parent(), snap.delegateAt(), snap.delegate(),
                                snap.tracked(), result.observations());
                        long started = System.nanoTime();
                        Outcome outcome = new Outcome(d.requeue(), d.consumedTick(), false, d.status());
                        return act(current, d.actions()).compose(v -> annotationWarning(written, due)).transform(ar -> {
                            listener.reconciled(written, canary.getStatus(), d.status(),
                                    Duration.ofNanos(System.nanoTime() - started));
                            // The status is written either way: a failed action must not leave the tick owed, or
                            // the retry that repairs it would also take the next step early.
                            return ar.succeeded() ? Future.succeededFuture(outcome)
                                    : Future.failedFuture(new ActionsFailed(ar.cause(), outcome));
                        });
                    }, err -> {
                        if (Kube.isConflict(err) && conflicts < CONFLICT_RETRIES) {
                            LOG.debug("status of {}.{} changed underneath; deciding again", name, ns);
                            return attempt(ns, name, dueOrNull, result.observations(), conflicts + 1);
                        }
                        return Future.failedFuture(err);
                    });
                });
            });
        });
    }

    /**
     * A no-data policy annotation that names no policy is ignored (the flag's policy applies) and said once per
     * interval, like an invalid spec: the owner should learn that the annotation does nothing.
     */
    private Future<Void> annotationWarning(Canary canary, boolean due) {
        return NoDataPolicy.annotationProblem(canary).filter(p -> due)
                .map(p -> emit(canary, Action.EmitEvent.Type.Warning, p, Map.of()))
                .orElse(Future.succeededFuture());
    }

    private Duration untilDue(Canary canary) {
        CanaryStatus st = canary.getStatus();
        if (st == null || st.lastTransitionTime == null || st.phase() == null || !st.phase().isRunning()) {
            return Duration.ZERO;
        }
        try {
            Instant next = Instant.parse(st.lastTransitionTime)
                    .plus(CanaryDefaults.interval(canary.getSpec().effectiveAnalysis()));
            Duration left = Duration.between(clock.instant(), next);
            return left.isNegative() ? Duration.ZERO : left;
        } catch (java.time.format.DateTimeParseException e) {
            return Duration.ZERO;
        }
    }

    /**
     * The Canary created first (then by name) among others in its namespace that target the same workload, when it is
     * not this one: two Canaries driving one Deployment would fight over its replicas and the routes.
     */
    private Canary olderOnSameTarget(Canary canary) {
        if (canary.getMetadata().getDeletionTimestamp() != null || canary.getSpec() == null
                || canary.getSpec().targetRef == null) {
            return null;
        }
        java.util.Comparator<Canary> age = java.util.Comparator
                .comparing((Canary c) -> Objects.toString(c.getMetadata().getCreationTimestamp(), "~"))
                .thenComparing(c -> c.getMetadata().getName());
        return siblings.apply(canary).stream()
                .filter(c -> c.getSpec() != null && c.getSpec().targetRef != null
                        && Objects.equals(c.getMetadata().getNamespace(), canary.getMetadata().getNamespace())
                        && Objects.equals(c.getSpec().targetRef.name, canary.getSpec().targetRef.name)
                        && Objects.equals(c.getSpec().targetRef.kind, canary.getSpec().targetRef.kind)
                        && !Objects.equals(c.getMetadata().getName(), canary.getMetadata().getName()))
                .filter(c -> age.compare(c, canary) < 0)
                .min(age).orElse(null);
    }

    /** Where the Canaries that may share this one's target come from (the informer's store). */
    Reconciler siblings(java.util.function.Function<Canary, List<Canary>> lookup) {
        this.siblings = lookup;
        return this;
    }

    /** A spec the webhook would have refused: said once per interval, nothing else done (not retried harder). */
    private Future<Outcome> invalid(Canary canary, List<Violation> violations, boolean due) {
        String text = "invalid canary " + canary.key() + ": "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
        return blocked(canary, CanaryDecider.INVALID_SPEC_CONDITION, "ValidationFailed", text, due);
    }

    /**
     * A Canary that must not act (invalid, or second on a target): a condition and a Warning once per interval,
     * nothing else.
     */
    private Future<Outcome> blocked(Canary canary, String conditionType, String reason, String text, boolean due) {
        CanaryStatus status = canary.getStatus() == null ? new CanaryStatus() : json.clone(canary.getStatus());
        List<io.sluice.model.flagger.CanaryCondition> conditions = status.conditions == null
                ? new ArrayList<>() : new ArrayList<>(status.conditions);
        io.sluice.model.flagger.CanaryCondition old = conditions.stream()
                .filter(c -> conditionType.equals(c.type)).findFirst().orElse(null);
        if (old == null || !text.equals(old.message)) {
            conditions.removeIf(c -> conditionType.equals(c.type));
            io.sluice.model.flagger.CanaryCondition c = new io.sluice.model.flagger.CanaryCondition();
            c.type = conditionType;
            c.status = "True";
            c.reason = reason;
            c.message = text;
            String stamp = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            c.lastUpdateTime = stamp;
            c.lastTransitionTime = old == null ? stamp : old.lastTransitionTime;
            conditions.add(c);
        }
        status.conditions = conditions;
        status.observedGeneration = canary.getMetadata().getGeneration();
        boolean said = due || old == null;
        if (said) {
            LOG.warn("{}: {}", canary.key(), text);
        }
        return writeStatus(canary, status)
                .compose(v -> said ? emit(canary, Action.EmitEvent.Type.Warning, text, Map.of())
                        : Future.<Void>succeededFuture())
                .map(v -> new Outcome(CanaryDefaults.interval(canary.getSpec().effectiveAnalysis()), due, false,
                        status));
    }

    private record Decided(Result.Decision decision, Observations observations) {
    }

    /** Runs the decision, and the checks it asks for, until it decides. */
    private Future<Decided> decide(Canary canary, Observations obs) {
        return decideRound(canary, obs, 0);
    }

    private Future<Decided> decideRound(Canary canary, Observations obs, int round) {
        Result r = CanaryDecider.decide(canary.getSpec(), canary.getStatus(), obs, clock.instant());
        if (r instanceof Result.Decision d) {
            return Future.succeededFuture(new Decided(d, obs));
        }
        if (round > 16) {
            return Future.failedFuture(new IllegalStateException("the decision kept asking for checks"));
        }
        Result.RunChecks run = (Result.RunChecks) r;
        return runChecks(canary, obs, run.checks(), 0, run.stopOnPass())
                .compose(next -> decideRound(canary, next, round + 1));
    }

    private Future<Observations> runChecks(Canary canary, Observations obs, List<Check> checks, int i,
            boolean stopOnPass) {
        if (i >= checks.size()) {
            return Future.succeededFuture(obs);
        }
        Check c = checks.get(i);
        Future<Boolean> passed;
        Observations[] out = {obs};
        if (c instanceof Check.Providers) {
            passed = providers.apply(canary).otherwise(err -> new ProviderAvailability(false,
                    "Error checking metric providers: " + err.getMessage())).map(o -> {
                        out[0] = obs.with(c, o);
                        return o.available();
                    });
        } else if (c instanceof Check.Hook h) {
            passed = webhooks.call(canary, h.hook(), h.phase()).map(o -> {
                out[0] = obs.with(c, o);
                return o.passed();
            });
        } else {
            Check.Metric m = (Check.Metric) c;
            passed = metrics.check(canary, m.metric(), m.part()).map(o -> {
                out[0] = obs.with(c, o);
                return o.passed();
            });
        }
        return passed.compose(p -> p == stopOnPass ? Future.succeededFuture(out[0])
                : runChecks(canary, out[0], checks, i + 1, stopOnPass));
    }

    /** Writes the status when it changed; the returned Canary carries the new resourceVersion. */
    private Future<Canary> writeStatus(Canary canary, CanaryStatus status) {
        String before = json.asJson(canary.getStatus() == null ? new CanaryStatus() : canary.getStatus());
        String after = json.asJson(status);
        if (before.equals(after)) {
            return Future.succeededFuture(canary);
        }
        Canary copy = json.clone(canary);
        copy.setStatus(status);
        return kube.updateStatus(copy).map(view::remember);
    }

    // ------------------------------------------------------------------ observe

    private Future<Snapshot> observe(Canary canary, boolean due) {
        String ns = canary.getMetadata().getNamespace();
        String tgt = canary.getSpec().targetRef.name;
        return view.rawDeployment(ns, tgt).compose(raw -> {
            Deployment target = view.toDeployment(raw);
            String revision = raw == null ? null : Revisions.ofDeployment(json.asJson(raw));
            String key = target == null ? null : Workloads.selectorKey(target, settings.selectorLabels());
            String problem = target != null && key == null
                    ? Workloads.selectorProblem(tgt, ns, settings.selectorLabels()) : null;
            return view.deployment(ns, tgt + "-primary").compose(primary -> tracked(target, ns).compose(configs -> {
                String configProblem = configs.problem();
                return hpa(canary).compose(hpa -> routes(canary).map(rt -> {
                    Workload targetFacts = target == null ? null : Workloads.facts(target, revision);
                    Workload primaryFacts = primary == null ? null : Workloads.facts(primary, promotedRevision(primary));
                    Routes routes = GlooRouter.observe(canary, rt.where(), rt.delegate(),
                            settings.waitForRouteAcceptance());
                    Observations obs = new Observations(canary.getMetadata().getName(), ns,
                            canary.getMetadata().getGeneration() == null ? 0 : canary.getMetadata().getGeneration(),
                            canary.getMetadata().getDeletionTimestamp() != null,
                            canary.getMetadata().getFinalizers() != null
                                    && canary.getMetadata().getFinalizers().contains(WellKnown.FINALIZER),
                            targetFacts, problem != null ? problem : configProblem, primaryFacts, configs.checksums(),
                            hpa == null || hpa.getSpec() == null ? null : hpa.getSpec().getMinReplicas(), routes, due,
                            NoDataPolicy.resolve(canary, settings.noDataPolicy()), settings.noDataDeadline(), Map.of(),
                            Map.of(), null);
                    return new Snapshot(canary, target, revision, key, primary, hpa, rt.parent(), rt.where(),
                            rt.delegate(), configs.objects(), obs);
                }));
            }));
        });
    }

    private static String promotedRevision(Deployment primary) {
        Map<String, String> a = primary.getMetadata().getAnnotations();
        return a == null ? null : a.get(Workloads.PROMOTED_REVISION_ANNOTATION);
    }

    private record Configs(Map<String, String> checksums, List<HasMetadata> objects, String problem) {
    }

    private Future<Configs> tracked(Deployment target, String ns) {
        if (!settings.configTracking() || target == null || target.getSpec() == null
                || target.getSpec().getTemplate() == null) {
            return Future.succeededFuture(new Configs(Map.of(), List.of(), null));
        }
        List<ConfigTracker.Ref> refs = ConfigTracker.scan(target.getSpec().getTemplate().getSpec());
        Map<String, String> sums = new LinkedHashMap<>();
        List<HasMetadata> objects = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (ConfigTracker.Ref ref : refs) {
            chain = chain.compose(v -> {
                if (ref.kind().equals("configmap")) {
                    return kube.configMapOf(ns, ref.name()).map(cm -> {
                        if (cm == null) {
                            if (!ref.optional()) {
                                missing.add("configmap " + ref.name() + "." + ns + " not found");
                            }
                        } else if (!ConfigTracker.disabled(cm)) {
                            sums.put(ref.key(), ConfigTracker.checksum(cm));
                            objects.add(cm);
                        }
                        return null;
                    });
                }
                return kube.secretOf(ns, ref.name()).map(s -> {
                    if (s == null) {
                        if (!ref.optional()) {
                            missing.add("secret " + ref.name() + "." + ns + " not found");
                        }
                    } else if (!ConfigTracker.disabled(s) && ConfigTracker.trackable(s)) {
                        sums.put(ref.key(), ConfigTracker.checksum(s));
                        objects.add(s);
                    }
                    return null;
                });
            });
        }
        return chain.map(v -> new Configs(sums, objects, missing.isEmpty() ? null : String.join("; ", missing)));
    }

    private Future<HorizontalPodAutoscaler> hpa(Canary canary) {
        var ref = canary.getSpec().autoscalerRef;
        if (ref == null || !"HorizontalPodAutoscaler".equals(ref.kind)) {
            return Future.succeededFuture(null);
        }
        return kube.hpa(canary.getMetadata().getNamespace(), ref.name);
    }

    private record RouteRead(RouteTable parent, GlooRouter.Delegate where, RouteTable delegate) {
    }

    private Future<RouteRead> routes(Canary canary) {
        var ref = canary.getSpec().routeTableRef;
        Future<RouteTable> parent = ref == null || ref.name == null
                ? Future.succeededFuture(null)
                : view.routeTable(GlooRouter.parentNamespace(canary), ref.name);
        return parent.compose(p -> {
            GlooRouter.Delegate where = GlooRouter.resolve(canary, p);
            if (where.problem() != null) {
                return Future.succeededFuture(new RouteRead(p, where, null));
            }
            return view.routeTable(where.namespace(), where.name()).map(d -> new RouteRead(p, where, d));
        });
    }

    // ------------------------------------------------------------------ act

    /**
     * Runs the actions in order, best effort: the status is already written, so a reconcile that retries decides from
     * it and would never repeat what this one dropped. A failed write skips the later writes (scaling the canary down
     * while the routes still send it traffic would be worse than waiting), but Events, alerts and hooks always run; the
     * first failure is reported afterwards for backoff, and the converging writes are repaired on the next reconcile.
     */
    private Future<Void> act(Snapshot s, List<Action> actions) {
        Throwable[] first = {null};
        Future<Void> chain = Future.succeededFuture();
        for (Action a : actions) {
            chain = chain.compose(v -> {
                if (first[0] != null && !alwaysRuns(a)) {
                    LOG.info("{}: {} skipped after an earlier failure", s.canary().key(), a);
                    return Future.succeededFuture();
                }
                return perform(s, a).recover(err -> {
                    if (first[0] == null) {
                        first[0] = err;
                    }
                    if (err instanceof Kube.NotLeaderException || Kube.isConflict(err)) {
                        // Lost leadership, or someone wrote the object first: retried shortly, not worth an Event.
                        LOG.info("{}: {} not done: {}", s.canary().key(), a, err.getMessage());
                        return Future.succeededFuture();
                    }
                    LOG.warn("{}: {} failed: {}", s.canary().key(), a, err.getMessage());
                    String text = err.getMessage() == null ? err.toString() : err.getMessage();
                    return emit(s.canary(), Action.EmitEvent.Type.Warning, text, Map.of());
                });
            });
        }
        return chain.compose(v -> first[0] == null ? Future.succeededFuture() : Future.failedFuture(first[0]));
    }

    /** What tells people and hooks about the decision: never held back by a failed write. */
    private static boolean alwaysRuns(Action a) {
        return a instanceof Action.EmitEvent || a instanceof Action.SendAlert || a instanceof Action.CallHooks;
    }

    private Future<Void> perform(Snapshot s, Action a) {
        if (a instanceof Action.ReconcileServices r) {
            return services(s, r.apex());
        } else if (a instanceof Action.EnsurePrimary) {
            // Copies are only created here; their data follows the target's only at promotion, or the primary would
            // run the canary's configuration before the analysis judged it.
            return s.primary() != null || s.target() == null || s.selectorKey() == null
                    ? syncConfigCopies(s, false) : syncConfigCopies(s, false).compose(v -> createPrimary(s));
        } else if (a instanceof Action.ReconcileAutoscaler r) {
            return autoscaler(s, r.update());
        } else if (a instanceof Action.SetRoutes r) {
            return setRoutes(s, r.primary(), r.canary(), false);
        } else if (a instanceof Action.ReleaseRoutes) {
            return setRoutes(s, 100, 0, true);
        } else if (a instanceof Action.ScaleTarget sc) {
            return scale(s, sc.replicas());
        } else if (a instanceof Action.RestoreTarget r) {
            return scale(s, r.replicas());
        } else if (a instanceof Action.PromoteTemplate p) {
            return promote(s, p.revision());
        } else if (a instanceof Action.EmitEvent e) {
            return emit(s.canary(), e.type(), e.message(), e.annotations());
        } else if (a instanceof Action.SendAlert al) {
            notifier.alert(s.canary(), al.message(), al.severity(), al.withMetadata());
            return Future.succeededFuture();
        } else if (a instanceof Action.CallHooks c) {
            return postHooks(s.canary(), c);
        } else if (a instanceof Action.AddFinalizer) {
            return finalizer(s.canary(), true);
        } else if (a instanceof Action.RemoveFinalizer) {
            return finalizer(s.canary(), false);
        }
        return Future.failedFuture(new IllegalArgumentException("unknown action " + a));
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
        List<Service> desired = new ArrayList<>();
        desired.add(Workloads.service(c, svc + "-canary", key, value, meta.canary));
        desired.add(Workloads.service(c, svc + "-primary", key, value + "-primary", meta.primary));
        if (apex) {
            desired.add(Workloads.service(c, svc, key, value + "-primary", meta.apex));
        }
        Future<Void> chain = Future.succeededFuture();
        for (Service d : desired) {
            chain = chain.compose(v -> view.service(d.getMetadata().getNamespace(), d.getMetadata().getName())
                    .compose(live -> {
                        if (live == null) {
                            LOG.info("Service {}.{} created", d.getMetadata().getName(), d.getMetadata().getNamespace());
                            return kube.create(d).mapEmpty();
                        }
                        Service merged = Workloads.merge(live, d, c);
                        if (merged == null) {
                            return Future.succeededFuture();
                        }
                        LOG.info("Service {}.{} updated", d.getMetadata().getName(), d.getMetadata().getNamespace());
                        return kube.update(merged).mapEmpty();
                    }));
        }
        return chain;
    }

    private Set<String> trackedKeys(Snapshot s) {
        Set<String> keys = new HashSet<>();
        for (HasMetadata o : s.tracked()) {
            keys.add((o instanceof ConfigMap ? "configmap/" : "secret/") + o.getMetadata().getName());
        }
        return keys;
    }

    private Future<Void> createPrimary(Snapshot s) {
        Deployment p = Workloads.primary(s.canary(), s.target(), s.selectorKey(), s.revision(), trackedKeys(s),
                settings.includeLabelPrefixes(), settings.selectorLabels(), json);
        LOG.info("Deployment {}.{} created", p.getMetadata().getName(), p.getMetadata().getNamespace());
        return kube.create(p).mapEmpty();
    }

    /** The {@code -primary} copies of tracked configs, owned by the Canary (other owners kept, not controlling). */
    private Future<Void> syncConfigCopies(Snapshot s, boolean update) {
        Future<Void> chain = Future.succeededFuture();
        for (HasMetadata o : s.tracked()) {
            chain = chain.compose(v -> {
                String ns = o.getMetadata().getNamespace();
                String name = o.getMetadata().getName() + "-primary";
                Future<? extends HasMetadata> live = o instanceof ConfigMap
                        ? kube.configMapOf(ns, name) : kube.secretOf(ns, name);
                return live.compose(l -> {
                    HasMetadata copy = json.clone(o);
                    ObjectMeta m = new ObjectMeta();
                    m.setName(name);
                    m.setNamespace(ns);
                    m.setLabels(o.getMetadata().getLabels());
                    List<OwnerReference> owners = new ArrayList<>();
                    owners.add(Workloads.ownerRef(s.canary()));
                    if (l != null && l.getMetadata().getOwnerReferences() != null) {
                        l.getMetadata().getOwnerReferences().stream()
                                .filter(r -> !Objects.equals(r.getUid(), s.canary().getMetadata().getUid()))
                                .forEach(r -> {
                                    r.setController(false);
                                    owners.add(r);
                                });
                    }
                    m.setOwnerReferences(owners);
                    copy.setMetadata(m);
                    if (l == null) {
                        LOG.info("{} {}.{} synced", o.getKind(), name, ns);
                        return kube.create(copy).mapEmpty();
                    }
                    m.setResourceVersion(l.getMetadata().getResourceVersion());
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
        if (s.hpa() == null) {
            return Future.succeededFuture();
        }
        HorizontalPodAutoscaler desired = Workloads.primaryHpa(s.canary(), s.hpa(), json);
        String ns = desired.getMetadata().getNamespace();
        return kube.hpa(ns, desired.getMetadata().getName()).compose(live -> {
            if (live == null) {
                return kube.create(desired).mapEmpty();
            }
            if (!update || json.asJson(live.getSpec()).equals(json.asJson(desired.getSpec()))) {
                return Future.succeededFuture();
            }
            HorizontalPodAutoscaler next = json.clone(live);
            next.setSpec(desired.getSpec());
            next.getMetadata().setLabels(desired.getMetadata().getLabels());
            return kube.update(next).mapEmpty();
        });
    }

    private Future<Void> setRoutes(Snapshot s, int primary, int canary, boolean release) {
        GlooRouter.Delegate where = s.delegateAt();
        if (where == null || where.problem() != null || s.parent() == null
                || GlooRouter.foreignOwner(s.delegate(), s.canary()) != null) {
            // Already reported as a Warning by the decision; writing would only make things worse.
            return Future.succeededFuture();
        }
        // From the cache: a write based on a stale version fails with a conflict and is retried.
        return view.routeTable(where.namespace(), where.name()).compose(live -> {
            RouteTable desired = GlooRouter.desired(s.canary(), s.parent(), where, live, primary, canary, json);
            if (release) {
                GlooRouter.release(desired, s.canary());
            }
            if (live == null) {
                if (release) {
                    return Future.succeededFuture();
                }
                LOG.info("Delegate RouteTable {} created", where.key());
                return kube.createRouteTable(desired).mapEmpty();
            }
            if (GlooRouter.same(live, desired, json)) {
                return Future.succeededFuture();
            }
            LOG.info("Delegate RouteTable {} updated: primary {} canary {}", where.key(), primary, canary);
            return kube.updateRouteTable(desired).mapEmpty();
        });
    }

    private Future<Void> scale(Snapshot s, int replicas) {
        if (s.target() == null) {
            return Future.succeededFuture();
        }
        Integer now = s.target().getSpec().getReplicas();
        if (now != null && now == replicas) {
            return Future.succeededFuture();
        }
        LOG.info("Scaling Deployment {}.{} to {}", s.target().getMetadata().getName(),
                s.target().getMetadata().getNamespace(), replicas);
        return kube.scale(s.target().getMetadata().getNamespace(), s.target().getMetadata().getName(), replicas);
    }

    private Future<Void> promote(Snapshot s, String revision) {
        String ns = s.canary().getMetadata().getNamespace();
        String tgt = s.canary().getSpec().targetRef.name;
        return view.rawDeployment(ns, tgt).compose(raw -> {
            String now = raw == null ? null : Revisions.ofDeployment(json.asJson(raw));
            if (raw != null && !Objects.equals(now, revision)) {
                // The template changed after the analysis: copying it would promote what nobody analysed. The next
                // reconcile sees the new revision and restarts the run.
                return emit(s.canary(), Action.EmitEvent.Type.Warning, "Promotion of " + tgt + "." + ns
                        + " skipped: its template changed to revision " + now + " after revision " + revision
                        + " was analysed", Map.of());
            }
            return syncConfigCopies(s, true).compose(v -> promoteCopy(s, view.toDeployment(raw),
                    revision));
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
                    Deployment next = Workloads.promote(primary, target, s.selectorKey(), revision, trackedKeys(s),
                            settings.includeLabelPrefixes(), settings.selectorLabels(),
                            s.canary().getSpec().autoscalerRef != null, json);
                    return kube.update(next).mapEmpty();
                });
    }

    private Future<Void> postHooks(Canary canary, Action.CallHooks call) {
        List<CanaryAnalysis.Webhook> hooks = new ArrayList<>();
        var a = canary.getSpec().effectiveAnalysis();
        if (a != null && a.webhooks != null) {
            a.webhooks.stream().filter(h -> call.type().equals(CanaryDefaults.webhookType(h))).forEach(hooks::add);
        }
        Future<Boolean> chain = Future.succeededFuture(true);
        for (CanaryAnalysis.Webhook h : hooks) {
            chain = chain.compose(ok -> !ok ? Future.succeededFuture(false) : webhooks.call(canary, h, call.phase())
                    .compose(o -> o.passed()
                            ? emit(canary, Action.EmitEvent.Type.Normal, "Post-rollout check " + h.name + " passed",
                                    Map.of()).map(true)
                            : emit(canary, Action.EmitEvent.Type.Warning,
                                    "Post-rollout hook " + h.name + " failed " + o.error(), Map.of()).map(false)));
        }
        return chain.mapEmpty();
    }

    private Future<Void> finalizer(Canary canary, boolean add) {
        Canary copy = json.clone(canary);
        List<String> f = copy.getMetadata().getFinalizers() == null
                ? new ArrayList<>() : new ArrayList<>(copy.getMetadata().getFinalizers());
        boolean changed = add ? !f.contains(WellKnown.FINALIZER) && f.add(WellKnown.FINALIZER)
                : f.remove(WellKnown.FINALIZER);
        if (!changed) {
            return Future.succeededFuture();
        }
        copy.getMetadata().setFinalizers(f);
        copy.setStatus(null);
        return kube.updateCanary(copy).map(view::remember).mapEmpty();
    }

    /**
     * One name per (involved object, type, reason, message, annotations), so that a repeated Event is aggregated
     * ({@code count} raised) rather than created again on every interval.
     */
    static String eventName(Canary canary, Action.EmitEvent.Type type, String message, Map<String, String> annotations) {
        String identity = String.join("\u0000", canary.getMetadata().getNamespace(), canary.getMetadata().getName(),
                Objects.toString(canary.getMetadata().getUid(), ""), type.name(), "Synced", message,
                new java.util.TreeMap<>(annotations).toString());
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return canary.getMetadata().getName() + "." + java.util.HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * Records a Kubernetes Event (reason {@code Synced}, texts as Flagger's; the source component is {@code sluice},
     * the one deliberate difference) and forwards it to the event webhooks. A failed Event is logged, never fatal.
     */
    Future<Void> emit(Canary canary, Action.EmitEvent.Type type, String message, Map<String, String> annotations) {
        LOG.info("{} {} {}", canary.key(), type, message);
        notifier.event(canary, type.name(), message);
        String stamp = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Event e = new EventBuilder().withNewMetadata()
                .withName(eventName(canary, type, message, annotations))
                .withNamespace(canary.getMetadata().getNamespace()).withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata()
                .withNewInvolvedObject().withApiVersion(canary.getApiVersion()).withKind("Canary")
                .withName(canary.getMetadata().getName()).withNamespace(canary.getMetadata().getNamespace())
                .withUid(canary.getMetadata().getUid()).withResourceVersion(canary.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withReason("Synced").withMessage(message).withType(type.name())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT).withReportingInstance(settings.instance())
                .withFirstTimestamp(stamp).withLastTimestamp(stamp).withCount(1).build();
        long sent = System.nanoTime();
        return kube.event(e).onSuccess(written -> LOG.debug("{}: Event {} written in {} us", canary.key(),
                e.getMetadata().getName(), (System.nanoTime() - sent) / 1000)).<Void>mapEmpty().recover(err -> {
            LOG.warn("{}: could not record event '{}': {}", canary.key(), message, err.getMessage());
            return Future.succeededFuture();
        });
    }

}
