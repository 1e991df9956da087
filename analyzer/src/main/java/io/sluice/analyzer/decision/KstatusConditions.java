package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.PromotedCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The kstatus conditions (the convention Flux's health checks and {@code kubectl wait --for=condition=Ready} read),
 * written next to Flagger's {@code Promoted}; the phase stays what Argo CD's phase-based health check reads.
 *
 * <ul>
 *   <li>{@code Ready}: True when the Canary rests with its release promoted (Initialized, Succeeded); False otherwise,
 *       with the phase (or why it is halted) as reason and Promoted's message.
 *   <li>{@code Reconciling}: True while a run or the bootstrap is in progress (every phase but Initialized, Succeeded
 *       and Failed), reason the phase; False otherwise.
 *   <li>{@code Stalled}: True when the last run failed (reason {@code Failed}), or the Canary is halted on something
 *       only a person can fix: an invalid spec, a second Canary on the target, a missing or unusable target; False
 *       otherwise.
 * </ul>
 *
 * Each condition keeps its place in the list and its {@code lastTransitionTime} while its status stays, and is left
 * untouched (so the status is not rewritten) while status, reason and message stay.
 */
public final class KstatusConditions {
    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";

    private KstatusConditions() {}

    /**
     * Why the Canary cannot act, when it cannot.
     *
     * @param reason  a CamelCase reason, e.g. {@code ValidationFailed}
     * @param message the Warning Event's text
     */
    public record Halt(String reason, String message) {}

    /**
     * The conditions with the three kstatus ones set for {@code phase} (null: no phase yet), or for {@code halt} when
     * it is not null. Other conditions are kept as they are.
     */
    public static List<CanaryCondition> apply(
            List<CanaryCondition> conditions, CanaryPhase phase, String targetKind, Halt halt, String now) {
        if (halt == null && phase == null) {
            return conditions;
        }
        List<CanaryCondition> out = conditions == null ? new ArrayList<>() : new ArrayList<>(conditions);
        if (halt != null) {
            put(out, set(conditions, READY, false, halt.reason(), halt.message(), now));
            put(out, set(conditions, RECONCILING, false, halt.reason(), halt.message(), now));
            put(out, set(conditions, STALLED, true, halt.reason(), halt.message(), now));
            return out;
        }
        String reason = phase.name();
        String message = PromotedCondition.messageFor(phase, targetKind);
        boolean ready = phase == CanaryPhase.Initialized || phase == CanaryPhase.Succeeded;
        boolean failed = phase == CanaryPhase.Failed;
        put(out, set(conditions, READY, ready, reason, message, now));
        put(out, set(conditions, RECONCILING, !ready && !failed, reason, message, now));
        put(out, set(conditions, STALLED, failed, reason, message, now));
        return out;
    }

    /** Replaces the condition of the same type where it stands (so the list keeps its order), or appends it. */
    private static void put(List<CanaryCondition> conditions, CanaryCondition c) {
        for (int i = 0; i < conditions.size(); i++) {
            if (c.type.equals(conditions.get(i).type)) {
                conditions.set(i, c);
                return;
            }
        }
        conditions.add(c);
    }

    private static CanaryCondition set(
            List<CanaryCondition> conditions, String type, boolean on, String reason, String message, String now) {
        String status = on ? "True" : "False";
        CanaryCondition was = find(conditions, type);
        if (was != null
                && status.equals(was.status)
                && Objects.equals(reason, was.reason)
                && Objects.equals(message, was.message)) {
            return was;
        }
        CanaryCondition c = new CanaryCondition();
        c.type = type;
        c.status = status;
        c.reason = reason;
        c.message = message;
        c.lastUpdateTime = now;
        c.lastTransitionTime = was != null && status.equals(was.status) && was.lastTransitionTime != null
                ? was.lastTransitionTime
                : now;
        return c;
    }

    /** The condition of {@code type} in {@code conditions}, or null. */
    public static CanaryCondition find(List<CanaryCondition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }
}
