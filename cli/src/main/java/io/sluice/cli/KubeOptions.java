package io.sluice.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The kubectl-style connection options every command takes. */
public final class KubeOptions {
    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NAMESPACE",
            description = "The namespace; default: the kubeconfig context's, else \"default\".")
    String namespace;

    @Option(
            names = "--context",
            paramLabel = "CONTEXT",
            description = "The kubeconfig context to use; default: the current context.")
    String context;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "The kubeconfig file; default: $KUBECONFIG, else ~/.kube/config (or the in-cluster"
                    + " service account).")
    Path kubeconfig;

    /** The namespace given with {@code -n}, or null. */
    public String namespace() {
        return namespace;
    }

    /** The context given with {@code --context}, or null. */
    public String context() {
        return context;
    }

    /** The file given with {@code --kubeconfig}, or null. */
    public Path kubeconfig() {
        return kubeconfig;
    }
}
