package io.sluice.cli;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
                    + " started the run, pending and handled requests, and (for one Canary) its last Events.",
            "With a name, the detail of that Canary; without one, a table of the namespace's (or, with -A, all)."
        })
final class StatusCommand extends CanaryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CANARY", description = "The Canary; omit it for a table.")
    String name;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "List the Canaries of every namespace.")
    boolean allNamespaces;

    /** How many of the Canary's Events the detail shows. */
    static final int EVENTS = 5;

    /**
     * The Canary's latest Events, oldest first, as the analyzer writes them: the checks that halted a step (with
     * their values), the weights, promotions, rollbacks and who asked for a request. Empty when the user may not list
     * Events.
     */
    static List<String> recentEvents(KubernetesClient client, Canary canary) {
        String name = canary.getMetadata().getName();
        List<Event> events;
        // The namespace's Events, picked here: an involvedObject field selector is not served by every API server.
        try {
            events = client.v1()
                    .events()
                    .inNamespace(canary.getMetadata().getNamespace())
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return List.of();
            }
            throw e;
        }
        List<Event> ours = events.stream()
                .filter(e -> e.getInvolvedObject() != null
                        && "Canary".equals(e.getInvolvedObject().getKind())
                        && name.equals(e.getInvolvedObject().getName()))
                .sorted(Comparator.comparing(StatusCommand::when))
                .toList();
        return ours.stream()
                .skip(Math.max(0, ours.size() - EVENTS))
                .map(e -> "  " + when(e) + "  " + e.getType() + "  " + e.getMessage()
                        + (e.getCount() != null && e.getCount() > 1 ? " (x" + e.getCount() + ")" : ""))
                .toList();
    }

    private static String when(Event e) {
        if (e.getLastTimestamp() != null) {
            return e.getLastTimestamp();
        }
        return e.getFirstTimestamp() != null ? e.getFirstTimestamp() : "";
    }

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
            List<String> events = recentEvents(client, canary);
            if (!events.isEmpty()) {
                out().println("Events (last " + events.size() + "):");
                events.forEach(out()::println);
            }
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
