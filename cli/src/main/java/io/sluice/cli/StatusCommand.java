package io.sluice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sluice.model.flagger.Canary;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "status",
        description = {
            "Shows where Canaries stand: phase, weight, the step ladder with the current step, failed checks, who"
                    + " started the run, and pending and handled requests.",
            "With a name, the detail of that Canary; without one, a table of the namespace's (or, with -A, all)."
        })
final class StatusCommand extends CanaryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CANARY", description = "The Canary; omit it for a table.")
    String name;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "List the Canaries of every namespace.")
    boolean allNamespaces;

    StatusCommand(Clients clients) {
        super(clients);
    }

    @Override
    int run(KubernetesClient client, String namespace) {
        if (name != null && allNamespaces) {
            err().println("error: a Canary name cannot be combined with -A (--all-namespaces)");
            return ExitCodes.USAGE;
        }
        if (name != null) {
            Canary canary =
                    canaries(client).inNamespace(namespace).withName(name).get();
            if (canary == null) {
                err().println("error: canary " + namespace + "/" + name + " not found");
                return ExitCodes.ERROR;
            }
            StatusView.detail(canary).forEach(out()::println);
            return ExitCodes.OK;
        }
        List<Canary> items = (allNamespaces
                        ? canaries(client).inAnyNamespace().list()
                        : canaries(client).inNamespace(namespace).list())
                .getItems();
        if (items.isEmpty()) {
            err().println(allNamespaces ? "No canaries found." : "No canaries found in namespace " + namespace + ".");
            return ExitCodes.OK;
        }
        List<Canary> sorted = items.stream()
                .sorted(Comparator.comparing((Canary c) -> c.getMetadata().getNamespace())
                        .thenComparing(c -> c.getMetadata().getName()))
                .toList();
        StatusView.table(sorted, allNamespaces).forEach(out()::println);
        return ExitCodes.OK;
    }
}
