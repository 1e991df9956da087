package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One kind the sandbox API server serves, as discovery and the admission rules see it. */
record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        boolean namespaced,
        List<String> shortNames,
        List<String> subresources,
        JsonArray printerColumns) {

    static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    String apiVersion() {
        return groupVersion();
    }

    /** Served from a CRD rather than built in. */
    boolean custom() {
        return !group.isEmpty() && !group.endsWith("k8s.io") && !group.equals("apps") && !group.equals("autoscaling");
    }

    JsonObject apiResource() {
        JsonObject r = new JsonObject()
                .put("name", plural)
                .put("singularName", singular)
                .put("namespaced", namespaced)
                .put("kind", kind)
                .put("verbs", new JsonArray(VERBS));
        if (!shortNames.isEmpty()) {
            r.put("shortNames", new JsonArray(shortNames));
        }
        return r;
    }

    JsonObject subresource(String sub) {
        return new JsonObject()
                .put("name", plural + "/" + sub)
                .put("singularName", "")
                .put("namespaced", namespaced)
                .put("kind", sub.equals("scale") ? "Scale" : kind)
                .put("verbs", new JsonArray(List.of("get", "patch", "update")));
    }
}
