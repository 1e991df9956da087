package io.sluice.analyzer.decision;

import io.sluice.analyzer.gates.HookOutcome;
import io.sluice.analyzer.gates.MetricOutcome;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryService;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
    boolean promotedPrimarySettles = true;
    io.sluice.analyzer.gates.NoDataPolicy noData = io.sluice.analyzer.gates.NoDataPolicy.FAIL;
    Duration noDataDeadline;
    io.sluice.analyzer.gates.ProviderAvailability providers = new io.sluice.analyzer.gates.ProviderAvailability(true, "all the metrics providers are available!");
    Function<CanaryAnalysis.Webhook, HookOutcome> hooks = h -> new HookOutcome(h.name, true, 200, null);
    /** When set, answers by entry and part instead of {@link #metrics}. */
    java.util.function.BiFunction<CanaryAnalysis.Metric, io.sluice.analyzer.gates.MetricPart, MetricOutcome> metricParts;
    Function<CanaryAnalysis.Metric, MetricOutcome> metrics =
            m -> new MetricOutcome(m.name, MetricOutcome.Verdict.PASS, 100.0, null);
    final List<String> events = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    final List<Action> actions = new ArrayList<>();
    Result.Decision last;

    /** The seed's Canary: podinfo in test, stepWeight 30, maxWeight 50, threshold 5, interval 20s. */
    static CanarySpec seedSpec() {
        CanarySpec s = new CanarySpec();
        s.provider = "gloo-mesh";
        s.targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", "podinfo");
        s.routeTableRef = new CanarySpec.CrossNamespaceReference("podinfo", "test");
        s.service = new CanaryService();
        s.service.port = 9898;
        s.progressDeadlineSeconds = 60;
        CanaryAnalysis a = new CanaryAnalysis();
        a.interval = "20s";
        a.threshold = 5;
        a.maxWeight = 50;
        a.stepWeight = 30;
        CanaryAnalysis.Metric rate = new CanaryAnalysis.Metric();
        rate.name = "request-success-rate";
        rate.thresholdRange = new CanaryAnalysis.ThresholdRange(99.0, null);
        CanaryAnalysis.Metric duration = new CanaryAnalysis.Metric();
        duration.name = "request-duration";
        duration.thresholdRange = new CanaryAnalysis.ThresholdRange(null, 500.0);
        a.metrics = new ArrayList<>(List.of(rate, duration));
        a.webhooks = new ArrayList<>(List.of(hook("acceptance-test", "pre-rollout"), hook("load-test", "rollout")));
        s.analysis = a;
        return s;
    }

    static CanaryAnalysis.Webhook hook(String name, String type) {
        CanaryAnalysis.Webhook h = new CanaryAnalysis.Webhook();
        h.name = name;
        h.type = type;
        h.url = "http://flagger-loadtester.test/";
        return h;
    }

    CanaryAnalysis analysis() {
        return spec.analysis;
    }

    Duration interval() {
        return CanaryDefaults.interval(spec.analysis);
    }

    Observations observations(boolean due) {
        return new Observations("podinfo", "test", 1, deleting, finalizer, target, null, primary, configs, null, routes,
                due, noData, noDataDeadline, Map.of(), Map.of(), null);
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

    Result.Decision reconcile(boolean due) {
        Observations obs = observations(due);
        for (int round = 0; round < 20; round++) {
            Result r = CanaryDecider.decide(spec, status, obs, now);
            if (r instanceof Result.RunChecks run) {
                obs = runChecks(obs, run);
                continue;
            }
            last = (Result.Decision) r;
            apply(last);
            return last;
        }
        throw new AssertionError("the decision kept asking for checks");
    }

    private Observations runChecks(Observations obs, Result.RunChecks run) {
        for (Check c : run.checks()) {
            boolean passed;
            if (c instanceof Check.Providers) {
                obs = obs.with(c, providers);
                calls.add("providers");
                continue;
            }
            if (c instanceof Check.Hook h) {
                HookOutcome o = hooks.apply(h.hook());
                calls.add(h.key() + "@" + h.phase());
                obs = obs.with(c, o);
                passed = o.passed();
            } else {
                Check.Metric m = (Check.Metric) c;
                MetricOutcome o = metricParts == null ? metrics.apply(m.metric()) : metricParts.apply(m.metric(), m.part());
                calls.add(c.key());
                obs = obs.with(c, o);
                passed = o.passed();
            }
            if (passed == run.stopOnPass()) {
                break;
            }
        }
        return obs;
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
            } else if (a instanceof Action.ScaleTarget s) {
                target = Workload.settled(target.revision(), s.replicas());
            } else if (a instanceof Action.RestoreTarget s) {
                target = Workload.settled(target.revision(), s.replicas());
            } else if (a instanceof Action.PromoteTemplate p) {
                primary = promotedPrimarySettles
                        ? Workload.settled(p.revision(), primary.specReplicas())
                        : new Workload(p.revision(), primary.specReplicas(), null, 2, 1, 0, primary.specReplicas(), 0,
                                false);
            } else if (a instanceof Action.EmitEvent e) {
                events.add(e.type() + " " + e.message());
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
        target = new Workload(revision, target.specReplicas(), target.desiredReplicas(), target.generation() + 1,
                target.generation() + 1, target.updatedReplicas(), target.replicas(), target.availableReplicas(), false);
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

    static Map<String, String> mapOf(String k, String v) {
        Map<String, String> m = new HashMap<>();
        m.put(k, v);
        return m;
    }
}
