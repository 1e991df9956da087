package io.sluice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sluice.model.WellKnown;
import io.sluice.model.control.RuntimeAction;
import io.sluice.model.control.RuntimeRequest;
import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code promote}, {@code abort}, {@code retry}, {@code pause} and {@code resume}: asks through the Canary's
 * {@code sluice.io/request} annotation, then waits until the analyzer has answered that very request.
 */
@Command(sortOptions = false)
final class RequestCommand extends CanaryCommand {
    @Parameters(index = "0", paramLabel = "CANARY", description = "The Canary.")
    String name;

    @Option(
            names = "--revision",
            paramLabel = "REVISION",
            description = "Act only if the run is this revision (status.currentRun.revision; for retry, the failed"
                    + " one); default: the run the status shows now, which the request then names.")
    String revision;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5m",
            converter = TimeoutConverter.class,
            description = "How long to wait for the analyzer to act (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--no-wait", description = "Return once the request is admitted; do not wait for the analyzer.")
    boolean noWait;

    private final RuntimeAction action;

    RequestCommand(Clients clients, RuntimeAction action) {
        super(clients);
        this.action = action;
    }

    /** The usage line of each action. */
    static String description(RuntimeAction action) {
        return switch (action) {
            case PROMOTE -> "Finishes the current run now: skips the remaining steps and checks, then promotes.";
            case ABORT -> "Rolls the current run back now, as a failed run.";
            case RETRY -> "Runs the last failed revision again, without a change in Git.";
            case PAUSE -> "Holds the current run at its weight (until resume).";
            case RESUME -> "Continues a paused run.";
        };
    }

    @Override
    int run(KubernetesClient client, String namespace) throws InterruptedException {
        String what = action.wireName() + " canary " + namespace + "/" + name;
        Canary canary = canaries(client).inNamespace(namespace).withName(name).get();
        if (canary == null) {
            err().println("error: canary " + namespace + "/" + name + " not found");
            return ExitCodes.ERROR;
        }
        RuntimeRequests.Verdict verdict =
                RuntimeRequests.judge(new RuntimeRequest(action, revision), canary.getStatus());
        if (verdict instanceof RuntimeRequests.Verdict.Denied denied) {
            err().println("error: cannot " + what + ": " + denied.reason());
            return ExitCodes.REFUSED;
        }
        String target = ((RuntimeRequests.Verdict.Accepted) verdict).revision();
        RuntimeRequest request = new RuntimeRequest(action, target);
        String id = UUID.randomUUID().toString();
        try {
            canaries(client)
                    .inNamespace(namespace)
                    .withName(name)
                    .patch(
                            new PatchContext.Builder()
                                    .withPatchType(PatchType.JSON_MERGE)
                                    .withFieldManager(WellKnown.PLUGIN_FIELD_MANAGER)
                                    .build(),
                            client.getKubernetesSerialization()
                                    .asJson(Map.of(
                                            "metadata",
                                            Map.of(
                                                    "annotations",
                                                    Map.of(
                                                            WellKnown.REQUEST_ANNOTATION,
                                                            request.annotationValue(),
                                                            WellKnown.REQUEST_ID_ANNOTATION,
                                                            id)))));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                err().println("error: canary " + namespace + "/" + name + " not found");
                return ExitCodes.ERROR;
            }
            if (e.getCode() >= 400 && e.getCode() < 500) {
                err().println("error: the API server denied the request to " + what + ": " + message(e));
                return ExitCodes.REFUSED;
            }
            throw e;
        }
        err().println("requested " + request.annotationValue() + " (request-id " + id + ")");
        if (noWait) {
            out().println(action.wireName() + " of " + namespace + "/" + name + " revision " + target
                    + ": requested, not waiting");
            return ExitCodes.OK;
        }
        return awaitAnswer(client, namespace, id, target);
    }

    /** Follows the Canary until the analyzer has answered the request sent with {@code id}. */
    private int awaitAnswer(KubernetesClient client, String namespace, String id, String target)
            throws InterruptedException {
        // The uid admission gave our request, once status.request shows it.
        String[] uid = {null};
        return follow(
                client,
                namespace,
                name,
                timeout,
                canary -> {
                    CanaryStatus s = canary.getStatus();
                    CanaryStatus.RecordedRequest recorded = s == null ? null : s.request;
                    CanaryStatus.HandledRequest handled = s == null ? null : s.requestHandled;
                    if (uid[0] == null && recorded != null && id.equals(recorded.id)) {
                        uid[0] = recorded.uid;
                        err().println("admitted: recorded for " + StatusView.who(recorded.user, recorded.source)
                                + (recorded.requestedAt == null ? "" : " at " + recorded.requestedAt));
                    }
                    if (uid[0] != null && handled != null && uid[0].equals(handled.uid)) {
                        return outcome(namespace, target, handled);
                    }
                    if (uid[0] != null && recorded != null && !uid[0].equals(recorded.uid)) {
                        err().println("error: the request was replaced by a later one ("
                                + StatusView.request(recorded.action, recorded.revision) + " by "
                                + StatusView.who(recorded.user, recorded.source)
                                + ") before the analyzer answered it");
                        return ExitCodes.SUPERSEDED;
                    }
                    return null;
                },
                () -> uid[0] == null
                        ? ": the request was not recorded in status.request (is the admission webhook running?)"
                        : ": the analyzer has not answered the request yet");
    }

    private int outcome(String namespace, String target, CanaryStatus.HandledRequest handled) {
        String line = action.wireName() + " of " + namespace + "/" + name + " revision " + target + ": "
                + handled.outcome + (handled.message == null ? "" : " - " + handled.message);
        if (RuntimeRequests.DONE.equals(handled.outcome)) {
            out().println(line);
            return ExitCodes.OK;
        }
        err().println(line);
        return ExitCodes.REFUSED;
    }
}
