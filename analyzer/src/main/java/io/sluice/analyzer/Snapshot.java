package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import java.util.List;

/**
 * What one reconcile read, once: the decision's observations plus the live objects the actions work on.
 *
 * @param scaledObject the target's KEDA ScaledObject, when {@code autoscalerRef} names one that exists
 * @param tracked the tracked ConfigMaps and Secrets (their {@code -primary} copies are kept in line)
 */
record Snapshot(
        Canary canary,
        Deployment target,
        String revision,
        String selectorKey,
        Deployment primary,
        HorizontalPodAutoscaler hpa,
        GenericKubernetesResource scaledObject,
        RouteTable parent,
        GlooRouter.Delegate delegateAt,
        RouteTable delegate,
        List<HasMetadata> tracked,
        Observations observations) {

    /** A Canary that must not act: nothing but the Canary itself was read. */
    static Snapshot blocked(Canary canary, Observations observations) {
        return new Snapshot(canary, null, null, null, null, null, null, null, null, null, List.of(), observations);
    }

    /** The same reads, acted on as {@code written} (the Canary with its new status and resourceVersion). */
    Snapshot as(Canary written, Observations decided) {
        return new Snapshot(
                written,
                target,
                revision,
                selectorKey,
                primary,
                hpa,
                scaledObject,
                parent,
                delegateAt,
                delegate,
                tracked,
                decided);
    }
}
