package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import io.sluice.model.Revisions;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class MutatingHandlerTest {
    static final String ANALYZER = "system:serviceaccount:sluice-system:sluice-analyzer";
    static final Instant NOW = Instant.parse("2026-11-26T10:02:17.482Z");

    InMemoryClusterView cluster;
    RecordingStatusWriter writer;
    AdmissionMetrics metrics;
    MutatingHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new InMemoryClusterView();
        writer = new RecordingStatusWriter();
        metrics = Fixtures.metrics();
        handler = new MutatingHandler(
                cluster,
                writer,
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", ANALYZER),
                Duration.ofMillis(200),
                Clock.fixed(NOW, ZoneOffset.UTC),
                metrics);
    }

    private Canary seedCanary(ObjectNode review) {
        // The analyzer synced the old template: its revision is lastAppliedSpec.
        String synced =
                Revisions.ofTemplate(Revisions.templateOf(review.path("request").path("oldObject")));
        Canary canary = Fixtures.seedCanary("Initialized", synced);
        cluster.canaries.add(canary);
        return canary;
    }

    @Test
    void aDeploymentItCannotReadIsAdmittedUnchangedWithAWarning() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        seedCanary(review);
        ((ObjectNode) review.path("request").path("object").path("spec")).put("replicas", "three");

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isNull();
        assertThat(response.warnings())
                .containsExactly("Sluice left this Deployment unchanged: request.object is not a Deployment: "
                        + "spec.replicas must be an integer");
        assertThat(writer.writes).isEmpty();
    }

    @Test
    void kubectlSetImageRecordsTheRevisionAndLeavesTheDeploymentAlone() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        seedCanary(review);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isNull();
        assertThat(writer.writes).singleElement().satisfies(w -> {
            assertThat(w.namespace()).isEqualTo("test");
            assertThat(w.name()).isEqualTo("podinfo");
            assertThat(Fixtures.json(w.mergePatch())).isEqualTo(Fixtures.json("""
                    {"status":{"admittedRevision":{
                      "revision":"%s",
                      "images":{"podinfod":"ghcr.io/stefanprodan/podinfo:6.0.1"},
                      "user":"kubernetes-admin",
                      "groups":["kubeadm:cluster-admins","system:authenticated"],
                      "source":"kubectl",
                      "admittedAt":"2026-11-26T10:02:17Z",
                      "uid":"0d2b5c1e-7f43-4e8a-b1a6-3c9e5d7f2a10"}}}""".formatted(Fixtures.KUBECTL_NEW)));
        });
        assertThat(metrics.statusWrites("admittedRevision")).isEqualTo(1);
    }

    @Test
    void fluxApplyKeepsTheAnalyzersReplicasAndRecordsGitsWish() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        seedCanary(review);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isEqualTo(Fixtures.json("""
                [{"op":"add","path":"/metadata/annotations/sluice.io~1desired-replicas","value":"2"},
                 {"op":"replace","path":"/spec/replicas","value":0}]"""));
        assertThat(writer.writes).singleElement().satisfies(w -> {
            JsonNode record = Fixtures.json(w.mergePatch()).path("status").path("admittedRevision");
            assertThat(record.path("source").asString()).isEqualTo("flux");
            assertThat(record.path("user").asString())
                    .isEqualTo("system:serviceaccount:flux-system:kustomize-controller");
            assertThat(record.path("images").path("podinfod").asString())
                    .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.2");
        });
    }

    @Test
    void reinvocationWithItsOwnPatchAppliedChangesNothingMore() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        seedCanary(review);
        AdmissionResponse first = await(handler.handle(Fixtures.request(review)));
        ObjectNode request = (ObjectNode) review.path("request");
        request.set("object", JsonPatch.apply(first.patch(), request.path("object")));

        AdmissionResponse second = await(handler.handle(Fixtures.request(review)));

        assertThat(second.allow()).isTrue();
        assertThat(second.patch()).isNull();
    }

    @Test
    void aNoOpUpdateOfARealisticDeploymentYieldsNoPatch() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        seedCanary(review);
        ObjectNode request = (ObjectNode) review.path("request");
        ObjectNode same = (ObjectNode) request.path("oldObject").deepCopy();
        // Fields no version of the Deployment schema has must survive untouched. (Inside the pod template they
        // would be a new revision, as they should.)
        same.put("futureTopLevel", "kept");
        ((ObjectNode) same.path("spec")).putObject("futureSpecField").put("nested", 1);
        ((ObjectNode) same.path("metadata")).putArray("futureList").add(1).addNull();
        ((ObjectNode) same.path("status")).put("futureStatusField", true);
        request.set("object", same);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isNull();
        assertThat(writer.writes).isEmpty();
    }

    @Test
    void dryRunWritesNothingButStillPatchesReplicas() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        ((ObjectNode) review.path("request")).put("dryRun", true);
        seedCanary(review);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(writer.writes).isEmpty();
        // A server-side dry run shows what a real apply would store, so the diff stays clean.
        assertThat(response.patch()).isNotNull();
    }

    @Test
    void theAnalyzerMayScaleItsTarget() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        ObjectNode request = (ObjectNode) review.path("request");
        ((ObjectNode) request.path("userInfo")).put("username", ANALYZER);
        seedCanary(review);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.patch()).isNull();
    }

    @Test
    void deploymentsNoCanaryTargetsAreAdmittedUntouched() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        cluster.canaries.add(Fixtures.canary("other", "other-app", "Initialized", "x"));

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isNull();
        assertThat(writer.writes).isEmpty();
    }

    @Test
    void aDeploymentOnlyAnotherProvidersCanaryTargetsIsLeftToThatController() {
        // The same review as fluxApplyKeepsTheAnalyzersReplicasAndRecordsGitsWish, but Flagger releases it.
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        seedCanary(review).getSpec().provider = "istio";

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(response.patch()).isNull();
        assertThat(response.warnings()).isEmpty();
        assertThat(writer.writes).isEmpty();
        assertThat(metrics.statusWrites("admittedRevision")).isZero();
    }

    @Test
    void createLeavesReplicasAloneAndRecordsTheRevision() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        ObjectNode request = (ObjectNode) review.path("request");
        request.put("operation", "CREATE");
        request.remove("oldObject");
        cluster.canaries.add(Fixtures.seedCanary(null, null));

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.patch()).isNull();
        assertThat(writer.writes).hasSize(1);
    }

    @Test
    void anUpdateThatLeavesTheTemplateAloneRecordsNoRevision() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        ObjectNode request = (ObjectNode) review.path("request");
        ((ObjectNode) request.path("object").path("spec"))
                .set(
                        "template",
                        request.path("oldObject").path("spec").path("template").deepCopy());
        // The analyzer never synced this template: still, this request did not bring it.
        cluster.canaries.add(Fixtures.seedCanary("Succeeded", "0000000000000000"));

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(writer.writes).isEmpty();
        assertThat(response.patch()).isNotNull();
    }

    @Test
    void theSameRevisionIsRecordedOnce() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        Canary canary = seedCanary(review);
        canary.getStatus().admittedRevision = new CanaryStatus.AdmittedRevision();
        canary.getStatus().admittedRevision.revision = Fixtures.KUBECTL_NEW;

        await(handler.handle(Fixtures.request(review)));

        assertThat(writer.writes).isEmpty();
    }

    @Test
    void aFailedStatusWriteStillAdmitsAndIsCounted() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        seedCanary(review);
        writer.mode = RecordingStatusWriter.Mode.FAIL;

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(metrics.statusWriteFailures("admittedRevision")).isEqualTo(1);
    }

    @Test
    void aStatusWriteThatNeverAnswersIsCutOffByItsBudget() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        seedCanary(review);
        writer.mode = RecordingStatusWriter.Mode.HANG;

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(metrics.statusWriteFailures("admittedRevision")).isEqualTo(1);
    }

    @Test
    void containersDroppedSinceTheLastRecordAreRemovedFromImages() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        Canary canary = seedCanary(review);
        canary.getStatus().admittedRevision = new CanaryStatus.AdmittedRevision();
        canary.getStatus().admittedRevision.revision = "0000000000000000";
        canary.getStatus().admittedRevision.images = Map.of("podinfod", "old", "sidecar", "proxy:1");

        await(handler.handle(Fixtures.request(review)));

        JsonNode images = Fixtures.json(writer.writes.get(0).mergePatch())
                .path("status")
                .path("admittedRevision")
                .path("images");
        assertThat(images.path("sidecar").isNull()).isTrue();
        assertThat(images.path("podinfod").asString()).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
    }
}
