package io.sluice.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admission service as its Deployment in {@code manifests/admission/deployment.yaml} installs it: the container's
 * args, its environment ({@code JAVA_TOOL_OPTIONS}, {@code MALLOC_ARENA_MAX}, {@code POD_NAMESPACE} from the pod's
 * namespace) and its memory limit. The benchmark runs it as a process with that environment, and changes only what a
 * process on this machine needs: the port and address it listens on, certificate files in place of the self-managed
 * CA (as the chart does with cert-manager), and {@code -XX:MaxRAM} set to the limit so the JVM sizes itself as in
 * the container.
 */
record AdmissionInstall(List<String> args, Map<String, String> env, long memoryLimitBytes, String namespace) {

    static final String MAIN = "io.sluice.admission.Main";
    static final Path DEPLOYMENT = Path.of("manifests/admission/deployment.yaml");

    AdmissionInstall {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /** The installation read from the repository's manifests. */
    static AdmissionInstall fromRepo(Path repo) {
        Path file = repo.resolve(DEPLOYMENT);
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The first Deployment of a multi-document YAML file, its container named {@code admission}. */
    static AdmissionInstall parse(String yaml) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank() || !(serialization.unmarshal(doc) instanceof Deployment d)) {
                continue;
            }
            String namespace = d.getMetadata().getNamespace();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().stream()
                    .filter(x -> "admission".equals(x.getName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no container named admission"));
            Map<String, String> env = new LinkedHashMap<>();
            for (EnvVar v : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                if (v.getValue() != null) {
                    env.put(v.getName(), v.getValue().trim());
                } else if (v.getValueFrom() != null
                        && v.getValueFrom().getFieldRef() != null
                        && "metadata.namespace"
                                .equals(v.getValueFrom().getFieldRef().getFieldPath())) {
                    env.put(v.getName(), namespace);
                } else {
                    throw new IllegalArgumentException("env " + v.getName() + ": only values and the pod's namespace"
                            + " can be reproduced outside a pod");
                }
            }
            Quantity limit = c.getResources() == null || c.getResources().getLimits() == null
                    ? null
                    : c.getResources().getLimits().get("memory");
            if (limit == null) {
                throw new IllegalArgumentException("the admission container has no memory limit");
            }
            return new AdmissionInstall(
                    c.getArgs() == null ? List.of() : c.getArgs(),
                    env,
                    Quantity.getAmountInBytes(limit).longValueExact(),
                    namespace);
        }
        throw new IllegalArgumentException("no Deployment in the admission manifest");
    }

    /** The installed value of one {@code --name=value} argument, or null. */
    String arg(String name) {
        return args.stream()
                .filter(a -> a.startsWith(name + "="))
                .map(a -> a.substring(name.length() + 1))
                .findFirst()
                .orElse(null);
    }

    /**
     * The command line: {@code -XX:MaxRAM} at the container's limit, then {@code javaOpts} (after the packaged
     * options in {@code JAVA_TOOL_OPTIONS}, so they win, e.g. a larger {@code -Xmx}), the image's main class on
     * {@code classpath}, the installed args with the port, address and certificate files of this machine.
     */
    List<String> command(String classpath, int port, Path certFile, Path keyFile, String javaOpts) {
        List<String> cmd = new ArrayList<>(List.of("java", "-XX:MaxRAM=" + memoryLimitBytes));
        if (javaOpts != null && !javaOpts.isBlank()) {
            cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classpath, MAIN));
        for (String a : args) {
            if (!a.startsWith("--port=")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(
                "--port=" + port,
                "--bind-address=127.0.0.1",
                "--tls-cert-file=" + certFile,
                "--tls-key-file=" + keyFile));
        return cmd;
    }

    /** The installed environment, and the API server the service finds through {@code KUBECONFIG}. */
    Map<String, String> environment(Path kubeconfig) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("KUBECONFIG", kubeconfig.toString());
        return e;
    }
}
