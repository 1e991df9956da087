package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import tools.jackson.databind.JsonNode;

/**
 * A Canary the analyzer could not decode: only its identity (name, namespace, uid, resourceVersion), its
 * {@code spec.provider} when that is a string (another provider's Canary is left alone however it reads) and why. The
 * informers keep it like any other Canary, so the others keep running; the reconcile skips it with a Warning Event.
 */
public final class UndecodableCanary extends Canary {
    private final transient String problem;

    private UndecodableCanary(String problem) {
        this.problem = problem;
    }

    public String problem() {
        return problem;
    }

    static UndecodableCanary of(JsonNode tree, String problem) {
        UndecodableCanary c = new UndecodableCanary(problem);
        JsonNode m = tree.path("metadata");
        ObjectMeta meta = new ObjectMeta();
        meta.setName(text(m, "name"));
        meta.setNamespace(text(m, "namespace"));
        meta.setUid(text(m, "uid"));
        meta.setResourceVersion(text(m, "resourceVersion"));
        c.setMetadata(meta);
        JsonNode provider = tree.path("spec").path("provider");
        if (provider.isString()) {
            CanarySpec spec = new CanarySpec();
            spec.provider = provider.asString();
            c.setSpec(spec);
        }
        return c;
    }

    private static String text(JsonNode meta, String field) {
        JsonNode v = meta.path(field);
        return v.isString() ? v.asString() : null;
    }
}
