package io.sluice.sandbox;

import io.sluice.sandbox.apiserver.ApiCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code manifests/} grants one service account, as {@code verb group/resource} lines: every rule of
 * every Role and ClusterRole bound to it, expanded one verb and one resource at a time (resource names are
 * left out: a grant is used when any call of its verb and resource was made).
 */
final class Grants {
    private Grants() {}

    static Set<String> of(List<JsonObject> manifests, String namespace, String serviceAccount) {
        Set<String> granted = new TreeSet<>();
        for (JsonObject binding : manifests) {
            String kind = binding.getString("kind");
            if (!("RoleBinding".equals(kind) || "ClusterRoleBinding".equals(kind))
                    || !binds(binding, namespace, serviceAccount)) {
                continue;
            }
            JsonObject ref = binding.getJsonObject("roleRef");
            for (JsonObject role : manifests) {
                if (ref.getString("kind").equals(role.getString("kind"))
                        && ref.getString("name")
                                .equals(role.getJsonObject("metadata").getString("name"))) {
                    for (Object o : role.getJsonArray("rules", new JsonArray())) {
                        JsonObject rule = (JsonObject) o;
                        for (Object group : rule.getJsonArray("apiGroups", new JsonArray())) {
                            for (Object resource : rule.getJsonArray("resources", new JsonArray())) {
                                for (Object verb : rule.getJsonArray("verbs", new JsonArray())) {
                                    granted.add(line(verb.toString(), group.toString(), resource.toString()));
                                }
                            }
                        }
                    }
                }
            }
        }
        return granted;
    }

    /** The calls as grant lines, the denied ones left out. */
    static Set<String> used(Set<ApiCall> calls) {
        Set<String> used = new TreeSet<>();
        for (ApiCall call : calls) {
            if (call.allowed()) {
                used.add(line(call.verb(), call.group(), call.qualifiedResource()));
            }
        }
        return used;
    }

    static String line(String verb, String group, String resource) {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + resource;
    }

    private static boolean binds(JsonObject binding, String namespace, String serviceAccount) {
        for (Object o : binding.getJsonArray("subjects", new JsonArray())) {
            JsonObject subject = (JsonObject) o;
            if ("ServiceAccount".equals(subject.getString("kind"))
                    && serviceAccount.equals(subject.getString("name"))
                    && namespace.equals(subject.getString(
                            "namespace", binding.getJsonObject("metadata").getString("namespace")))) {
                return true;
            }
        }
        return false;
    }
}
