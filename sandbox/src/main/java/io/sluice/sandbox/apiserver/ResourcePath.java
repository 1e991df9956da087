package io.sluice.sandbox.apiserver;

import java.util.Optional;
import java.util.Set;

/** A resource URL taken apart: {@code /apis/apps/v1/namespaces/test/deployments/podinfo/status}. */
record ResourcePath(String group, String version, String namespace, String plural, String name, String subresource) {

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    static Optional<ResourcePath> parse(String path) {
        String[] s = path.replaceAll("/+$", "").split("/");
        int i;
        String group;
        String version;
        if (s.length >= 4 && s[1].equals("api")) {
            group = "";
            version = s[2];
            i = 3;
        } else if (s.length >= 5 && s[1].equals("apis")) {
            group = s[2];
            version = s[3];
            i = 4;
        } else {
            return Optional.empty();
        }
        int rest = s.length - i;
        if (s[i].equals("namespaces") && rest >= 3 && !(rest == 3 && NAMESPACE_SUBRESOURCES.contains(s[i + 2]))) {
            String ns = s[i + 1];
            return Optional.of(new ResourcePath(
                    group, version, ns, s[i + 2], rest > 3 ? s[i + 3] : null, rest > 4 ? s[i + 4] : null));
        }
        return Optional.of(
                new ResourcePath(group, version, null, s[i], rest > 1 ? s[i + 1] : null, rest > 2 ? s[i + 2] : null));
    }

    private String prefix() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    String collectionPath() {
        return prefix() + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
    }

    String objectPath() {
        return collectionPath() + "/" + name;
    }
}
