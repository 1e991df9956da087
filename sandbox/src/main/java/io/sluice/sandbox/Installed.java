package io.sluice.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One of Sluice's services as {@code manifests/} installs it: the container's flags and
 * environment from the Deployment that {@code kubectl kustomize manifests} renders, so the demo and
 * the end-to-end tests run what a cluster would. The sandbox replaces only flags that name the
 * cluster's own addresses ({@link #withFlags}); an environment variable taken from a {@code fieldRef}
 * (namespace, pod name, service account) gets what the kubelet would give the Deployment's pod.
 *
 * @param args        the container's args, in order
 * @param env         the container's environment
 * @param memoryLimit the container's memory limit in bytes, 0 when it has none
 */
public record Installed(List<String> args, Map<String, String> env, long memoryLimit) {

    /** Every object {@code manifests/} installs, rendered with kubectl's kustomize. */
    public static List<JsonObject> render(Path repo) {
        return Manifests.parse(new Kubectl(null)
                .run("kustomize", repo.resolve("manifests").toString())
                .ok()
                .out());
    }

    /**
     * Every object {@code manifests/} installs into {@code namespace}: a kustomize overlay in {@code workDir} that sets
     * the namespace over {@code manifests/}, as a user installing elsewhere writes it.
     */
    public static List<JsonObject> render(Path repo, String namespace, Path workDir) {
        try {
            Path overlay = Files.createDirectories(workDir.resolve("overlay-" + namespace));
            // kustomize takes a base only by a relative path.
            String base = overlay.toAbsolutePath()
                    .relativize(repo.resolve("manifests").toAbsolutePath().normalize())
                    .toString();
            Files.writeString(
                    overlay.resolve("kustomization.yaml"),
                    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: " + namespace
                            + "\nresources:\n  - " + base + "\n");
            return Manifests.parse(
                    new Kubectl(null).run("kustomize", overlay.toString()).ok().out());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Installed of(List<JsonObject> objects, String deployment) {
        JsonObject d = objects.stream()
                .filter(o -> "Deployment".equals(o.getString("kind"))
                        && deployment.equals(o.getJsonObject("metadata").getString("name")))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("manifests/ renders no Deployment " + deployment));
        JsonObject container = d.getJsonObject("spec")
                .getJsonObject("template")
                .getJsonObject("spec")
                .getJsonArray("containers")
                .getJsonObject(0);
        List<String> args = new ArrayList<>();
        container.getJsonArray("args", new JsonArray()).forEach(a -> args.add(String.valueOf(a)));
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : container.getJsonArray("env", new JsonArray())) {
            JsonObject e = (JsonObject) o;
            JsonObject from = e.getJsonObject("valueFrom");
            if (from == null) {
                env.put(e.getString("name"), e.getString("value", ""));
            } else if (podField(d, from) != null) {
                env.put(e.getString("name"), podField(d, from));
            } else {
                throw new IllegalStateException("the sandbox cannot give " + deployment + " its variable "
                        + e.getString("name") + " (valueFrom " + from.encode() + ")");
            }
        }
        String limit = container
                .getJsonObject("resources", new JsonObject())
                .getJsonObject("limits", new JsonObject())
                .getString("memory");
        return new Installed(List.copyOf(args), Map.copyOf(env), limit == null ? 0 : bytes(limit));
    }

    /**
     * The downward API's value of a {@code fieldRef} for the one pod the sandbox runs of {@code deployment}, or null
     * for a field it cannot give: the namespace, the pod's name (the Deployment's name stands in) and its service
     * account, as the kubelet fills them in.
     */
    private static String podField(JsonObject deployment, JsonObject valueFrom) {
        String path = valueFrom.getJsonObject("fieldRef", new JsonObject()).getString("fieldPath");
        JsonObject metadata = deployment.getJsonObject("metadata");
        JsonObject podSpec =
                deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
        if (path == null) {
            return null;
        }
        return switch (path) {
            case "metadata.namespace" -> metadata.getString("namespace", "default");
            case "metadata.name" -> metadata.getString("name");
            case "spec.serviceAccountName" -> podSpec.getString("serviceAccountName", "default");
            default -> null;
        };
    }

    /** The installed args with {@code overrides} ({@code --flag=value}) in place of the same flags. */
    public List<String> withFlags(List<String> overrides) {
        Set<String> replaced = new java.util.HashSet<>();
        overrides.forEach(o -> replaced.add(o.split("=", 2)[0]));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String flag = a.split("=", 2)[0];
            if (replaced.contains(flag)) {
                if (!a.contains("=") && i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                    i++;
                }
                continue;
            }
            out.add(a);
        }
        out.addAll(overrides);
        return out;
    }

    /** Kubernetes quantities of memory: plain bytes, or with a binary (Ki, Mi, Gi) or decimal (k, M, G) suffix. */
    static long bytes(String quantity) {
        String[][] units = {
            {"Ki", "1024"},
            {"Mi", "1048576"},
            {"Gi", "1073741824"},
            {"k", "1000"},
            {"M", "1000000"},
            {"G", "1000000000"}
        };
        for (String[] u : units) {
            if (quantity.endsWith(u[0])) {
                return Long.parseLong(quantity.substring(0, quantity.length() - u[0].length())) * Long.parseLong(u[1]);
            }
        }
        return Long.parseLong(quantity);
    }
}
