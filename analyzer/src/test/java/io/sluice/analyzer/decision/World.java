package io.sluice.analyzer.decision;

import io.sluice.analyzer.CheckLoop;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A tiny stand-in for the cluster around the decision: it runs the check loop the shell runs, then applies the
 * decision's actions to its own idea of the target, primary and routes, the way a settled cluster would.
 */
final class World {
    CanarySpec spec = seedSpec();
    CanaryStatus status = new CanaryStatus();
    Workload target = Workload.settled("rev-1", 2);
    Workload primary;
    Routes routes = Routes.absent();
    Map<String, String> configs = Map.of();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    boolean deleting;
    boolean finalizer;
    List<String> violations = List.of();
    String olderOnTarget;
    String noDataAnnotation;
    /** The Canary's {@code sluice.io/request} annotation. */
    String requestAnnotation;
    /** Where the Canary stands under the concurrency budget. */
    ProgressBudget.Standing standing = ProgressBudget.Standing.FREE;

    private int requests;
    boolean promotedPrimarySettles = true;
    NoDataPolicy noData = NoDataPolicy.FAIL;
    Duration noDataDeadline;
    ProviderAvailability providers = new ProviderAvailability(true, "all the metrics providers are available!");
    Function<CanaryAnalysis.Webhook, HookOutcome> hooks = h -> new HookOutcome(h.name, true, 200, null);
    /** When set, answers by entry and part instead of {@link #metrics}. */
    java.util.function.BiFunction<CanaryAnalysis.Metric, MetricPart, MetricOutcome> metricParts;

    Function<CanaryAnalysis.Metric, MetricOutcome> metrics =
            m -> new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
    final List<String> events = new ArrayList<>();
    /** The events as the event webhooks get them: {@code (<phase>, <message>)}. */
    final List<String> forwarded = new ArrayList<>();

    final List<String> calls = new ArrayList<>();
    final List<Action> actions = new ArrayList<>();
    Result.Decision last;

    /** The seed's Canary as the repository ships it: podinfo in test, stepWeight 30, maxWeight 50, threshold 5. */
    static CanarySpec seedSpec() {
        return io.sluice.analyzer.testing.Seed.canary().getSpec();
    }

    static CanaryAnalysis.Webhook hook(String name, String type) {
        CanaryAnalysis.Webhook h = new CanaryAnalysis.Webhook();
        h.name = name;
        h.type = type;
        h.url = "http://flagger-loadtester.test/";
        return h;
    }

    Duration interval() {
        return CanaryDefaults.interval(spec.analysis);
    }

    Observations observations(boolean due) {
        return Observations.builder("podinfo", "test")
                .generation(1)
                .deleting(deleting)
                .hasFinalizer(finalizer)
                .target(target)
                .primary(primary)
                .trackedConfigs(configs)
                .routes(routes)
                .analysisDue(due)
                .noDataPolicy(noData)
                .noDataDeadline(noDataDeadline)
                .specViolations(violations)
                .olderOnTarget(olderOnTarget)
                .noDataAnnotation(noDataAnnotation)
                .requestAnnotation(requestAnnotation)
                .standing(standing)
                .build();
    }

    /** One analysis tick: the interval elapses first. */
    Result.Decision tick() {
        now = now.plus(interval());
        return reconcile(true);
    }

    /** A reconcile started by a watch event, between intervals. */
    Result.Decision event() {
        now = now.plusMillis(10);
        return reconcile(false);
    }

    /** Decides through the shell's own check loop; the checks answer at once, so the future is already complete. */
    Result.Decision reconcile(boolean due) {
        Future<CheckLoop.Decided> decided =
                CheckLoop.decide(obs -> CanaryDecider.decide(spec, status, obs, now), observations(due), gates());
        if (decided.failed()) {
            throw new AssertionError(decided.cause());
        }
        last = decided.result().decision();
        apply(last);
        return last;
    }

    private CheckLoop.Gates gates() {
        return new CheckLoop.Gates() {
            @Override
            public Future<ProviderAvailability> providers() {
                calls.add("providers");
                return Future.succeededFuture(providers);
            }

            @Override
            public Future<HookOutcome> hook(Check.Hook c) {
                calls.add("hook/" + CanaryDefaults.webhookType(c.hook()) + "/" + c.hook().name + "@" + c.phase());
                return Future.succeededFuture(hooks.apply(c.hook()));
            }

            @Override
            public Future<MetricOutcome> metric(Check.Metric c) {
                calls.add("metric/" + c.metric().name + (c.part() == MetricPart.TEMPLATE ? "/template" : ""));
                return Future.succeededFuture(
                        metricParts == null ? metrics.apply(c.metric()) : metricParts.apply(c.metric(), c.part()));
            }
        };
    }

    private void apply(Result.Decision d) {
        status = d.status();
        for (Action a : d.actions()) {
            actions.add(a);
            if (a instanceof Action.EnsurePrimary) {
                if (primary == null) {
                    primary = Workload.settled(target.revision(), Math.max(1, target.specReplicas()));
                }
            } else if (a instanceof Action.SetRoutes s) {
                routes = Routes.accepted(s.primary(), s.canary());
            } else if (a instanceof Action.HandBackRoutes) {
                routes = Routes.handedBackAccepted();
            } else if (a instanceof Action.ScaleTarget s) {
                target = Workload.settled(target.revision(), s.replicas());
            } else if (a instanceof Action.RestoreTarget s) {
                target = Workload.settled(target.revision(), s.replicas());
            } else if (a instanceof Action.PromoteTemplate p) {
                primary = promotedPrimarySettles
                        ? Workload.settled(p.revision(), primary.specReplicas())
                        : new Workload(
                                p.revision(), primary.specReplicas(), null, 2, 1, 0, primary.specReplicas(), 0, false);
            } else if (a instanceof Action.EmitEvent e) {
                events.add(e.type() + " " + e.message());
                forwarded.add("(" + (e.phase() == null ? "" : e.phase().name()) + ", " + e.message() + ")");
            } else if (a instanceof Action.CallHooks c) {
                calls.add("call/" + c.type() + "@" + c.phase());
            } else if (a instanceof Action.AddFinalizer) {
                finalizer = true;
            } else if (a instanceof Action.RemoveFinalizer) {
                finalizer = false;
            }
        }
    }

    /** Bootstrap to Initialized. */
    World initialized() {
        tick();
        event();
        if (!"Initialized".equals(status.phase)) {
            throw new AssertionError("bootstrap did not finish: " + status.phase + " " + events);
        }
        events.clear();
        calls.clear();
        actions.clear();
        return this;
    }

    /** {@code kubectl set image}: a new template revision on the target. */
    World newRevision(String revision) {
        target = new Workload(
                revision,
                target.specReplicas(),
                target.desiredReplicas(),
                target.generation() + 1,
                target.generation() + 1,
                target.updatedReplicas(),
                target.replicas(),
                target.availableReplicas(),
                false);
        return this;
    }

    /**
     * A runtime request as the admission service admits it: the annotation {@code action} on the Canary, and its
     * record in the status for the revision the request resolves to.
     */
    World request(String action, String revision, String user, String source) {
        requestAnnotation = action;
        CanaryStatus.RecordedRequest r = new CanaryStatus.RecordedRequest();
        r.action = action;
        r.revision = revision;
        r.user = user;
        r.source = source;
        r.uid = "uid-" + (++requests);
        r.requestedAt = now.toString();
        status.request = r;
        return this;
    }

    String phase() {
        return status.phase;
    }

    int weight() {
        return status.canaryWeight == null ? 0 : status.canaryWeight;
    }

    int failedChecks() {
        return status.failedChecks == null ? 0 : status.failedChecks;
    }

    /** Ticks until the phase is one of {@code phases}, at most {@code max} times. */
    World tickUntil(int max, String... phases) {
        for (int i = 0; i < max; i++) {
            if (List.of(phases).contains(status.phase)) {
                return this;
            }
            tick();
        }
        if (!List.of(phases).contains(status.phase)) {
            throw new AssertionError("still " + status.phase + " after " + max + " ticks: " + events);
        }
        return this;
    }
}
