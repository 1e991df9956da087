package io.sluice.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * RBAC as the API server's authorizer applies it: the rules of the Roles and ClusterRoles stored in
 * the sandbox, granted through RoleBindings (in their namespace) and ClusterRoleBindings
 * (everywhere), matched by API group, resource and subresource, verb and resource name. The
 * administrators' groups and the stand-ins' identity are allowed everything, as cluster-admin and
 * the controller manager's own roles would. Aggregated ClusterRoles are not composed.
 */
final class Authorizer {

    static final Set<String> PLURALS = Set.of("roles", "rolebindings", "clusterroles", "clusterrolebindings");
    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1/";
    static final String CONTROLLERS = "system:kube-controller-manager";

    /** The bootstrap ClusterRole every cluster has, for bindings such as the GitOps tools' to refer to. */
    static final JsonObject CLUSTER_ADMIN = new JsonObject()
            .put("apiVersion", "rbac.authorization.k8s.io/v1")
            .put("kind", "ClusterRole")
            .put("metadata", new JsonObject().put("name", "cluster-admin"))
            .put(
                    "rules",
                    new JsonArray()
                            .add(new JsonObject()
                                    .put("apiGroups", new JsonArray().add("*"))
                                    .put("resources", new JsonArray().add("*"))
                                    .put("verbs", new JsonArray().add("*")))
                            .add(new JsonObject()
                                    .put("nonResourceURLs", new JsonArray().add("*"))
                                    .put("verbs", new JsonArray().add("*"))));

    /** And its binding to system:masters. */
    static final JsonObject CLUSTER_ADMIN_BINDING = new JsonObject()
            .put("apiVersion", "rbac.authorization.k8s.io/v1")
            .put("kind", "ClusterRoleBinding")
            .put("metadata", new JsonObject().put("name", "cluster-admin"))
            .put(
                    "roleRef",
                    new JsonObject()
                            .put("apiGroup", "rbac.authorization.k8s.io")
                            .put("kind", "ClusterRole")
                            .put("name", "cluster-admin"))
            .put(
                    "subjects",
                    new JsonArray()
                            .add(new JsonObject()
                                    .put("apiGroup", "rbac.authorization.k8s.io")
                                    .put("kind", "Group")
                                    .put("name", "system:masters")));

    /** One request as RBAC sees it. */
    record Attributes(String verb, String group, String resource, String subresource, String namespace, String name) {}

    private record Snapshot(
            List<JsonObject> roles,
            List<JsonObject> clusterRoles,
            List<JsonObject> bindings,
            List<JsonObject> clusterBindings) {}

    private final StoreClient store;
    private final AtomicReference<Future<Snapshot>> cache = new AtomicReference<>();
    private final Set<String> unrestricted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Set<ApiCall>> calls = new java.util.concurrent.ConcurrentHashMap<>();

    Authorizer(StoreClient store) {
        this.store = store;
    }

    /** Lets {@code user} do everything, whatever the stored RBAC says. */
    void unrestrict(String user) {
        unrestricted.add(user);
    }

    /** Called around every write to the RBAC kinds. */
    void invalidate() {
        cache.set(null);
    }

    private Future<Snapshot> snapshot() {
        Future<Snapshot> f = cache.get();
        if (f != null) {
            return f;
        }
        Future<List<JsonObject>> roles = store.list(RBAC + "roles");
        Future<List<JsonObject>> clusterRoles = store.list(RBAC + "clusterroles");
        Future<List<JsonObject>> bindings = store.list(RBAC + "rolebindings");
        Future<List<JsonObject>> clusterBindings = store.list(RBAC + "clusterrolebindings");
        Future<Snapshot> loaded = Future.all(roles, clusterRoles, bindings, clusterBindings)
                .map(x -> new Snapshot(
                        roles.result(), clusterRoles.result(), bindings.result(), clusterBindings.result()));
        cache.compareAndSet(null, loaded);
        return loaded.onFailure(e -> cache.compareAndSet(loaded, null));
    }

    static String verb(String method, String name, boolean watch) {
        return switch (method) {
            case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Succeeds when {@code user} may make the request, fails with the API server's 403 otherwise. Every
     * judged request is recorded ({@link #calls}), including those of users exempted from RBAC, as what
     * their roles would have said.
     */
    Future<Void> authorize(UserInfo user, Attributes a) {
        if (user.groups().stream().anyMatch(Impersonation.ADMIN_GROUPS::contains)
                || user.username().equals(CONTROLLERS)
                || a.resource().equals("selfsubjectreviews")) {
            return Future.succeededFuture();
        }
        return snapshot().compose(s -> {
            boolean allowed = allowed(s, user, a);
            calls.computeIfAbsent(user.username(), u -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                    .add(new ApiCall(a.verb(), a.group(), a.resource(), a.subresource(), allowed));
            return allowed || unrestricted.contains(user.username())
                    ? Future.succeededFuture()
                    : Future.failedFuture(forbidden(user, a));
        });
    }

    /** The kinds of request {@code user} has made so far, each once. */
    Set<ApiCall> calls(String user) {
        return Set.copyOf(calls.getOrDefault(user, Set.of()));
    }

    private static boolean allowed(Snapshot s, UserInfo user, Attributes a) {
        for (JsonObject b : s.clusterBindings()) {
            if (bound(b, user) && anyRule(roleOf(s, b, null), a)) {
                return true;
            }
        }
        if (a.namespace() == null) {
            return false;
        }
        for (JsonObject b : s.bindings()) {
            if (a.namespace().equals(b.getJsonObject("metadata").getString("namespace"))
                    && bound(b, user)
                    && anyRule(roleOf(s, b, a.namespace()), a)) {
                return true;
            }
        }
        return false;
    }

    private static JsonObject roleOf(Snapshot s, JsonObject binding, String namespace) {
        JsonObject ref = binding.getJsonObject("roleRef", new JsonObject());
        List<JsonObject> candidates = "Role".equals(ref.getString("kind")) ? s.roles() : s.clusterRoles();
        for (JsonObject r : candidates) {
            JsonObject meta = r.getJsonObject("metadata");
            if (meta.getString("name").equals(ref.getString("name"))
                    && ("ClusterRole".equals(ref.getString("kind"))
                            || namespace != null && namespace.equals(meta.getString("namespace")))) {
                return r;
            }
        }
        return null;
    }

    private static boolean bound(JsonObject binding, UserInfo user) {
        for (Object o : binding.getJsonArray("subjects", new JsonArray())) {
            JsonObject subject = (JsonObject) o;
            String name = subject.getString("name", "");
            boolean match = switch (subject.getString("kind", "")) {
                case "User" -> name.equals(user.username());
                case "Group" -> user.groups().contains(name) || name.equals("system:authenticated");
                case "ServiceAccount" ->
                    user.username()
                            .equals("system:serviceaccount:"
                                    + subject.getString(
                                            "namespace",
                                            binding.getJsonObject("metadata").getString("namespace", ""))
                                    + ":" + name);
                default -> false;
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyRule(JsonObject role, Attributes a) {
        if (role == null) {
            return false;
        }
        for (Object o : role.getJsonArray("rules", new JsonArray())) {
            JsonObject rule = (JsonObject) o;
            if (matches(rule.getJsonArray("verbs"), a.verb())
                    && matches(rule.getJsonArray("apiGroups"), a.group())
                    && resourceMatches(rule.getJsonArray("resources"), a)
                    && nameMatches(rule.getJsonArray("resourceNames"), a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonArray values, String wanted) {
        return values != null && (values.contains("*") || values.contains(wanted));
    }

    private static boolean resourceMatches(JsonArray resources, Attributes a) {
        if (resources == null) {
            return false;
        }
        String combined = a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource();
        for (Object o : resources) {
            String r = String.valueOf(o);
            if (r.equals("*") || r.equals(combined) || (a.subresource() != null && r.equals("*/" + a.subresource()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean nameMatches(JsonArray names, Attributes a) {
        return names == null || names.isEmpty() || (a.name() != null && names.contains(a.name()));
    }

    static ApiError forbidden(UserInfo user, Attributes a) {
        String qualified = a.group().isEmpty() ? a.resource() : a.resource() + "." + a.group();
        String resource = a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource();
        String why = "User \"" + user.username() + "\" cannot " + a.verb() + " resource \"" + resource
                + "\" in API group \"" + a.group() + "\""
                + (a.namespace() == null ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\"");
        String message = a.name() == null
                ? qualified + " is forbidden: " + why
                : qualified + " \"" + a.name() + "\" is forbidden: " + why;
        JsonObject details = new JsonObject().put("group", a.group()).put("kind", a.resource());
        if (a.name() != null) {
            details.put("name", a.name());
        }
        return new ApiError(403, "Forbidden", message, details);
    }

    /** What a request needs, from its method and path. */
    static Attributes attributes(String method, ResourcePath rp, boolean watch) {
        return new Attributes(
                verb(method, rp.name(), watch), rp.group(), rp.plural(), rp.subresource(), rp.namespace(), rp.name());
    }
}
