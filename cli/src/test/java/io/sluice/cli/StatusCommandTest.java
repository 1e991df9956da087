package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    private static CanaryStatus progressingAt30() {
        CanaryStatus s = MockApi.status("Progressing", "rev2");
        s.canaryWeight = 30;
        s.failedChecks = 2;
        s.lastPromotedSpec = "rev1";
        s.lastTransitionTime = "2026-12-06T03:05:00Z";
        s.admittedRevision = new CanaryStatus.AdmittedRevision();
        s.admittedRevision.revision = "rev2";
        s.admittedRevision.images = Map.of("podinfod", "ghcr.io/stefanprodan/podinfo:6.0.1");
        s.admittedRevision.user = "alice";
        s.admittedRevision.source = "kubectl";
        s.admittedRevision.admittedAt = "2026-12-06T02:59:58Z";
        CanaryCondition promoted = new CanaryCondition();
        promoted.type = "Promoted";
        promoted.status = "Unknown";
        promoted.reason = "Progressing";
        promoted.message = "New revision detected, progressing canary analysis.";
        s.conditions = List.of(promoted);
        return s;
    }

    /** A request bob sent for revision rev2, as admission records it. */
    private static CanaryStatus.RecordedRequest recorded(String action, String source, String uid) {
        CanaryStatus.RecordedRequest r = new CanaryStatus.RecordedRequest();
        r.action = action;
        r.revision = "rev2";
        r.user = "bob";
        r.source = source;
        r.uid = uid;
        return r;
    }

    /** The analyzer's answer "done" to request {@code uid}. */
    private static CanaryStatus.HandledRequest handled(String uid, String action) {
        CanaryStatus.HandledRequest h = new CanaryStatus.HandledRequest();
        h.uid = uid;
        h.action = action;
        h.revision = "rev2";
        h.outcome = "done";
        return h;
    }

    @Test
    void detailShowsTheLadderTheRunAndThePendingRequest() {
        CanaryStatus s = progressingAt30();
        s.request = recorded("promote", "kubectl-sluice", "u2");
        s.request.id = "id2";
        s.request.requestedAt = "2026-12-06T03:06:00Z";
        s.requestHandled = handled("u1", "pause");
        s.requestHandled.handledAt = "2026-12-06T03:04:00Z";
        api.create("test", "podinfo", s);

        MockApi.Run run = api.run("status", "podinfo", "-n", "test");

        assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out())
                .contains("Canary:        test/podinfo\n")
                .contains("Phase:         Progressing  (since 2026-12-06T03:05:00Z)\n")
                .contains("Weight:        30%\n")
                .contains("Steps:         [30] 60  (stepWeight 30 until maxWeight 50)\n")
                .contains("Checks:        2 failed, threshold 5\n")
                .contains("Run:           revision rev2, started 2026-12-06T03:00:00Z by alice via kubectl\n")
                .contains("Admitted:      revision rev2 (podinfod=ghcr.io/stefanprodan/podinfo:6.0.1), by alice via"
                        + " kubectl at 2026-12-06T02:59:58Z\n")
                .contains("Promoted:      revision rev1\n")
                .contains("Request:       pending: promote@rev2 by bob via kubectl-sluice at 2026-12-06T03:06:00Z"
                        + " (id id2)\n")
                .contains("Last request:  pause@rev2: done at 2026-12-06T03:04:00Z\n")
                .contains("Conditions:\n  Promoted=Unknown (Progressing): New revision detected, progressing canary"
                        + " analysis.")
                .doesNotContain("Paused:");
    }

    @Test
    void detailShowsTheCanarysLatestEvents() {
        api.create("test", "podinfo", progressingAt30());
        for (int i = 1; i <= 7; i++) {
            event("podinfo", "e" + i, "2026-12-06T03:0" + i + ":00Z", i == 7 ? "Warning" : "Normal", "message " + i);
        }
        event("other", "x", "2026-12-06T03:09:00Z", "Warning", "of another canary");

        MockApi.Run run = api.run("status", "podinfo", "-n", "test");

        assertThat(run.out())
                .contains("Events (last 5):\n"
                        + "  2026-12-06T03:03:00Z  Normal  message 3\n"
                        + "  2026-12-06T03:04:00Z  Normal  message 4\n"
                        + "  2026-12-06T03:05:00Z  Normal  message 5\n"
                        + "  2026-12-06T03:06:00Z  Normal  message 6\n"
                        + "  2026-12-06T03:07:00Z  Warning  message 7\n")
                .doesNotContain("of another canary");
    }

    private void event(String canary, String name, String time, String type, String message) {
        api.client
                .v1()
                .events()
                .inNamespace("test")
                .resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                        .withNewMetadata()
                        .withName(canary + "." + name)
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind("Canary")
                        .withName(canary)
                        .withNamespace("test")
                        .endInvolvedObject()
                        .withReason("Synced")
                        .withType(type)
                        .withMessage(message)
                        .withLastTimestamp(time)
                        .build())
                .create();
    }

    @Test
    void detailShowsAPausedRunAndWhoPausedIt() {
        CanaryStatus s = progressingAt30();
        s.request = recorded("pause", "argocd", "u1");
        s.requestHandled = handled("u1", "pause");
        s.requestHandled.message = "holding at 30%";
        api.create("test", "podinfo", s);

        MockApi.Run run = api.run("status", "podinfo", "-n", "test");

        assertThat(run.out())
                .contains("Paused:        yes, by bob via argocd (resume to continue)\n")
                .contains("Last request:  pause@rev2: done (asked by bob via argocd) - holding at 30%\n")
                .doesNotContain("Request: ");
    }

    @Test
    void stepWeightsAndIterationsLadders() {
        api.create("test", "steps", progressingAt30());
        api.client
                .resources(io.sluice.model.flagger.Canary.class)
                .inNamespace("test")
                .withName("steps")
                .edit(c -> {
                    c.getSpec().analysis.stepWeights = List.of(5, 10, 30, 60);
                    return c;
                });
        CanaryStatus ab = MockApi.status("Progressing", "rev9");
        ab.iterations = 3;
        api.create("test", "ab", ab);
        api.client
                .resources(io.sluice.model.flagger.Canary.class)
                .inNamespace("test")
                .withName("ab")
                .edit(c -> {
                    c.getSpec().analysis.stepWeight = null;
                    c.getSpec().analysis.iterations = 10;
                    c.getSpec().analysis.match = List.of(new io.sluice.model.flagger.HttpMatch());
                    return c;
                });

        assertThat(api.run("status", "steps", "-n", "test").out())
                .contains("Steps:         5 10 [30] 60  (stepWeights)\n");
        assertThat(api.run("status", "ab", "-n", "test").out())
                .contains("Steps:         iteration 3 of 10 (A/B testing)\n");
    }

    @Test
    void tableOfTheNamespaceOrOfAllNamespaces() {
        api.create("test", "podinfo", progressingAt30());
        api.create("test", "backend", MockApi.status("Succeeded", "rev7"));
        api.create("other", "frontend", null);

        MockApi.Run one = api.run("status", "-n", "test");
        MockApi.Run all = api.run("status", "-A");

        assertThat(one.code()).as(one.err()).isEqualTo(ExitCodes.OK);
        assertThat(one.out()).isEqualTo("""
                        NAME     PHASE        WEIGHT  STEP  FAILED  REVISION  STARTED BY         REQUEST
                        backend  Succeeded    0       -     0/5     rev7      alice via kubectl  -
                        podinfo  Progressing  30      1/2   2/5     rev2      alice via kubectl  -
                        """);
        assertThat(all.out().lines().toList()).hasSize(4).first().asString().startsWith("NAMESPACE  NAME ");
        assertThat(all.out()).contains("other      frontend  -  ");
    }

    @Test
    void errorsAndUsage() {
        MockApi.Run missing = api.run("status", "nothere", "-n", "test");
        MockApi.Run both = api.run("status", "podinfo", "-A");
        MockApi.Run empty = api.run("status", "-n", "empty");

        assertThat(missing.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(missing.err()).contains("canary test/nothere not found");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("a Canary name cannot be combined with -A");
        assertThat(empty.code()).isEqualTo(ExitCodes.OK);
        assertThat(empty.err()).contains("No canaries found in namespace empty.");
    }
}
