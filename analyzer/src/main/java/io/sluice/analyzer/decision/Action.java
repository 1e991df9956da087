package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryPhase;
import java.util.Map;

/** Something the shell does for a decision, after writing the status. Every action is safe to repeat. */
public sealed interface Action {

    /** Hands this action to the visitor's method for its kind: the compiler checks that every kind has one. */
    <R> R accept(Visitor<R> visitor);

    /**
     * What tells people and hooks about the decision (Events, alerts, post-rollout hooks), as opposed to a write that
     * converges the cluster: never held back by a failed write.
     */
    default boolean informs() {
        return false;
    }

    /** One method per kind of action. */
    interface Visitor<R> {
        R reconcileServices(ReconcileServices action);

        R ensurePrimary(EnsurePrimary action);

        R reconcileAutoscaler(ReconcileAutoscaler action);

        R setRoutes(SetRoutes action);

        R scaleTarget(ScaleTarget action);

        R promoteTemplate(PromoteTemplate action);

        R emitEvent(EmitEvent action);

        R sendAlert(SendAlert action);

        R callHooks(CallHooks action);

        R addFinalizer(AddFinalizer action);

        R removeFinalizer(RemoveFinalizer action);

        R handBackRoutes(HandBackRoutes action);

        R restoreApexService(RestoreApexService action);

        R restoreTarget(RestoreTarget action);
    }

    /** Create or update the {@code -canary} and {@code -primary} Services, and the apex Service when {@code apex}. */
    record ReconcileServices(boolean apex) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.reconcileServices(this);
        }
    }

    /** Create the {@code -primary} Deployment and the {@code -primary} config copies when missing. */
    record EnsurePrimary() implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.ensurePrimary(this);
        }
    }

    /** Create the primary's autoscaler when missing; with {@code update}, also bring it in line with the target's. */
    record ReconcileAutoscaler(boolean update) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.reconcileAutoscaler(this);
        }
    }

    /** Create or repair the delegate RouteTable with these weights (they always sum to 100). */
    record SetRoutes(int primary, int canary) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.setRoutes(this);
        }

        public SetRoutes {
            if (primary < 0 || canary < 0 || primary + canary != 100) {
                throw new IllegalArgumentException("weights must sum to 100, got " + primary + "/" + canary);
            }
        }
    }

    /** Scale the target Deployment. */
    record ScaleTarget(int replicas) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.scaleTarget(this);
        }
    }

    /** Copy the target's template (revision {@code revision}) into the primary, with the config copies. */
    record PromoteTemplate(String revision) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.promoteTemplate(this);
        }
    }

    /**
     * Record a Kubernetes Event with reason {@code Synced}. {@code phase} is the phase the run is in at that point of
     * the tick (the event webhooks' payload carries it, as Flagger's does: {@code Copying …} still shows Progressing,
     * the Promoting tick's steps show Promoting); null: the phase of the Canary the event is recorded on.
     */
    record EmitEvent(Type type, String message, Map<String, String> annotations, CanaryPhase phase) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.emitEvent(this);
        }

        @Override
        public boolean informs() {
            return true;
        }

        /** Normal or Warning, as Kubernetes knows them. */
        public enum Type {
            Normal,
            Warning
        }

        public EmitEvent(Type type, String message) {
            this(type, message, Map.of(), null);
        }

        public EmitEvent(Type type, String message, Map<String, String> annotations) {
            this(type, message, annotations, null);
        }
    }

    /** Send an alert to the canary's alert providers; {@code withMetadata} adds the canary's fields. */
    record SendAlert(String message, Severity severity, boolean withMetadata) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.sendAlert(this);
        }

        @Override
        public boolean informs() {
            return true;
        }
    }

    /** Call every webhook of {@code type} with {@code phase} (post-rollout hooks), reporting each as an Event. */
    record CallHooks(String type, CanaryPhase phase) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.callHooks(this);
        }

        @Override
        public boolean informs() {
            return true;
        }
    }

    /** Add the revert-on-deletion finalizer. */
    record AddFinalizer() implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.addFinalizer(this);
        }
    }

    /** Remove the revert-on-deletion finalizer: the Canary may go. */
    record RemoveFinalizer() implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.removeFinalizer(this);
        }
    }

    /**
     * Before the Canary goes: route all traffic of the delegate to the apex Service and drop the Canary's ownership
     * of the delegate. The {@code -primary} and {@code -canary} Services and the primary go with the Canary (garbage
     * collection), so the apex, restored and released by {@link RestoreApexService}, is the destination that stays.
     */
    record HandBackRoutes() implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.handBackRoutes(this);
        }
    }

    /**
     * Before the Canary goes: point the apex Service's selector back at the target's pods and drop the Canary's
     * owner reference from it, so that it outlives the Canary (created when missing, without an owner).
     */
    record RestoreApexService() implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.restoreApexService(this);
        }
    }

    /** Scale the target back to serve (to the primary's replica count): revert on deletion. */
    record RestoreTarget(int replicas) implements Action {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.restoreTarget(this);
        }
    }
}
