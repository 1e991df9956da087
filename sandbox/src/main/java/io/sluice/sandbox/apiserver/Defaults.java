package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonObject;

/**
 * The few API-server defaults the sandbox's clients rely on. Pod-template defaults are left out
 * on purpose: Sluice's revision function must not depend on them.
 */
final class Defaults {

    private Defaults() {}

    static void apply(ResourceType type, JsonObject object) {
        if (type.kind().equals("Namespace") && type.group().isEmpty()) {
            // The API server labels every namespace with its name; webhook namespaceSelectors rely on it.
            JsonObject meta = object.getJsonObject("metadata");
            JsonObject labels = meta.getJsonObject("labels");
            if (labels == null) {
                meta.put("labels", labels = new JsonObject());
            }
            labels.put("kubernetes.io/metadata.name", meta.getString("name"));
        }
        if (type.kind().equals("Deployment") && type.group().equals("apps")) {
            JsonObject spec = object.getJsonObject("spec");
            if (spec != null && spec.getValue("replicas") == null) {
                spec.put("replicas", 1);
            }
        }
        if (type.kind().equals("Service") && type.group().isEmpty()) {
            JsonObject spec = object.getJsonObject("spec");
            if (spec != null && spec.getString("type") == null) {
                spec.put("type", "ClusterIP");
            }
            if (spec != null && spec.getString("clusterIP") == null && !"ExternalName".equals(spec.getString("type"))) {
                // A stable address from the service range, as the allocator would hand out; nothing routes to it.
                int h = (object.getJsonObject("metadata").getString("namespace", "") + "/"
                                        + object.getJsonObject("metadata").getString("name", ""))
                                .hashCode()
                        & 0xffff;
                String ip = "10.96." + (h >> 8) + "." + Math.max(1, h & 0xff);
                spec.put("clusterIP", ip).put("clusterIPs", new io.vertx.core.json.JsonArray().add(ip));
            }
        }
    }
}
