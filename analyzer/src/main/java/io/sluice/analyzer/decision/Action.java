package io.sluice.analyzer.decision;

import io.sluice.analyzer.gates.Notifier;
import io.sluice.model.flagger.CanaryPhase;
import java.util.Map;

/** Something the shell does for a decision, after writing the status. Every action is safe to repeat. */
public sealed interface Action {

    /** Create or update the {@code -canary} and {@code -primary} Services, and the apex Service when {@code apex}. */
    record ReconcileServices(boolean apex) implements Action {
    }

    /** Create the {@code -primary} Deployment and the {@code -primary} config copies when missing. */
    record EnsurePrimary() implements Action {
    }

    /** Create the primary's autoscaler when missing; with {@code update}, also bring it in line with the target's. */
    record ReconcileAutoscaler(boolean update) implements Action {
    }

    /** Create or repair the delegate RouteTable with these weights (they always sum to 100). */
    record SetRoutes(int primary, int canary) implements Action {
        public SetRoutes {
            if (primary < 0 || canary < 0 || primary + canary != 100) {
                throw new IllegalArgumentException("weights must sum to 100, got " + primary + "/" + canary);
            }
        }
    }

    /** Scale the target Deployment. */
    record ScaleTarget(int replicas) implements Action {
    }

    /** Copy the target's template (revision {@code revision}) into the primary, with the config copies. */
    record PromoteTemplate(String revision) implements Action {
    }

    /** Record a Kubernetes Event with reason {@code Synced}. */
    record EmitEvent(Type type, String message, Map<String, String> annotations) implements Action {
        /** Normal or Warning, as Kubernetes knows them. */
        public enum Type { Normal, Warning }

        EmitEvent(Type type, String message) {
            this(type, message, Map.of());
        }
    }

    /** Send an alert to the canary's alert providers; {@code withMetadata} adds the canary's fields. */
    record SendAlert(String message, Notifier.Severity severity, boolean withMetadata) implements Action {
    }

    /** Call every webhook of {@code type} with {@code phase} (post-rollout hooks), reporting each as an Event. */
    record CallHooks(String type, CanaryPhase phase) implements Action {
    }

    /** Add the revert-on-deletion finalizer. */
    record AddFinalizer() implements Action {
    }

    /** Remove the revert-on-deletion finalizer: the Canary may go. */
    record RemoveFinalizer() implements Action {
    }

    /**
     * Before the Canary goes: point all traffic at the primary and drop the Canary's owner reference from the
     * delegate, so that garbage collection does not leave the parent RouteTable delegating to nothing.
     */
    record ReleaseRoutes() implements Action {
    }

    /** Scale the target back to serve (to the primary's replica count): revert on deletion. */
    record RestoreTarget(int replicas) implements Action {
    }
}
