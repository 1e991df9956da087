package io.sluice.analyzer.decision;

import io.sluice.model.WellKnown;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanarySpec;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What a metric check that found no data, or could not ask its provider, does to a run.
 *
 * <ul>
 *   <li>{@link #FAIL} (default): it is a failed check, as in Flagger. A Prometheus outage then rolls releases back.
 *   <li>{@link #HOLD}: the weight stays, no failed check is counted; the state machine emits a Warning Event and an
 *       alert that say why, and rolls back only when the hold outlasts {@link #holdDeadline}.
 * </ul>
 *
 * Chosen per Canary by the annotation {@value WellKnown#NO_DATA_POLICY_ANNOTATION}, else by the analyzer's
 * {@code --no-data-policy}. A threshold breach ({@link MetricOutcome.Verdict#FAIL}) always counts, whatever the policy.
 */
public enum NoDataPolicy {
    FAIL,
    HOLD;

    /** The policy named {@code text} ({@code fail} or {@code hold}, any case); empty for anything else. */
    public static Optional<NoDataPolicy> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "fail" -> Optional.of(FAIL);
            case "hold" -> Optional.of(HOLD);
            default -> Optional.empty();
        };
    }

    /**
     * The policy for a Canary whose annotation {@value WellKnown#NO_DATA_POLICY_ANNOTATION} reads {@code annotation}
     * (null without one): the annotation when that names a policy, else {@code globalDefault}. An
     * annotation with another value is ignored here; {@link #annotationProblem} says what is wrong with it.
     */
    public static NoDataPolicy resolve(String annotation, NoDataPolicy globalDefault) {
        return parse(annotation).orElse(globalDefault);
    }

    /** A message for a Warning Event when the annotation is set but names no policy; empty otherwise. */
    public static Optional<String> annotationProblem(String value) {
        if (value == null || parse(value).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(Texts.noDataPolicyIgnored(value));
    }

    /** True when {@code outcome} counts as a failed check under this policy. */
    public boolean countsAsFailedCheck(MetricOutcome outcome) {
        return switch (outcome.verdict()) {
            case PASS -> false;
            case FAIL -> true;
            case NO_DATA, ERROR -> this == FAIL;
        };
    }

    /**
     * How long a run may hold for missing data before it is rolled back: {@code globalDeadline} when set, else the
     * canary's progress deadline ({@code spec.progressDeadlineSeconds}, 600 s by default).
     */
    public static Duration holdDeadline(CanarySpec spec, Duration globalDeadline) {
        if (globalDeadline != null && !globalDeadline.isZero() && !globalDeadline.isNegative()) {
            return globalDeadline;
        }
        return Duration.ofSeconds(CanaryDefaults.progressDeadlineSeconds(spec));
    }
}
