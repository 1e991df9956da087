package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/** Runtime requests ({@code sluice.io/request}) on Canary updates, through the validating handler. */
class RuntimeRequestAdmissionTest {
    static final Instant NOW = Instant.parse("2026-12-06T03:30:12.345Z");
    static final String RUN = "5b6c7d8e9f0a1b2c";
    static final String UID = "3e7a9c51-0b2d-4f8e-a6c4-5d1e9b7f0a23";
    static final String ARGOCD = "system:serviceaccount:argocd:argocd-application-controller";

    InMemoryClusterView cluster;
    RecordingStatusWriter writer;
    AdmissionMetrics metrics;
    /** The status writes handed over to run after the answer: run by the test when it chooses. */
    List<Runnable> afterAnswer;

    ValidatingHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new InMemoryClusterView();
        cluster.routeTables.add("test/podinfo");
        writer = new RecordingStatusWriter();
        metrics = Fixtures.metrics();
        afterAnswer = new ArrayList<>();
        handler = ValidatingHandlerTest.handler(
                cluster,
                new RuntimeRequestAdmission(
                        writer,
                        Duration.ofSeconds(5),
                        SourceClassifier.withDefaults(Map.of(), Map.of()),
                        Clock.fixed(NOW, ZoneOffset.UTC),
                        metrics,
                        afterAnswer::add),
                false);
    }

    /**
     * An UPDATE of the seed's Canary, stored in {@code phase} ({@code ""}: no status) with run revision {@link #RUN},
     * that sets {@code sluice.io/request} to {@code value} through {@code kubectl annotate}; {@code change} adjusts
     * the request node (its {@code oldObject} and {@code object}) last.
     */
    static ObjectNode annotate(String phase, String value, Consumer<ObjectNode> change) {
        return ValidatingHandlerTest.seedCanary(r -> {
            r.put("operation", "UPDATE");
            ObjectNode old = (ObjectNode) r.path("object").deepCopy();
            if (!phase.isEmpty()) {
                ObjectNode status = old.putObject("status").put("phase", phase).put("lastAppliedSpec", RUN);
                status.putObject("currentRun").put("revision", RUN);
            }
            r.set("oldObject", old);
            ObjectNode object = old.deepCopy();
            ObjectNode metadata = (ObjectNode) object.path("metadata");
            metadata.putObject("annotations").put("sluice.io/request", value);
            metadata.putArray("managedFields")
                    .addObject()
                    .put("manager", "kubectl-client-side-apply")
                    .put("operation", "Update")
                    .put("time", "2026-12-01T09:00:00Z");
            ((tools.jackson.databind.node.ArrayNode) metadata.path("managedFields"))
                    .addObject()
                    .put("manager", "kubectl-annotate")
                    .put("operation", "Update")
                    .put("time", "2026-12-06T03:30:12Z");
            r.set("object", object);
            change.accept(r);
        });
    }

    static ObjectNode annotate(String phase, String value) {
        return annotate(phase, value, r -> {});
    }

    static ObjectNode oldStatus(ObjectNode request) {
        return (ObjectNode) request.path("oldObject").path("status");
    }

    static ObjectNode annotations(ObjectNode request, String which) {
        ObjectNode metadata = (ObjectNode) request.path(which).path("metadata");
        return metadata.path("annotations") instanceof ObjectNode a ? a : metadata.putObject("annotations");
    }

    /** A status.request as the admission service records it, for the stored Canary. */
    static ObjectNode recorded(ObjectNode request, String action, String user, String id) {
        ObjectNode record = oldStatus(request)
                .putObject("request")
                .put("action", action)
                .put("revision", RUN)
                .put("user", user)
                .put("source", "kubectl")
                .put("requestedAt", "2026-12-06T03:30:11Z")
                .put("uid", "earlier-uid");
        if (id != null) {
            record.put("id", id);
        }
        return record;
    }

    AdmissionResponse decide(ObjectNode review) {
        return handler.decide(Fixtures.request(review));
    }

    /** Runs what was handed over to run after the answer, as the event loop does once the answer is sent. */
    void answerSent() {
        List<Runnable> tasks = List.copyOf(afterAnswer);
        afterAnswer.clear();
        tasks.forEach(Runnable::run);
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "promote|Progressing|",
                "promote|WaitingPromotion|",
                "promote|Waiting|",
                "promote|Promoting|promote needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is in phase Promoting",
                "promote|Succeeded|promote needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is in phase Succeeded",
                "promote||promote needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is not initialized yet",
                "abort|Progressing|",
                "abort|WaitingPromotion|",
                "abort|Finalising|abort needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is in phase Finalising",
                "abort|Failed|abort needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is in phase Failed",
                "retry|Failed|",
                "retry|Progressing|retry needs a failed run, and the canary is in phase Progressing",
                "retry|Succeeded|retry needs a failed run, and the canary is in phase Succeeded",
                "pause|Progressing|",
                "pause|Waiting|",
                "pause|Initialized|pause needs a run in progress before promotion (Waiting, Progressing or"
                        + " WaitingPromotion), and the canary is in phase Initialized",
                "resume|Progressing|the run is not paused",
            })
    void eachActionIsJudgedAgainstTheStoredPhase(String action, String phase, String reason) {
        AdmissionResponse response = decide(annotate(phase == null ? "" : phase, action));

        if (reason == null) {
            assertThat(response.allow()).isTrue();
            assertThat(afterAnswer).hasSize(1);
            assertThat(metrics.runtimeRequests(action, "accepted")).isEqualTo(1);
        } else {
            assertThat(response.allow()).isFalse();
            assertThat(response.code()).isEqualTo(409);
            assertThat(response.message()).isEqualTo("cannot " + action + " canary test/podinfo: " + reason);
            assertThat(afterAnswer).isEmpty();
            assertThat(metrics.runtimeRequests(action, "denied")).isEqualTo(1);
        }
    }

    @Test
    void aCreateThatCarriesARequestIsDeniedThereIsNoRunYet() {
        AdmissionResponse response = decide(annotate("", "promote", r -> {
            r.put("operation", "CREATE");
            r.remove("oldObject");
        }));

        assertThat(response.allow()).isFalse();
        assertThat(response.message()).endsWith("and the canary is not initialized yet");
    }

    @Test
    void anAcceptedRequestIsRecordedAfterTheAnswerWithWhoSentIt() {
        AdmissionResponse response = decide(annotate("Progressing", "promote"));

        // The answer is ready while the write has not even started.
        assertThat(response.allow()).isTrue();
        assertThat(writer.writes).isEmpty();

        answerSent();

        assertThat(writer.writes).singleElement().satisfies(w -> {
            assertThat(w.namespace()).isEqualTo("test");
            assertThat(w.name()).isEqualTo("podinfo");
            // A merge patch of status.request alone, every field set; id null drops an earlier record's.
            assertThat(Fixtures.json(w.mergePatch()))
                    .isEqualTo(Fixtures.json("{\"status\":{\"request\":{\"action\":\"promote\",\"revision\":\"" + RUN
                            + "\",\"user\":\"kubernetes-admin\",\"groups\":[\"kubeadm:cluster-admins\","
                            + "\"system:authenticated\"],\"source\":\"kubectl\","
                            + "\"requestedAt\":\"2026-12-06T03:30:12Z\",\"uid\":\"" + UID + "\",\"id\":null}}}"));
        });
        assertThat(metrics.statusWrites("request")).isEqualTo(1);
        assertThat(metrics.statusWrites("admittedRevision")).isZero();
    }

    @Test
    void aResumeOfAPausedRunIsAcceptedAndASecondPauseIsDenied() {
        Consumer<ObjectNode> paused = r -> {
            ObjectNode record = recorded(r, "pause", "kubernetes-admin", null);
            oldStatus(r)
                    .putObject("requestHandled")
                    .put("uid", record.path("uid").asString())
                    .put("outcome", "done");
        };

        assertThat(decide(annotate("Progressing", "resume", paused)).allow()).isTrue();
        assertThat(decide(annotate("Progressing", "pause", paused)).message())
                .isEqualTo("cannot pause canary test/podinfo: the run is already paused");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"promote", "abort"})
    void aPromoteOrAbortOfARunWaitingForASlotIsDenied(String action) {
        String place = "Waiting for a free slot of namespace test: 1 canaries progressing in it, at most 1"
                + " (sluice.io/max-progressing-canaries on the namespace); place 2 in the namespace's queue";
        AdmissionResponse response = decide(annotate(
                "Waiting",
                action,
                r -> oldStatus(r)
                        .putArray("conditions")
                        .addObject()
                        .put("type", "Queued")
                        .put("status", "True")
                        .put("reason", "ProgressBudget")
                        .put("message", place)
                        .put("lastTransitionTime", "2026-12-06T03:00:00Z")));

        assertThat(response.allow()).isFalse();
        assertThat(response.code()).isEqualTo(409);
        assertThat(response.message())
                .isEqualTo("cannot " + action + " canary test/podinfo: waiting for a slot of the concurrency budget: "
                        + place);
        assertThat(afterAnswer).isEmpty();
        assertThat(metrics.runtimeRequests(action, "denied")).isEqualTo(1);
    }

    @Test
    void aRequestForAnotherRevisionIsDeniedAsStale() {
        AdmissionResponse response = decide(annotate("Progressing", "promote@abc"));

        assertThat(response.allow()).isFalse();
        assertThat(response.message())
                .isEqualTo("cannot promote canary test/podinfo: the request names revision abc, but the current run"
                        + " is revision " + RUN);
        assertThat(afterAnswer).isEmpty();
    }

    @Test
    void aRequestForTheCurrentRevisionIsAccepted() {
        assertThat(decide(annotate("Progressing", "abort@" + RUN)).allow()).isTrue();
        answerSent();
        assertThat(writer.writes)
                .singleElement()
                .satisfies(
                        w -> assertThat(w.mergePatch()).contains("\"action\":\"abort\",\"revision\":\"" + RUN + "\""));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "promot|names no known action \"promot\"; expected one of promote, abort, retry, pause," + " resume",
                "promote@|has no valid revision after '@': \"\"",
                "''|is empty; expected <action> or <action>@<revision>",
            })
    void aMalformedValueIsDeniedWithTheAnnotationsKey(String value, String problem) {
        AdmissionResponse response = decide(annotate("Progressing", value));

        assertThat(response.allow()).isFalse();
        assertThat(response.code()).isEqualTo(422);
        assertThat(response.message())
                .startsWith("cannot act on canary test/podinfo: annotation sluice.io/request " + problem);
        assertThat(response.causes())
                .extracting(AdmissionResponse.Cause::field)
                .containsExactly("metadata.annotations[sluice.io/request]");
        assertThat(metrics.runtimeRequests("unknown", "malformed")).isEqualTo(1);
        assertThat(afterAnswer).isEmpty();
    }

    @Test
    void aDryRunIsJudgedButNothingIsWritten() {
        AdmissionResponse response = decide(annotate("Progressing", "pause", r -> r.put("dryRun", true)));

        assertThat(response.allow()).isTrue();
        assertThat(afterAnswer).isEmpty();
        assertThat(metrics.runtimeRequests("pause", "dry-run")).isEqualTo(1);
        assertThat(decide(annotate("Succeeded", "pause", r -> r.put("dryRun", true)))
                        .allow())
                .isFalse();
    }

    @Test
    void theSameRequestAlreadyRecordedIsNotWrittenAgain() {
        // The API server admits a patch again when the status write landed first: the stored Canary then holds the
        // record but not yet the annotation.
        AdmissionResponse response = decide(annotate("Progressing", "promote", r -> {
            recorded(r, "promote", "kubernetes-admin", "req-1");
            annotations(r, "object").put("sluice.io/request-id", "req-1");
        }));

        assertThat(response.allow()).isTrue();
        assertThat(afterAnswer).isEmpty();
        assertThat(metrics.runtimeRequests("promote", "duplicate")).isEqualTo(1);
    }

    @Test
    void theSameRequestIsNotDeniedWhenTheAnalyzerActedBeforeTheSecondAdmission() {
        AdmissionResponse response = decide(annotate("Promoting", "promote", r -> {
            ObjectNode record = recorded(r, "promote", "kubernetes-admin", "req-1");
            oldStatus(r)
                    .putObject("requestHandled")
                    .put("uid", record.path("uid").asString())
                    .put("outcome", "done");
            annotations(r, "object").put("sluice.io/request-id", "req-1");
        }));

        assertThat(response.allow()).isTrue();
        assertThat(afterAnswer).isEmpty();
    }

    @Test
    void withoutAnIdAPendingRecordIsTheSameRequestAndAHandledOneIsNot() {
        // Pending: the analyzer has not answered it yet.
        assertThat(decide(annotate("Progressing", "promote", r -> recorded(r, "promote", "kubernetes-admin", null)))
                        .allow())
                .isTrue();
        assertThat(afterAnswer).isEmpty();

        // Handled: asking again is a new request (a second retry of the same revision, say).
        AdmissionResponse again = decide(annotate("Failed", "retry", r -> {
            ObjectNode record = recorded(r, "retry", "kubernetes-admin", null);
            oldStatus(r)
                    .putObject("requestHandled")
                    .put("uid", record.path("uid").asString())
                    .put("outcome", "done");
        }));
        assertThat(again.allow()).isTrue();
        assertThat(afterAnswer).hasSize(1);
    }

    @Test
    void anotherUsersOrAnotherIdsRequestIsWritten() {
        decide(annotate("Progressing", "promote", r -> recorded(r, "promote", "alice", null)));
        decide(annotate("Progressing", "promote", r -> {
            recorded(r, "promote", "kubernetes-admin", "req-1");
            annotations(r, "object").put("sluice.io/request-id", "req-2");
        }));

        answerSent();

        assertThat(writer.writes).hasSize(2);
        assertThat(writer.writes.get(1).mergePatch()).contains("\"id\":\"req-2\"");
    }

    @Test
    void aNewRequestIdRepeatsAnUnchangedRequest() {
        AdmissionResponse response = decide(annotate("Progressing", "pause", r -> {
            annotations(r, "oldObject").put("sluice.io/request", "pause").put("sluice.io/request-id", "a");
            annotations(r, "object").put("sluice.io/request-id", "b");
        }));

        assertThat(response.allow()).isTrue();
        answerSent();
        assertThat(writer.writes)
                .singleElement()
                .satisfies(w -> assertThat(w.mergePatch()).contains("\"id\":\"b\""));
    }

    @Test
    void anUnchangedOrRemovedAnnotationIsNotJudged() {
        // The stored Canary carries a promote from its last run; a spec change of the finished canary keeps it.
        AdmissionResponse unchanged = decide(annotate("Succeeded", "promote", r -> {
            annotations(r, "oldObject").put("sluice.io/request", "promote");
            ((ObjectNode) r.path("object").path("spec")).put("progressDeadlineSeconds", 120);
        }));
        AdmissionResponse removed = decide(annotate("Succeeded", "promote", r -> {
            annotations(r, "oldObject").put("sluice.io/request", "promote");
            annotations(r, "object").remove("sluice.io/request");
        }));

        assertThat(unchanged.allow()).isTrue();
        assertThat(removed.allow()).isTrue();
        assertThat(afterAnswer).isEmpty();
    }

    @Test
    void anotherProvidersCanaryIsNotJudged() {
        AdmissionResponse response = decide(annotate("Succeeded", "rollback", r -> {
            ((ObjectNode) r.path("object").path("spec")).put("provider", "istio");
            ((ObjectNode) r.path("oldObject").path("spec")).put("provider", "istio");
        }));

        assertThat(response.allow()).isTrue();
        assertThat(afterAnswer).isEmpty();
        assertThat(metrics.runtimeRequests("unknown", "malformed")).isZero();
    }

    @ParameterizedTest(name = "{0} as {1}: {2}")
    @CsvSource({
        "kubectl-sluice, kubernetes-admin, kubectl-sluice",
        "kubectl-annotate, kubernetes-admin, kubectl",
        "argocd-controller, " + ARGOCD + ", argocd",
        "terraform, kubernetes-admin, other"
    })
    void theSourceIsTheToolThatSentTheRequest(String manager, String user, String source) {
        decide(annotate("Progressing", "promote", r -> {
            ((ObjectNode) r.path("object")
                            .path("metadata")
                            .path("managedFields")
                            .get(1))
                    .put("manager", manager);
            ((ObjectNode) r.path("userInfo")).put("username", user);
        }));

        answerSent();

        assertThat(writer.writes).singleElement().satisfies(w -> {
            assertThat(w.mergePatch()).contains("\"source\":\"" + source + "\"");
            assertThat(w.mergePatch()).contains("\"user\":\"" + user + "\"");
        });
    }

    @Test
    void aFailedWriteIsCountedAndTheRequestStaysAdmitted() {
        writer.mode = RecordingStatusWriter.Mode.FAIL;

        AdmissionResponse response = decide(annotate("Progressing", "abort"));
        answerSent();

        assertThat(response.allow()).isTrue();
        assertThat(writer.writes).hasSize(1);
        assertThat(metrics.statusWriteFailures("request")).isEqualTo(1);
        assertThat(metrics.statusWrites("request")).isZero();
    }

    @Test
    void inTheServiceTheWriteRunsAfterTheTaskThatAnswers() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            io.vertx.core.Promise<Void> written = io.vertx.core.Promise.promise();
            java.util.concurrent.Executor after = RuntimeRequestAdmission.afterAnswerOn(vertx);
            vertx.getOrCreateContext().runOnContext(v -> {
                // As the endpoint does: decide (which hands the write over), then answer, in one task.
                after.execute(() -> {
                    order.add("write");
                    written.complete();
                });
                order.add("answer");
            });

            Fixtures.await(written.future());

            assertThat(order).containsExactly("answer", "write");
        } finally {
            Fixtures.await(vertx.close());
        }
    }
}
