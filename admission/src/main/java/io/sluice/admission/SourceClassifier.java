package io.sluice.admission;

import io.sluice.model.WellKnown;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Tells which tool sent a change ({@code kubectl}, {@code kubectl-sluice}, {@code flux}, {@code argocd}, {@code helm} or
 * {@code other}):
 * first from the requesting user (the controllers' service accounts), then from the field manager that touched the
 * object last. Installations rename namespaces and service accounts, so both tables can be extended.
 */
final class SourceClassifier {
    static final String OTHER = "other";

    private final Map<String, String> users;
    private final Map<String, String> managers;

    SourceClassifier(Map<String, String> users, Map<String, String> managers) {
        this.users = Map.copyOf(users);
        this.managers = Map.copyOf(managers);
    }

    /** The defaults, with {@code extraUsers} and {@code extraManagers} added or overriding. */
    static SourceClassifier withDefaults(Map<String, String> extraUsers, Map<String, String> extraManagers) {
        Map<String, String> users = new LinkedHashMap<>();
        users.put("system:serviceaccount:flux-system:kustomize-controller", "flux");
        users.put("system:serviceaccount:flux-system:helm-controller", "flux");
        users.put("system:serviceaccount:argocd:argocd-application-controller", "argocd");
        users.putAll(extraUsers);
        Map<String, String> managers = new LinkedHashMap<>();
        managers.put("kustomize-controller", "flux");
        managers.put("helm-controller", "flux");
        managers.put("argocd-controller", "argocd");
        managers.put("argocd-application-controller", "argocd");
        managers.put("helm", "helm");
        // The kubectl sluice plugin, named apart from kubectl: it sends runtime requests (status.request.source).
        managers.put(WellKnown.PLUGIN_FIELD_MANAGER, WellKnown.PLUGIN_FIELD_MANAGER);
        for (String m : new String[] {
            "kubectl",
            "kubectl-client-side-apply",
            "kubectl-set",
            "kubectl-edit",
            "kubectl-patch",
            "kubectl-create",
            "kubectl-replace",
            "kubectl-rollout",
            "kubectl-scale",
            "kubectl-annotate",
            "kubectl-label"
        }) {
            managers.put(m, "kubectl");
        }
        managers.putAll(extraManagers);
        return new SourceClassifier(users, managers);
    }

    /**
     * @param username the request's {@code userInfo.username}
     * @param object   the new object; its {@code metadata.managedFields} name the managers
     */
    String classify(String username, JsonNode object) {
        String byUser = users.get(username);
        if (byUser != null) {
            return byUser;
        }
        // The API server stamps the entry of the manager making this change with the request time, so the
        // newest entries belong to it. Times have one-second precision: among ties, a known manager wins.
        String newest = "";
        String source = OTHER;
        for (JsonNode entry : object.path("metadata").path("managedFields")) {
            String time = entry.path("time").asString("");
            String known = managers.get(entry.path("manager").asString(""));
            int cmp = time.compareTo(newest);
            if (cmp > 0) {
                newest = time;
                source = known == null ? OTHER : known;
            } else if (cmp == 0 && OTHER.equals(source) && known != null) {
                source = known;
            }
        }
        return source;
    }
}
