package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestCommandTest {
    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    private void progressing() {
        CanaryStatus s = MockApi.status("Progressing", "rev2");
        s.canaryWeight = 30;
        api.create("test", "podinfo", s);
    }

    @Test
    void promoteAsksThroughTheAnnotationsAndReportsTheAnalyzersAnswer() {
        progressing();
        try (FakeControlPlane plane = FakeControlPlane.answering(api, "done", "promoting revision rev2 now")) {
            MockApi.Run run = api.run("promote", "podinfo", "-n", "test", "--timeout", "1m");

            assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
            assertThat(run.out())
                    .isEqualTo("promote of test/podinfo revision rev2: done - promoting revision rev2 now\n");
            assertThat(run.err()).contains("admitted: recorded for bob via kubectl-sluice");
        }
        Canary stored = api.get("test", "podinfo");
        Map<String, String> annotations = stored.getMetadata().getAnnotations();
        assertThat(annotations).containsEntry(WellKnown.REQUEST_ANNOTATION, "promote@rev2");
        assertThat(annotations.get(WellKnown.REQUEST_ID_ANNOTATION)).isNotBlank();
        assertThat(stored.getStatus().request.id).isEqualTo(annotations.get(WellKnown.REQUEST_ID_ANNOTATION));
        // One merge patch of the annotations, under the plugin's field manager.
        assertThat(api.patches).hasSize(1);
        assertThat(api.patches.get(0)[0]).contains("fieldManager=" + WellKnown.PLUGIN_FIELD_MANAGER);
        assertThat(api.patches.get(0)[1]).doesNotContain("\"spec\"").doesNotContain("\"status\"");
    }

    @Test
    void eachRequestCarriesAFreshId() {
        progressing();
        assertThat(api.run("pause", "podinfo", "-n", "test", "--no-wait").code())
                .isEqualTo(ExitCodes.OK);
        String first = api.get("test", "podinfo").getMetadata().getAnnotations().get(WellKnown.REQUEST_ID_ANNOTATION);
        assertThat(api.run("pause", "podinfo", "-n", "test", "--no-wait").code())
                .isEqualTo(ExitCodes.OK);
        String second =
                api.get("test", "podinfo").getMetadata().getAnnotations().get(WellKnown.REQUEST_ID_ANNOTATION);

        assertThat(first).isNotBlank();
        assertThat(second).isNotBlank().isNotEqualTo(first);
    }

    @Test
    void aRequestTheAnalyzerRejectsExitsOneWithItsMessage() {
        progressing();
        try (FakeControlPlane plane =
                FakeControlPlane.answering(api, "rejected", "the run moved on to revision rev3")) {
            MockApi.Run run = api.run("abort", "podinfo", "-n", "test");

            assertThat(run.code()).isEqualTo(ExitCodes.REFUSED);
            assertThat(run.err()).contains("abort of test/podinfo revision rev2: rejected - the run moved on");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void aRequestTheAdmissionWebhookDeniesExitsOneWithItsReason() {
        progressing();
        api.denyPatches = "cannot promote canary podinfo: the run is paused";

        MockApi.Run run = api.run("promote", "podinfo", "-n", "test");

        assertThat(run.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err())
                .contains("the API server denied the request to promote canary test/podinfo")
                .contains("admission webhook \"canaries.sluice.io\" denied the request: cannot promote canary"
                        + " podinfo: the run is paused");
        assertThat(api.get("test", "podinfo").getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void aRequestThatDoesNotFitThePhaseIsRefusedBeforeAnythingIsSent() {
        progressing();

        MockApi.Run run = api.run("retry", "podinfo", "-n", "test");

        assertThat(run.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err())
                .contains("cannot retry canary test/podinfo: retry needs a failed run, and the canary is in phase"
                        + " Progressing");
        assertThat(api.patches).isEmpty();
    }

    @Test
    void aRevisionOtherThanTheRunsIsRefused() {
        progressing();

        MockApi.Run run = api.run("promote", "podinfo", "-n", "test", "--revision", "rev1");

        assertThat(run.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("the request names revision rev1, but the current run is revision rev2");
        assertThat(api.patches).isEmpty();
    }

    @Test
    void retryNamesTheFailedRevision() {
        api.create("test", "podinfo", MockApi.status("Failed", "rev2"));
        try (FakeControlPlane plane = FakeControlPlane.answering(api, "done", null)) {
            MockApi.Run run = api.run("retry", "podinfo", "-n", "test", "--revision", "rev2");

            assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
            assertThat(run.out()).isEqualTo("retry of test/podinfo revision rev2: done\n");
        }
        assertThat(api.get("test", "podinfo").getMetadata().getAnnotations())
                .containsEntry(WellKnown.REQUEST_ANNOTATION, "retry@rev2");
    }

    @Test
    void pauseThenResume() {
        progressing();
        try (FakeControlPlane plane = FakeControlPlane.answering(api, "done", null)) {
            assertThat(api.run("resume", "podinfo", "-n", "test").err()).contains("the run is not paused");

            assertThat(api.run("pause", "podinfo", "-n", "test").code()).isEqualTo(ExitCodes.OK);
            MockApi.Run again = api.run("pause", "podinfo", "-n", "test");
            MockApi.Run resume = api.run("resume", "podinfo", "-n", "test");

            assertThat(again.code()).isEqualTo(ExitCodes.REFUSED);
            assertThat(again.err()).contains("the run is already paused");
            assertThat(resume.code()).as(resume.err()).isEqualTo(ExitCodes.OK);
            assertThat(resume.out()).isEqualTo("resume of test/podinfo revision rev2: done\n");
        }
    }

    @Test
    void timesOutWhenNoAdmissionWebhookRecordsTheRequest() {
        progressing();

        MockApi.Run run = api.run("promote", "podinfo", "-n", "test", "--timeout", "300ms");

        assertThat(run.code()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.err())
                .contains("timed out after 0.3s: the request was not recorded in status.request (is the admission"
                        + " webhook running?)");
    }

    @Test
    void timesOutWhenTheAnalyzerDoesNotAnswer() {
        progressing();
        try (FakeControlPlane plane = FakeControlPlane.recordingOnly(api)) {
            MockApi.Run run = api.run("promote", "podinfo", "-n", "test", "--timeout", "5s");

            assertThat(run.code()).isEqualTo(ExitCodes.TIMEOUT);
            assertThat(run.err())
                    .contains("admitted: recorded for bob via kubectl-sluice")
                    .contains("timed out after 5s: the analyzer has not answered the request yet");
        }
    }

    @Test
    void aLaterRequestReplacingOursIsReported() {
        progressing();
        api.watching = new java.util.concurrent.CountDownLatch(1);
        try (FakeControlPlane plane = FakeControlPlane.recordingOnly(api)) {
            var pending = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> api.run("promote", "podinfo", "-n", "test", "--timeout", "1m"));
            // Once the plugin follows the Canary and its request is recorded, someone else's request replaces it.
            await(plane.recorded);
            await(api.watching);
            api.status("test", "podinfo", st -> {
                st.request.uid = "another";
                st.request.id = "someone-else";
                st.request.action = "abort";
                st.request.user = "carol";
                st.request.source = "argocd";
            });

            MockApi.Run run = pending.join();
            assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.SUPERSEDED);
            assertThat(run.err()).contains("replaced by a later one (abort@rev2 by carol via argocd)");
        }
    }

    @Test
    void noWaitReturnsOnceTheRequestIsSent() {
        progressing();

        MockApi.Run run = api.run("abort", "podinfo", "-n", "test", "--no-wait");

        assertThat(run.code()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).isEqualTo("abort of test/podinfo revision rev2: requested, not waiting\n");
        assertThat(api.get("test", "podinfo").getMetadata().getAnnotations())
                .containsEntry(WellKnown.REQUEST_ANNOTATION, "abort@rev2");
    }

    @Test
    void aMissingCanaryExitsFive() {
        MockApi.Run run = api.run("promote", "nothere", "-n", "test");

        assertThat(run.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(run.err()).contains("canary test/nothere not found");
    }

    @Test
    void usageErrorsExitTwo() {
        progressing();

        MockApi.Run badTimeout = api.run("promote", "podinfo", "-n", "test", "--timeout", "soon");
        MockApi.Run noName = api.run("abort", "-n", "test");
        MockApi.Run unknown = api.run("skip", "podinfo");

        assertThat(badTimeout.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(badTimeout.err()).contains("'soon' is not a positive duration such as 30s, 5m or 1h30m");
        assertThat(noName.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noName.err()).contains("Missing required parameter: 'CANARY'");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(api.patches).isEmpty();
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            assertThat(latch.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
