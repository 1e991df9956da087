package io.sluice.admission;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionReview request that Sluice reads. The objects stay generic
 * JSON trees: each handler decides how to decode them, so a field this version does not know is never lost.
 *
 * @param group        API group of the object ({@code ""} for the core group)
 * @param version      API version of the object
 * @param kind         kind of the object
 * @param subResource  the subresource the request is for, {@code ""} for the object itself
 * @param object       the new object; a missing node on DELETE
 * @param oldObject    the stored object on UPDATE and DELETE; a missing node otherwise
 */
record AdmissionRequest(
        String uid,
        String group,
        String version,
        String kind,
        String subResource,
        String namespace,
        String name,
        String operation,
        String username,
        List<String> groups,
        JsonNode object,
        JsonNode oldObject,
        boolean dryRun) {

    /** Reads a request node; the caller has checked that {@code uid} is a non-empty string. */
    static AdmissionRequest of(JsonNode request) {
        JsonNode kind = request.path("kind");
        JsonNode user = request.path("userInfo");
        List<String> groups = new ArrayList<>();
        for (JsonNode g : user.path("groups")) {
            if (g.isString()) {
                groups.add(g.stringValue());
            }
        }
        String name = text(request, "name");
        if (name.isEmpty()) {
            // On CREATE with generateName the request carries no name yet; the object may.
            name = request.path("object").path("metadata").path("name").asString("");
        }
        return new AdmissionRequest(
                text(request, "uid"),
                text(kind, "group"),
                text(kind, "version"),
                text(kind, "kind"),
                text(request, "subResource"),
                text(request, "namespace"),
                name,
                text(request, "operation"),
                text(user, "username"),
                List.copyOf(groups),
                request.path("object"),
                request.path("oldObject"),
                request.path("dryRun").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : "";
    }

    /** {@code group/version, Kind=kind}, the way the API server prints a kind, for logs and messages. */
    String kindLabel() {
        return (group.isEmpty() ? version : group + "/" + version) + " " + kind;
    }

    /** {@code namespace/name}, or just the name for a cluster-scoped object. */
    String objectKey() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    boolean hasObject() {
        return object.isObject();
    }

    boolean hasOldObject() {
        return oldObject.isObject();
    }
}
