package io.sluice.analyzer;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Where this analyzer is installed and who it is, read from the pod rather than assumed, so that an installation into
 * another namespace (a kustomize overlay, a Helm release) needs no flag: the Lease lives in the pod's namespace, and
 * the identity the admission service's replica guard must trust is the pod's ServiceAccount.
 *
 * @param namespace      the namespace the analyzer runs in, or {@link #FALLBACK_NAMESPACE} outside a pod
 * @param serviceAccount the ServiceAccount's user name ({@code system:serviceaccount:<namespace>:<name>}), or null
 *                       outside a pod
 */
record Installation(String namespace, String serviceAccount) {
    /** Where Kubernetes mounts the ServiceAccount's namespace and token into every pod that has one. */
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    /** The manifests' namespace: only used outside a pod, where nothing says otherwise. */
    static final String FALLBACK_NAMESPACE = "sluice-system";

    /**
     * Reads the installation. {@code namespace} is the flag's value (or {@code POD_NAMESPACE}, its environment
     * variable), {@code serviceAccountName} the downward API's {@code POD_SERVICE_ACCOUNT}; either may be blank, and
     * then the ServiceAccount files in {@code dir} answer: {@code namespace}, and the token's {@code sub} claim.
     */
    static Installation read(String namespace, String serviceAccountName, Path dir) {
        String ns = blank(namespace) ? firstLine(dir.resolve("namespace")) : namespace.trim();
        String subject = tokenSubject(dir.resolve("token"));
        String sa = null;
        if (!blank(serviceAccountName) && !blank(ns)) {
            sa = "system:serviceaccount:" + ns + ":" + serviceAccountName.trim();
        } else if (subject != null && subject.startsWith("system:serviceaccount:")) {
            sa = subject;
        }
        return new Installation(blank(ns) ? FALLBACK_NAMESPACE : ns, sa);
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

    /** The {@code sub} claim of a projected ServiceAccount token (a JWT), without checking its signature. */
    private static String tokenSubject(Path file) {
        String token = firstLine(file);
        if (token == null) {
            return null;
        }
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            JsonObject claims =
                    new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return claims.getString("sub");
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            return null;
        }
    }
}
