package io.sluice.sandbox.apiserver;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubectl --as=… --as-group=…}: the {@code Impersonate-User} and {@code Impersonate-Group}
 * headers replace the authenticated identity, for the sandbox's administrators only (the only ones
 * whose RBAC would allow the {@code impersonate} verb). A service account impersonated without
 * groups gets its default ones, as the API server gives them.
 */
final class Impersonation {

    static final List<String> ADMIN_GROUPS = List.of("system:masters", "kubeadm:cluster-admins");
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:";

    private Impersonation() {}

    /** The identity a request acts as. */
    static UserInfo effective(UserInfo authenticated, MultiMap headers) {
        String user = headers.get("Impersonate-User");
        List<String> groups = headers.getAll("Impersonate-Group");
        if (user == null || user.isEmpty()) {
            if (!groups.isEmpty()) {
                throw new ApiError(
                        500,
                        "InternalError",
                        "Internal error occurred: requested "
                                + groups.stream()
                                        .map(g -> "{Group  " + g + "  authentication.k8s.io/v1  }")
                                        .toList() + " without impersonating a user");
            }
            return authenticated;
        }
        boolean allowed = authenticated.groups().stream().anyMatch(ADMIN_GROUPS::contains);
        if (!allowed) {
            String resource = user.startsWith(SERVICE_ACCOUNT) ? "serviceaccounts" : "users";
            String name = user.startsWith(SERVICE_ACCOUNT) ? user.substring(user.lastIndexOf(':') + 1) : user;
            String scope = user.startsWith(SERVICE_ACCOUNT)
                    ? "in the namespace \"" + user.substring(SERVICE_ACCOUNT.length(), user.lastIndexOf(':')) + "\""
                    : "at the cluster scope";
            throw new ApiError(
                    403,
                    "Forbidden",
                    resource + " \"" + name + "\" is forbidden: User \"" + authenticated.username()
                            + "\" cannot impersonate resource \"" + resource + "\" in API group \"\" " + scope);
        }
        List<String> effective = new ArrayList<>(groups);
        String[] sa = user.startsWith(SERVICE_ACCOUNT)
                ? user.substring(SERVICE_ACCOUNT.length()).split(":")
                : null;
        if (groups.isEmpty() && sa != null && sa.length == 2) {
            effective.add("system:serviceaccounts");
            effective.add("system:serviceaccounts:" + sa[0]);
        }
        return new UserInfo(user, effective);
    }
}
