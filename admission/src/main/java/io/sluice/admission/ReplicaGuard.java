package io.sluice.admission;

import io.sluice.model.WellKnown;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitOps-transparent replicas. While a Canary owns a Deployment, the analyzer decides how many replicas it runs
 * (zero between releases). When anyone else changes {@code spec.replicas}, the stored value is kept and the
 * requested one is recorded in {@link WellKnown#DESIRED_REPLICAS_ANNOTATION}, which the analyzer uses when it
 * scales the canary up. Git and the cluster then agree, so Flux and Argo CD stop fighting the analyzer.
 */
final class ReplicaGuard {
    private ReplicaGuard() {}

    /**
     * Rewrites {@code mutable} (a copy of the new object) in place; returns whether it changed. The rewrite is a
     * fixed point: run again on its own output it changes nothing, which makes reinvocation safe.
     *
     * @param stored the object as stored (the request's oldObject); absent on CREATE, when nothing is kept
     */
    static boolean keepStoredReplicas(JsonNode stored, ObjectNode mutable) {
        JsonNode before = stored.path("spec").path("replicas");
        JsonNode spec = mutable.path("spec");
        if (!before.isIntegralNumber() || !spec.isObject()) {
            return false;
        }
        JsonNode requested = spec.path("replicas");
        // The API server defaults a missing replicas to 1 before admission; an absent field here is the same wish.
        long wanted = requested.isMissingNode() || requested.isNull()
                ? 1
                : requested.isIntegralNumber() ? requested.longValue() : -1;
        if (wanted < 0 || wanted == before.longValue()) {
            return false;
        }
        ((ObjectNode) spec).put("replicas", before.intValue());
        JsonNode metadata = mutable.path("metadata");
        if (!metadata.isObject()) {
            metadata = mutable.putObject("metadata");
        }
        JsonNode annotations = metadata.path("annotations");
        if (!annotations.isObject()) {
            annotations = ((ObjectNode) metadata).putObject("annotations");
        }
        ((ObjectNode) annotations).put(WellKnown.DESIRED_REPLICAS_ANNOTATION, Long.toString(wanted));
        return true;
    }
}
