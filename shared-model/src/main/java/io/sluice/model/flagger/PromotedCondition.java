package io.sluice.model.flagger;

import java.util.ArrayList;
import java.util.List;

/**
 * The one condition a Canary carries, {@code Promoted}: its status, reason and message follow the phase. The
 * transition time is kept unless the status flips, so {@code kubectl wait --for=condition=promoted} and
 * dashboards see real transitions only.
 */
public final class PromotedCondition {
    public static final String TYPE = "Promoted";

    private PromotedCondition() {}

    /** {@code True}, {@code False} or {@code Unknown} for the phase. */
    public static String statusFor(CanaryPhase phase) {
        return switch (phase) {
            case Initialized, Succeeded -> "True";
            case Failed -> "False";
            default -> "Unknown";
        };
    }

    /** The message for the phase; {@code targetKind} is {@code spec.targetRef.kind}, e.g. Deployment. */
    public static String messageFor(CanaryPhase phase, String targetKind) {
        return switch (phase) {
            case Initialized -> targetKind + " initialization completed.";
            case Waiting, WaitingPromotion -> "Waiting for approval.";
            case Progressing -> "New revision detected, progressing canary analysis.";
            case Promoting -> "Canary analysis completed, starting primary rolling update.";
            case Finalising -> "Canary analysis completed, routing all traffic to primary.";
            case Succeeded -> "Canary analysis completed successfully, promotion finished.";
            case Failed -> "Canary analysis failed, " + targetKind + " scaled to zero.";
            default -> "New " + targetKind + " detected, starting initialization.";
        };
    }

    /** The current Promoted condition in {@code conditions}, or {@code null}. */
    public static CanaryCondition find(List<CanaryCondition> conditions) {
        if (conditions == null) {
            return null;
        }
        for (CanaryCondition c : conditions) {
            if (TYPE.equals(c.type)) {
                return c;
            }
        }
        return null;
    }

    /**
     * The conditions after entering {@code phase} at {@code now} (RFC 3339). Other condition types are kept.
     * An existing Promoted condition with the same status keeps its {@code lastTransitionTime}; it is replaced
     * only when status or reason changes, otherwise returned as is.
     */
    public static List<CanaryCondition> apply(
            List<CanaryCondition> conditions, CanaryPhase phase, String targetKind, String now) {
        String status = statusFor(phase);
        String reason = phase.name();
        String message = messageFor(phase, targetKind);
        List<CanaryCondition> result = new ArrayList<>();
        CanaryCondition current = null;
        if (conditions != null) {
            for (CanaryCondition c : conditions) {
                if (TYPE.equals(c.type)) {
                    current = c;
                } else {
                    result.add(c);
                }
            }
        }
        if (current != null && status.equals(current.status) && reason.equals(current.reason)) {
            result.add(current);
            return result;
        }
        CanaryCondition next = new CanaryCondition();
        next.type = TYPE;
        next.status = status;
        next.reason = reason;
        next.message = message;
        next.lastUpdateTime = now;
        next.lastTransitionTime = current != null && status.equals(current.status) && current.lastTransitionTime != null
                ? current.lastTransitionTime
                : now;
        result.add(next);
        return result;
    }
}
