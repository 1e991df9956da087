package io.sluice.model.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.model.control.RuntimeRequests.Verdict;
import io.sluice.model.flagger.CanaryStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeRequestsTest {

    @Test
    void anAnnotationNamesAnActionAndOptionallyARevision() {
        assertThat(RuntimeRequest.parse("promote")).isEqualTo(new RuntimeRequest(RuntimeAction.PROMOTE, null));
        assertThat(RuntimeRequest.parse(" Abort@3f2a9c ")).isEqualTo(new RuntimeRequest(RuntimeAction.ABORT, "3f2a9c"));
        assertThat(new RuntimeRequest(RuntimeAction.RETRY, "3f2a9c").annotationValue())
                .isEqualTo("retry@3f2a9c");
        assertThat(new RuntimeRequest(RuntimeAction.PAUSE, null).annotationValue())
                .isEqualTo("pause");
    }

    @Test
    void aBadAnnotationSaysWhatIsWrong() {
        assertThatThrownBy(() -> RuntimeRequest.parse(""))
                .hasMessageContaining("expected <action> or <action>@<revision>")
                .hasMessageContaining("promote, abort, retry, pause, resume");
        assertThatThrownBy(() -> RuntimeRequest.parse("rollback")).hasMessageContaining("no known action \"rollback\"");
        assertThatThrownBy(() -> RuntimeRequest.parse("promote@")).hasMessageContaining("no valid revision");
        assertThatThrownBy(() -> RuntimeRequest.parse("promote@a b")).hasMessageContaining("\"a b\"");
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "promote|Progressing|ok",
                "promote|WaitingPromotion|ok",
                "promote|Waiting|ok",
                "promote|Promoting|needs a run in progress before promotion",
                "promote|Succeeded|and the canary is in phase Succeeded",
                "abort|Progressing|ok",
                "abort|Finalising|needs a run in progress",
                "abort|Failed|needs a run in progress",
                "retry|Failed|ok",
                "retry|Progressing|retry needs a failed run, and the canary is in phase Progressing",
                "pause|Progressing|ok",
                "pause|Initialized|pause needs a run in progress",
                "resume|Progressing|the run is not paused",
            })
    void eachActionFitsSomePhases(String action, String phase, String expected) {
        CanaryStatus status = status(phase);
        Verdict verdict = RuntimeRequests.judge(RuntimeRequest.parse(action), status);
        if (expected.equals("ok")) {
            assertThat(verdict).isEqualTo(new Verdict.Accepted(action.equals("retry") ? "failed-rev" : "run-rev"));
        } else {
            assertThat(verdict)
                    .isInstanceOfSatisfying(
                            Verdict.Denied.class, d -> assertThat(d.reason()).contains(expected));
        }
    }

    @Test
    void aCanaryWithoutStatusIsNotInitializedYet() {
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("promote"), null))
                .isEqualTo(new Verdict.Denied("promote needs a run in progress before promotion (Waiting,"
                        + " Progressing or WaitingPromotion), and the canary is not initialized yet"));
    }

    @Test
    void aRequestForAnotherRevisionIsStale() {
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("abort@old-rev"), status("Progressing")))
                .isEqualTo(new Verdict.Denied(
                        "the request names revision old-rev, but the current run is revision" + " run-rev"));
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("abort@run-rev"), status("Progressing")))
                .isEqualTo(new Verdict.Accepted("run-rev"));
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("retry@run-rev"), status("Failed")))
                .isEqualTo(new Verdict.Denied(
                        "the request names revision run-rev, but the failed run is revision" + " failed-rev"));
    }

    @Test
    void theRunRevisionFallsBackToLastAppliedSpec() {
        CanaryStatus status = status("Progressing");
        status.currentRun = null;
        status.lastAppliedSpec = "applied";
        assertThat(RuntimeRequests.runRevision(status)).isEqualTo("applied");
    }

    @Test
    void aPauseHoldsOnceHandledAndOnlyForItsRun() {
        CanaryStatus status = status("Progressing");
        status.request = request("pause", "run-rev", "uid-1");
        assertThat(RuntimeRequests.pending(status)).isTrue();
        assertThat(RuntimeRequests.paused(status)).isFalse();
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("pause"), status))
                .isEqualTo(new Verdict.Denied("the run is already paused"));
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("resume"), status))
                .isEqualTo(new Verdict.Accepted("run-rev"));

        status.requestHandled = handled("uid-1", RuntimeRequests.DONE);
        assertThat(RuntimeRequests.pending(status)).isFalse();
        assertThat(RuntimeRequests.paused(status)).isTrue();

        status.requestHandled = handled("uid-1", RuntimeRequests.REJECTED);
        assertThat(RuntimeRequests.paused(status)).isFalse();

        status.requestHandled = handled("uid-1", RuntimeRequests.DONE);
        status.currentRun.revision = "next-rev";
        assertThat(RuntimeRequests.paused(status))
                .as("a pause holds only the run it names")
                .isFalse();
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("resume"), status))
                .isEqualTo(new Verdict.Denied("the run is not paused"));
    }

    @Test
    void aPromoteOrAbortOfARunWaitingForASlotIsDeniedWithItsPlace() {
        CanaryStatus status = status("Waiting");
        io.sluice.model.flagger.CanaryCondition queued = new io.sluice.model.flagger.CanaryCondition();
        queued.type = io.sluice.model.flagger.QueuedCondition.TYPE;
        queued.status = "True";
        queued.message = "Waiting for a free slot of the cluster: 2 canaries progressing, at most 2"
                + " (--max-progressing-canaries); place 1 in the cluster's queue";
        status.conditions = new java.util.ArrayList<>(java.util.List.of(queued));
        for (String action : new String[] {"promote", "abort"}) {
            assertThat(RuntimeRequests.judge(RuntimeRequest.parse(action), status))
                    .as(action)
                    .isEqualTo(new Verdict.Denied("waiting for a slot of the concurrency budget: " + queued.message));
        }
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("pause"), status))
                .as("a waiter may still be paused")
                .isEqualTo(new Verdict.Accepted("run-rev"));
        queued.status = "False";
        assertThat(RuntimeRequests.judge(RuntimeRequest.parse("promote"), status))
                .as("waiting for approval, not for a slot")
                .isEqualTo(new Verdict.Accepted("run-rev"));
    }

    @Test
    void aRecordWithoutUidIsNeitherPendingNorPaused() {
        CanaryStatus status = status("Progressing");
        status.request = request("pause", "run-rev", null);
        assertThat(RuntimeRequests.pending(status)).isFalse();
        assertThat(RuntimeRequests.paused(status)).isFalse();
    }

    private static CanaryStatus status(String phase) {
        CanaryStatus status = new CanaryStatus();
        status.phase = phase;
        status.lastAppliedSpec = phase.equals("Failed") ? "failed-rev" : "run-rev";
        status.currentRun = new CanaryStatus.CurrentRun();
        status.currentRun.revision = phase.equals("Failed") ? "earlier-run" : "run-rev";
        return status;
    }

    private static CanaryStatus.RecordedRequest request(String action, String revision, String uid) {
        CanaryStatus.RecordedRequest request = new CanaryStatus.RecordedRequest();
        request.action = action;
        request.revision = revision;
        request.uid = uid;
        return request;
    }

    private static CanaryStatus.HandledRequest handled(String uid, String outcome) {
        CanaryStatus.HandledRequest handled = new CanaryStatus.HandledRequest();
        handled.uid = uid;
        handled.outcome = outcome;
        return handled;
    }
}
