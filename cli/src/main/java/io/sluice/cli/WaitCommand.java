package io.sluice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "wait",
        description = {
            "Waits for the outcome of the revision the last change admitted (status.admittedRevision, e.g. after"
                    + " `kubectl set image`): promoted, or failed (rolled back).",
            "Exits 0 on the outcome asked for, 1 on the other one, 4 when a later revision is admitted first, 3 on"
                    + " timeout."
        })
final class WaitCommand extends CanaryCommand {
    /** The outcomes one can wait for. */
    enum Outcome {
        promoted,
        failed
    }

    @Parameters(index = "0", paramLabel = "CANARY", description = "The Canary.")
    String name;

    @Option(names = "--for", required = true, paramLabel = "OUTCOME", description = "promoted or failed.")
    Outcome wanted;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30m",
            converter = TimeoutConverter.class,
            description = "How long to wait (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    WaitCommand(Clients clients) {
        super(clients);
    }

    @Override
    int run(KubernetesClient client, String namespace) throws InterruptedException {
        String ref = namespace + "/" + name;
        Canary canary = canaries(client).inNamespace(namespace).withName(name).get();
        if (canary == null) {
            err().println("error: canary " + ref + " not found");
            return ExitCodes.ERROR;
        }
        CanaryStatus status = canary.getStatus();
        CanaryStatus.AdmittedRevision admitted = status == null ? null : status.admittedRevision;
        if (admitted == null || admitted.revision == null) {
            err().println("error: canary " + ref + " has no admitted revision to wait for (status.admittedRevision"
                    + " is written by the admission webhook when a change of the target is applied)");
            return ExitCodes.ERROR;
        }
        String revision = admitted.revision;
        err().println("waiting for revision " + revision + " of " + ref + " (admitted for "
                + StatusView.who(admitted.user, admitted.source) + ") to be " + wanted);
        Canary[] last = {canary};
        return follow(
                client,
                namespace,
                name,
                timeout,
                state -> {
                    last[0] = state;
                    CanaryStatus s = state.getStatus();
                    Outcome outcome = outcome(s, revision);
                    if (outcome != null) {
                        String line = "revision " + revision + " of " + ref + " " + outcome + reason(s);
                        if (outcome == wanted) {
                            out().println(line);
                            return ExitCodes.OK;
                        }
                        err().println("error: " + line);
                        return ExitCodes.REFUSED;
                    }
                    String now = s == null || s.admittedRevision == null ? null : s.admittedRevision.revision;
                    if (now != null && !now.equals(revision)) {
                        err().println("error: revision " + revision + " of " + ref + " was superseded by revision "
                                + now + " before its run ended");
                        return ExitCodes.SUPERSEDED;
                    }
                    return null;
                },
                () -> " waiting for revision " + revision + " to be " + wanted + " (" + StatusView.progress(last[0])
                        + ")");
    }

    /**
     * The outcome of {@code revision} the status shows, or null while it has none: promoted when the Canary is
     * Succeeded (or, for its first revision, Initialized) with that revision last promoted; failed when it is Failed
     * with that revision last applied.
     */
    static Outcome outcome(CanaryStatus s, String revision) {
        if (s == null) {
            return null;
        }
        CanaryPhase phase = s.phase();
        if (phase == CanaryPhase.Succeeded || phase == CanaryPhase.Initialized) {
            String promoted = s.lastPromotedSpec != null ? s.lastPromotedSpec : s.lastAppliedSpec;
            return revision.equals(promoted) ? Outcome.promoted : null;
        }
        if (phase == CanaryPhase.Failed && revision.equals(s.lastAppliedSpec)) {
            return Outcome.failed;
        }
        return null;
    }

    /** The Promoted condition's message, as a suffix. */
    private static String reason(CanaryStatus s) {
        if (s.conditions != null) {
            for (CanaryCondition c : s.conditions) {
                if ("Promoted".equals(c.type) && c.message != null) {
                    return ": " + c.message;
                }
            }
        }
        return "";
    }
}
