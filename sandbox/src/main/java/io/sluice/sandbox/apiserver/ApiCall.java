package io.sluice.sandbox.apiserver;

/**
 * One kind of request a user made, as RBAC judged it: the verb, the API group, the resource and
 * subresource (null when none), and whether the user's roles allowed it. Recorded by the authorizer for
 * every user it judges (not the administrators or the sandbox's own controllers), so a test can hold the
 * calls a service really makes against the permissions its manifests grant.
 */
public record ApiCall(String verb, String group, String resource, String subresource, boolean allowed) {
    /** The resource as RBAC rules name it: {@code deployments} or {@code canaries/status}. */
    public String qualifiedResource() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + qualifiedResource() + (allowed ? "" : " (denied)");
    }
}
