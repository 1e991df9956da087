package io.sluice.analyzer;

import io.sluice.analyzer.decision.Check;
import io.sluice.analyzer.decision.HookOutcome;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.decision.Result;
import io.sluice.analyzer.decision.Texts;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * The protocol between the decision and the checks it asks for, in one place: decide; when the decision asks for
 * checks, run them in order (stopping at the first failure, or at the first pass when asked), add their outcomes to
 * the observations and decide again, until a decision comes back. Public because the decision's test harness drives
 * the same loop.
 */
public final class CheckLoop {
    /** More rounds than any phase needs: a decision that keeps asking is a bug, not a slow check. */
    private static final int MAX_ROUNDS = 16;

    private CheckLoop() {}

    /**
     * Runs each kind of check. A failed future (or an exception) of any of them is an outcome, never a failed
     * reconcile: a provider that cannot be asked is reported, a hook or metric check that broke inside the analyzer
     * is a failed check with the error in its Event, so no reconcile is retried forever without counting it.
     */
    public interface Gates {
        Future<ProviderAvailability> providers();

        Future<HookOutcome> hook(Check.Hook check);

        Future<MetricOutcome> metric(Check.Metric check);
    }

    /** The decision, and the observations (with every check outcome) it was made from. */
    public record Decided(Result.Decision decision, Observations observations) {}

    public static Future<Decided> decide(Function<Observations, Result> decider, Observations obs, Gates gates) {
        return round(decider, obs, gates, 0);
    }

    private static Future<Decided> round(
            Function<Observations, Result> decider, Observations obs, Gates gates, int round) {
        Result r = decider.apply(obs);
        if (r instanceof Result.Decision d) {
            return Future.succeededFuture(new Decided(d, obs));
        }
        if (round >= MAX_ROUNDS) {
            return Future.failedFuture(new IllegalStateException("the decision kept asking for checks"));
        }
        Result.RunChecks run = (Result.RunChecks) r;
        return run(run.checks(), 0, run.stopOnPass(), obs, gates)
                .compose(next -> round(decider, next, gates, round + 1));
    }

    private static Future<Observations> run(
            List<Check> checks, int i, boolean stopOnPass, Observations obs, Gates gates) {
        if (i >= checks.size()) {
            return Future.succeededFuture(obs);
        }
        Check c = checks.get(i);
        return outcome(c, gates).compose(o -> {
            Observations next = obs.with(c, o.outcome());
            return o.passed() == stopOnPass
                    ? Future.succeededFuture(next)
                    : run(checks, i + 1, stopOnPass, next, gates);
        });
    }

    private static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> call) {
        try {
            Future<T> f = call.get();
            return f == null ? Future.failedFuture(new IllegalStateException("no answer")) : f;
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static String reason(Throwable err) {
        return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    }

    private record Outcome(Object outcome, boolean passed) {}

    private static Future<Outcome> outcome(Check c, Gates gates) {
        return c.accept(new Check.Visitor<Future<Outcome>>() {
            @Override
            public Future<Outcome> providers(Check.Providers check) {
                return gates.providers()
                        .otherwise(err -> new ProviderAvailability(false, Texts.providersError(err.getMessage())))
                        .map(o -> new Outcome(o, o.available()));
            }

            @Override
            public Future<Outcome> hook(Check.Hook check) {
                return guarded(() -> gates.hook(check))
                        .otherwise(err -> new HookOutcome(
                                check.hook().name,
                                false,
                                0,
                                Texts.checkFailed("Webhook", check.hook().name, reason(err))))
                        .map(o -> new Outcome(o, o.passed()));
            }

            @Override
            public Future<Outcome> metric(Check.Metric check) {
                return guarded(() -> gates.metric(check))
                        .otherwise(err -> new MetricOutcome(
                                check.metric().name,
                                MetricOutcome.Verdict.ERROR,
                                null,
                                Texts.checkFailed("Metric", check.metric().name, reason(err))))
                        .map(o -> new Outcome(o, o.passed()));
            }
        });
    }
}
