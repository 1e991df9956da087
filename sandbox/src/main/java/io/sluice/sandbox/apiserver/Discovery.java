package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kinds the sandbox serves: the built-in ones Sluice and the seed touch, plus every CRD stored.
 * Answers the unaggregated discovery documents; kubectl falls back to them when the server does
 * not offer aggregated discovery.
 */
final class Discovery {

    private final List<ResourceType> types = new CopyOnWriteArrayList<>();

    Discovery() {
        core("Namespace", "namespaces", false, List.of("ns"), List.of("status"));
        core("Service", "services", true, List.of("svc"), List.of("status"));
        core("ConfigMap", "configmaps", true, List.of("cm"), List.of());
        core("Secret", "secrets", true, List.of(), List.of());
        core("Event", "events", true, List.of("ev"), List.of());
        core("Pod", "pods", true, List.of("po"), List.of("status"));
        core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of());
        core("Endpoints", "endpoints", true, List.of("ep"), List.of());
        builtin("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), List.of("status", "scale"));
        builtin("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), List.of("status", "scale"));
        builtin("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of());
        builtin(
                "autoscaling",
                "v2",
                "HorizontalPodAutoscaler",
                "horizontalpodautoscalers",
                true,
                List.of("hpa"),
                List.of("status"));
        builtin("events.k8s.io", "v1", "Event", "events", true, List.of("ev"), List.of());
        builtin(
                "admissionregistration.k8s.io",
                "v1",
                "MutatingWebhookConfiguration",
                "mutatingwebhookconfigurations",
                false,
                List.of(),
                List.of());
        builtin(
                "admissionregistration.k8s.io",
                "v1",
                "ValidatingWebhookConfiguration",
                "validatingwebhookconfigurations",
                false,
                List.of(),
                List.of());
        builtin("rbac.authorization.k8s.io", "v1", "Role", "roles", true, List.of(), List.of());
        builtin("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, List.of(), List.of());
        builtin("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, List.of(), List.of());
        builtin(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRoleBinding",
                "clusterrolebindings",
                false,
                List.of(),
                List.of());
        builtin("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, List.of(), List.of());
        builtin(
                "apiextensions.k8s.io",
                "v1",
                "CustomResourceDefinition",
                "customresourcedefinitions",
                false,
                List.of("crd", "crds"),
                List.of("status"));
    }

    /** Every kind served, in registration order. */
    List<ResourceType> types() {
        return List.copyOf(types);
    }

    private void core(String kind, String plural, boolean namespaced, List<String> shortNames, List<String> subs) {
        builtin("", "v1", kind, plural, namespaced, shortNames, subs);
    }

    private void builtin(
            String group,
            String version,
            String kind,
            String plural,
            boolean namespaced,
            List<String> shortNames,
            List<String> subs) {
        types.add(new ResourceType(
                group, version, kind, plural, kind.toLowerCase(), namespaced, shortNames, subs, new JsonArray()));
    }

    /** Registers every served version of a CRD (idempotent: a re-applied CRD replaces its entries). */
    List<ResourceType> addCrd(JsonObject crd) {
        JsonObject spec = crd.getJsonObject("spec", new JsonObject());
        JsonObject names = spec.getJsonObject("names", new JsonObject());
        String group = spec.getString("group");
        String plural = names.getString("plural");
        types.removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
        List<ResourceType> added = new ArrayList<>();
        for (Object o : spec.getJsonArray("versions", new JsonArray())) {
            JsonObject v = (JsonObject) o;
            if (!v.getBoolean("served", true)) {
                continue;
            }
            List<String> subs = new ArrayList<>();
            JsonObject subresources = v.getJsonObject("subresources", new JsonObject());
            subs.addAll(subresources.fieldNames());
            List<String> shortNames =
                    names.getJsonArray("shortNames", new JsonArray()).getList();
            ResourceType t = new ResourceType(
                    group,
                    v.getString("name"),
                    names.getString("kind"),
                    plural,
                    names.getString("singular", names.getString("kind").toLowerCase()),
                    !"Cluster".equals(spec.getString("scope")),
                    List.copyOf(shortNames),
                    subs,
                    v.getJsonArray("additionalPrinterColumns", new JsonArray()));
            types.add(t);
            added.add(t);
        }
        return added;
    }

    Optional<ResourceType> find(String group, String version, String plural) {
        return types.stream()
                .filter(t -> t.group().equals(group)
                        && t.version().equals(version)
                        && t.plural().equals(plural))
                .findFirst();
    }

    JsonObject coreVersions() {
        return new JsonObject()
                .put("kind", "APIVersions")
                .put("versions", new JsonArray().add("v1"))
                .put("serverAddressByClientCIDRs", new JsonArray());
    }

    JsonObject groups() {
        Map<String, Set<String>> versions = new LinkedHashMap<>();
        for (ResourceType t : types) {
            if (!t.group().isEmpty()) {
                versions.computeIfAbsent(t.group(), g -> new LinkedHashSet<>()).add(t.version());
            }
        }
        JsonArray groups = new JsonArray();
        versions.forEach((group, vs) -> {
            JsonArray list = new JsonArray();
            vs.forEach(v -> list.add(
                    new JsonObject().put("groupVersion", group + "/" + v).put("version", v)));
            groups.add(new JsonObject()
                    .put("name", group)
                    .put("versions", list)
                    .put("preferredVersion", list.getJsonObject(0)));
        });
        return new JsonObject()
                .put("kind", "APIGroupList")
                .put("apiVersion", "v1")
                .put("groups", groups);
    }

    /** The APIResourceList of one group version, or empty when nothing is served there. */
    Optional<JsonObject> resources(String group, String version) {
        JsonArray list = new JsonArray();
        for (ResourceType t : types) {
            if (t.group().equals(group) && t.version().equals(version)) {
                list.add(t.apiResource());
                t.subresources().forEach(s -> list.add(t.subresource(s)));
            }
        }
        if (list.isEmpty()) {
            return Optional.empty();
        }
        String gv = group.isEmpty() ? version : group + "/" + version;
        return Optional.of(new JsonObject()
                .put("kind", "APIResourceList")
                .put("apiVersion", "v1")
                .put("groupVersion", gv)
                .put("resources", list));
    }

    /**
     * The OpenAPI v3 index. kubectl reads it to learn that the server validates fields itself
     * ({@code fieldValidation} on PATCH); without it, kubectl insists on validating client-side
     * against a schema download and refuses to apply.
     */
    JsonObject openApiIndex() {
        JsonObject paths = new JsonObject();
        Set<String> gvs = new LinkedHashSet<>();
        types.forEach(
                t -> gvs.add(t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version()));
        gvs.forEach(
                gv -> paths.put(gv, new JsonObject().put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=sandbox")));
        return new JsonObject().put("paths", paths);
    }

    /** A minimal OpenAPI v3 document of one group version: the PATCH operation of every kind. */
    Optional<JsonObject> openApiDocument(String group, String version) {
        JsonObject paths = new JsonObject();
        for (ResourceType t : types) {
            if (!t.group().equals(group) || !t.version().equals(version)) {
                continue;
            }
            String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
            String path = prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
            JsonObject gvk =
                    new JsonObject().put("group", group).put("version", version).put("kind", t.kind());
            JsonArray params = new JsonArray();
            for (String q : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
                params.add(new JsonObject()
                        .put("name", q)
                        .put("in", "query")
                        .put("schema", new JsonObject().put("type", "string")));
            }
            paths.put(
                    path,
                    new JsonObject()
                            .put(
                                    "patch",
                                    new JsonObject()
                                            .put("operationId", "patch" + t.kind())
                                            .put("x-kubernetes-group-version-kind", gvk)
                                            .put("x-kubernetes-action", "patch")
                                            .put("parameters", params)
                                            .put(
                                                    "responses",
                                                    new JsonObject()
                                                            .put("200", new JsonObject().put("description", "OK")))));
        }
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JsonObject()
                .put("openapi", "3.0.0")
                .put("info", new JsonObject().put("title", "Sluice sandbox").put("version", "v1.30.0"))
                .put("paths", paths)
                .put("components", new JsonObject().put("schemas", new JsonObject())));
    }
}
