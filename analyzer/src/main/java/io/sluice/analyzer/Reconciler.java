package io.sluice.analyzer;

import io.sluice.analyzer.decision.CanaryDecider;
import io.sluice.analyzer.decision.Check;
import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.ProgressBudget;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.decision.Result;
import io.sluice.analyzer.gates.MetricGate;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.gates.WebhookGate;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.UndecodableCanary;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one Canary: gather (read once) → decide and run the checks it asks for ({@link CheckLoop}) → write
 * the status once ({@link StatusWriter}; a conflict re-reads and decides again, keeping the tick's check outcomes) →
 * act ({@link ActionExecutor}, Events through {@link EventRecorder}).
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int CONFLICT_RETRIES = 3;

    private final ClusterView view;
    private final Gatherer gatherer;
    private final StatusWriter statuses;
    private final ActionExecutor executor;
    private final MetricGate metrics;
    private final WebhookGate webhooks;
    private final Clock clock;
    /** Runs started here that the cache may not show yet: the concurrency budget counts them. */
    private final StartedRuns started = new StartedRuns();

    private ReconcileListener listener = ReconcileListener.NONE;
    private java.util.function.Predicate<String> owns = key -> true;
    private Function<Canary, Future<ProviderAvailability>> providers =
            c -> Future.succeededFuture(ProviderAvailability.NOTHING_TO_REPORT);

    /** Reads what {@code caches} hold from them, the rest (and writes) through {@code kube}. */
    Reconciler(
            Kube kube,
            Caches caches,
            Settings settings,
            MetricGate metrics,
            WebhookGate webhooks,
            Notifier notifier,
            Clock clock) {
        this.view = new ClusterView(caches, kube);
        this.gatherer = new Gatherer(kube, view, settings, started);
        this.statuses = new StatusWriter(kube, view);
        this.executor = new ActionExecutor(
                kube,
                view,
                settings,
                webhooks,
                notifier,
                new EventRecorder(kube, notifier, clock, settings.instance()));
        this.metrics = metrics;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    /**
     * How a reconcile ended.
     *
     * @param requeue      when to look again; with {@code consumedTick}, when the next analysis tick is due
     * @param consumedTick the analysis tick was used (or, at first sight, is not due yet): the next one is due
     *                     after {@code requeue}
     * @param gone         the Canary no longer exists, or is another provider's ({@link Coexistence}): nothing is
     *                     kept about it
     * @param interval     the Canary's analysis interval as this reconcile read it: a change moves the pending tick
     */
    record Outcome(Duration requeue, boolean consumedTick, boolean gone, CanaryStatus status, Duration interval) {
        /** An outcome whose {@code requeue} is one analysis interval (every decision's). */
        Outcome(Duration requeue, boolean consumedTick, boolean gone, CanaryStatus status) {
            this(requeue, consumedTick, gone, status, requeue);
        }
    }

    /**
     * A Canary the analyzer cannot decode (see {@link io.sluice.analyzer.kube.TolerantSerialization}): skipped, with
     * a Warning Event on it; retried with the work queue's backoff, so that a fix is picked up.
     */
    static final class Undecodable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Undecodable(UndecodableCanary c) {
            super("canary " + c.getMetadata().getName() + "." + c.getMetadata().getNamespace() + " cannot be decoded: "
                    + c.problem());
        }
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

    /**
     * One decision. The first attempt reads the Canary from the cache; after a conflict (the cache, or this read, was
     * stale) it is read from the API server, and the checks already run this tick are not run again.
     */
    private Future<Outcome> attempt(String ns, String name, Boolean dueOrNull, Observations earlier, int conflicts) {
        if (!owns.test(ns + "/" + name)) {
            LOG.debug("canary {}.{} belongs to a shard this replica does not hold: left to its holder", name, ns);
            return Future.succeededFuture(new Outcome(Duration.ZERO, false, true, null));
        }
        Future<Canary> fetched =
                conflicts == 0 ? Future.succeededFuture(view.canary(ns, name)) : view.freshCanary(ns, name);
        return fetched.compose(canary -> {
            if (canary == null) {
                started.forget(ns + "/" + name);
                view.services.forget(ns + "/" + name);
                return Future.succeededFuture(new Outcome(Duration.ZERO, false, true, null));
            }
            if (!Coexistence.ours(canary)) {
                LOG.debug(
                        "canary {}.{} has provider {}: left to that provider's controller",
                        name,
                        ns,
                        Coexistence.provider(canary));
                return Future.succeededFuture(new Outcome(Duration.ZERO, false, true, null));
            }
            if (canary instanceof UndecodableCanary broken) {
                return executor.undecodable(broken).compose(v -> Future.failedFuture(new Undecodable(broken)));
            }
            Duration wait = dueOrNull == null ? untilDue(canary) : Duration.ZERO;
            if (dueOrNull == null && !wait.isZero()) {
                // Not due yet: react to watch events meanwhile, take the next step when the interval is up.
                return attempt(ns, name, false, earlier, conflicts)
                        .map(o -> o.gone() ? o : new Outcome(wait, true, false, o.status(), o.interval()));
            }
            return gatherer.gather(canary, dueOrNull == null || dueOrNull).compose(snap -> {
                long checksStarted = System.nanoTime();
                return decide(canary, snap.observations(), earlier)
                        .compose(decided -> write(snap, canary, decided)
                                .compose(
                                        written -> act(
                                                snap.as(
                                                        written.canary(),
                                                        written.decided().observations()),
                                                canary,
                                                written.decided().decision(),
                                                checksStarted),
                                        err -> againAfterConflict(
                                                err, ns, name, dueOrNull, decided.observations(), conflicts)));
            });
        });
    }

    private record Written(Canary canary, CheckLoop.Decided decided) {}

    /**
     * Writes the decision's status. A decision that starts a run looks at the concurrency budget once more right
     * before, since the gather: another Canary may have taken the last slot meanwhile (its checks ran while this one's
     * did). If so it decides again with where it stands now; if not, the run counts as running from this moment on,
     * before the cache can show it.
     */
    private Future<Written> write(Snapshot snap, Canary canary, CheckLoop.Decided decided) {
        Result.Decision d = decided.decision();
        String key = Controller.key(canary);
        boolean starts = startsRun(canary.getStatus(), d.status());
        if (starts) {
            ProgressBudget.Standing now = gatherer.standing(canary);
            if (!now.mayStart() && decided.observations().standing().mayStart()) {
                LOG.debug("{}: the last slot of the concurrency budget went since the gather; deciding again", key);
                Observations again =
                        decided.observations().toBuilder().standing(now).build();
                return CheckLoop.decide(
                                obs -> CanaryDecider.decide(canary.getSpec(), canary.getStatus(), obs, clock.instant()),
                                again,
                                gates(canary))
                        .compose(redecided -> write(snap, canary, redecided));
            }
            started.starting(key, canary, d.status());
        }
        return statuses.fencedBy(() -> owns.test(key), notHeld(key))
                .write(canary, d.status())
                .andThen(ar -> {
                    if (starts && ar.succeeded()) {
                        started.written(key, ar.result());
                    } else if (starts) {
                        started.forget(key);
                    }
                })
                .map(written -> new Written(written, decided));
    }

    /** The decision moves the Canary into a running phase from one that holds no slot. */
    static boolean startsRun(CanaryStatus before, CanaryStatus after) {
        boolean was = before != null && before.phase() != null && before.phase().isRunning();
        return !was && after != null && after.phase() != null && after.phase().isRunning();
    }

    /** The decision with every check it asks for; after a conflict, the checks this tick already ran are kept. */
    private Future<CheckLoop.Decided> decide(Canary canary, Observations read, Observations earlier) {
        return CheckLoop.decide(
                obs -> CanaryDecider.decide(canary.getSpec(), canary.getStatus(), obs, clock.instant()),
                earlier == null ? read : read.withOutcomesOf(earlier),
                gates(canary));
    }

    private Future<Outcome> againAfterConflict(
            Throwable err, String ns, String name, Boolean dueOrNull, Observations decided, int conflicts) {
        if (StatusWriter.conflicted(err) && conflicts < CONFLICT_RETRIES) {
            LOG.debug("status of {}.{} changed underneath; deciding again", name, ns);
            return attempt(ns, name, dueOrNull, decided, conflicts + 1);
        }
        return Future.failedFuture(err);
    }

    /** {@code checksStarted}: when the decision's checks began ({@link System#nanoTime()}). */
    private Future<Outcome> act(Snapshot s, Canary read, Result.Decision d, long checksStarted) {
        Outcome outcome = new Outcome(d.requeue(), d.consumedTick(), false, d.status());
        long started = System.nanoTime();
        String key = Controller.key(read);
        return executor.fencedBy(() -> owns.test(key), notHeld(key))
                .run(s, d.actions())
                .transform(ar -> {
                    if (!s.observations().blocked()) {
                        // A Canary that must not act is no run: the run metrics keep not seeing it.
                        long end = System.nanoTime();
                        listener.reconciled(s.canary(), read.getStatus(), d.status(), Duration.ofNanos(end - started));
                        if (d.analysed()) {
                            listener.analysed(s.canary(), Duration.ofNanos(end - checksStarted));
                        }
                    }
                    // The status is written either way: a failed action must not leave the tick owed, or the retry that
                    // repairs it would also take the next step early.
                    return ar.succeeded()
                            ? Future.succeededFuture(outcome)
                            : Future.failedFuture(new ActionsFailed(ar.cause(), outcome));
                });
    }

    private static String notHeld(String key) {
        return "the shard of " + key + " is no longer held here";
    }

    private CheckLoop.Gates gates(Canary canary) {
        return new CheckLoop.Gates() {
            @Override
            public Future<ProviderAvailability> providers() {
                return providers.apply(canary);
            }

            @Override
            public Future<HookOutcome> hook(Check.Hook check) {
                return webhooks.call(canary, check.hook(), check.phase());
            }

            @Override
            public Future<MetricOutcome> metric(Check.Metric check) {
                return metrics.check(canary, check.metric(), check.part());
            }
        };
    }

    private Duration untilDue(Canary canary) {
        CanaryStatus st = canary.getStatus();
        if (st == null
                || st.lastTransitionTime == null
                || st.phase() == null
                || !st.phase().isRunning()) {
            return Duration.ZERO;
        }
        try {
            Instant next = Instant.parse(st.lastTransitionTime)
                    .plus(CanaryDefaults.interval(canary.getSpec().effectiveAnalysis()));
            Duration left = Duration.between(clock.instant(), next);
            return left.isNegative() ? Duration.ZERO : left;
        } catch (DateTimeParseException e) {
            return Duration.ZERO;
        }
    }

    /** How to ask the metric providers whether they answer (reported while initializing). */
    Reconciler providers(Function<Canary, Future<ProviderAvailability>> check) {
        this.providers = check;
        return this;
    }

    /**
     * Which Canaries, by key {@code namespace/name}, this replica may act on right now (with shards, those of the
     * shards it holds). Asked before every reconcile, before the status write and before every action: a Canary
     * whose shard went elsewhere is dropped, as a deleted one is, and its decision is not written.
     */
    Reconciler owns(java.util.function.Predicate<String> owned) {
        this.owns = owned;
        return this;
    }

    Reconciler listener(ReconcileListener l) {
        this.listener = l;
        return this;
    }

    /** Where every Canary comes from (the informer's store), for the concurrency budget. */
    Reconciler all(java.util.function.Supplier<List<Canary>> lookup) {
        gatherer.all(lookup);
        return this;
    }

    /** Where the namespaces' caps of the concurrency budget come from. */
    Reconciler namespaceCaps(NamespaceCaps caps) {
        gatherer.namespaceCaps(caps);
        return this;
    }

    /** Where the Canaries that may share this one's target come from (the informer's store). */
    Reconciler siblings(Function<Canary, List<Canary>> lookup) {
        gatherer.siblings(lookup);
        return this;
    }

    /** The delegate writes of this process whose watch events have not come back yet. */
    /** The Canaries whose Services were found as they should be (for tests). */
    ConvergedServices convergedServices() {
        return view.services;
    }

    OwnRouteWrites routeWrites() {
        return view.routeWrites;
    }
}
