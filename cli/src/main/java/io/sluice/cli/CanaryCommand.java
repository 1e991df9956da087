package io.sluice.cli;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.sluice.model.Durations;
import io.sluice.model.flagger.Canary;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the connection options, the client, the output streams and the error handling. */
abstract class CanaryCommand implements Callable<Integer> {
    @Mixin
    KubeOptions kube = new KubeOptions();

    @Spec
    CommandSpec spec;

    private final Clients clients;

    CanaryCommand(Clients clients) {
        this.clients = clients;
    }

    @Override
    public final Integer call() {
        KubernetesClient client;
        try {
            client = Clients.register(clients.connect(kube));
        } catch (RuntimeException e) {
            err().println("error: cannot configure the Kubernetes client: " + message(e));
            return ExitCodes.ERROR;
        }
        try (client) {
            String namespace = kube.namespace() != null
                    ? kube.namespace()
                    : client.getNamespace() != null ? client.getNamespace() : "default";
            return run(client, namespace);
        } catch (KubernetesClientException e) {
            err().println("error: " + message(e));
            return ExitCodes.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err().println("error: interrupted");
            return ExitCodes.ERROR;
        }
    }

    /** The command itself; returns its exit code (see {@link ExitCodes}). */
    abstract int run(KubernetesClient client, String namespace) throws InterruptedException;

    static MixedOperation<Canary, KubernetesResourceList<Canary>, Resource<Canary>> canaries(KubernetesClient client) {
        return client.resources(Canary.class);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The API server's message for a failed call, without fabric8's request preamble. */
    static String message(Throwable e) {
        if (e instanceof KubernetesClientException k
                && k.getStatus() != null
                && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Decides on each state of a followed Canary whether the wait is over. */
    @FunctionalInterface
    interface Decision {
        /** The exit code to end with, or null to keep following. */
        Integer decide(Canary canary);
    }

    /**
     * Follows Canary {@code namespace/name} for at most {@code timeout}, a line of progress on standard error at
     * each change, until {@code decision} ends the wait. On timeout, prints {@code timeoutDetail} after the
     * "timed out" error and returns {@link ExitCodes#TIMEOUT}; when the Canary is deleted, {@link ExitCodes#ERROR}.
     */
    int follow(
            KubernetesClient client,
            String namespace,
            String name,
            Duration timeout,
            Decision decision,
            Supplier<String> timeoutDetail)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String shown = null;
        try (CanaryWatch watch = new CanaryWatch(client, namespace, name)) {
            while (true) {
                Canary canary = watch.next(deadline);
                if (canary == null) {
                    err().println("error: timed out after " + format(timeout) + timeoutDetail.get());
                    return ExitCodes.TIMEOUT;
                }
                Integer code = decision.decide(canary);
                if (code != null) {
                    return code;
                }
                String progress = StatusView.progress(canary);
                if (!progress.equals(shown)) {
                    err().println("  " + progress);
                    shown = progress;
                }
            }
        } catch (CanaryWatch.Deleted e) {
            err().println("error: canary " + namespace + "/" + name + " was deleted while waiting");
            return ExitCodes.ERROR;
        }
    }

    /** A duration as the user wrote it: {@code 5m}, {@code 1h30m}, {@code 0.3s}. */
    static String format(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /** Reads {@code --timeout}: Go's duration syntax, as kubectl's own {@code --timeout} takes it. */
    static final class TimeoutConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = Durations.parse(value).orElse(null);
            if (d == null || d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a positive duration such as 30s, 5m or 1h30m");
            }
            return d;
        }
    }
}
