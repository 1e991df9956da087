package io.sluice.admission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this service is installed and whom it trusts, read from the pod rather than assumed, so that an installation
 * into another namespace (a kustomize overlay, a Helm release) needs no flag. The rule is the analyzer's: the flag
 * (or {@code POD_NAMESPACE}, which the Deployment sets from the downward API) first, then the namespace file Kubernetes
 * mounts with the ServiceAccount, and {@link #FALLBACK_NAMESPACE} only outside a pod.
 *
 * @param namespace        the namespace the service runs in: the CA Secret's, and the one whose Deployments the
 *                         mutating webhook never touches
 * @param analyzerIdentity the user name whose replica changes the guard lets through: the flag's value, or the
 *                         analyzer's ServiceAccount in {@code namespace} (both services are installed together)
 */
record Installation(String namespace, String analyzerIdentity) {
    /** Where Kubernetes mounts the ServiceAccount's namespace and token into every pod that has one. */
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    /** The manifests' namespace: only used outside a pod, where nothing says otherwise. */
    static final String FALLBACK_NAMESPACE = "sluice-system";

    /**
     * @param namespace              {@code --namespace} ({@code POD_NAMESPACE}); blank to read {@code dir}
     * @param analyzerIdentity       {@code --analyzer-identity}; blank to derive it
     * @param analyzerServiceAccount the analyzer's ServiceAccount name, in the same namespace as this service
     * @param dir                    the ServiceAccount mount
     */
    static Installation read(String namespace, String analyzerIdentity, String analyzerServiceAccount, Path dir) {
        String ns = blank(namespace) ? firstLine(dir.resolve("namespace")) : namespace.trim();
        if (blank(ns)) {
            ns = FALLBACK_NAMESPACE;
        }
        String analyzer = blank(analyzerIdentity)
                ? "system:serviceaccount:" + ns + ":" + analyzerServiceAccount.trim()
                : analyzerIdentity.trim();
        return new Installation(ns, analyzer);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String firstLine(Path file) {
        try {
            return Files.isReadable(file)
                    ? Files.readString(file, StandardCharsets.UTF_8).trim()
                    : null;
        } catch (IOException e) {
            return null;
        }
    }
}
