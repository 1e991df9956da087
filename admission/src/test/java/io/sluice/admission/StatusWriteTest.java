package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The mutating path against the mock API server: informer caches, the status subresource, the worker pool. */
class StatusWriteTest {
    MockApiServer api;
    Vertx vertx;
    KubeCalls calls;
    InformerClusterView view;
    AdmissionMetrics metrics;
    MutatingHandler handler;

    @BeforeEach
    void setUp() {
        api = new MockApiServer();
        vertx = Vertx.vertx();
        calls = new KubeCalls(vertx, api.client, 2);
        view = new InformerClusterView(api.client);
        metrics = Fixtures.metrics();
        handler = new MutatingHandler(
                view,
                calls,
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", "system:serviceaccount:sluice-system:sluice-analyzer"),
                Duration.ofSeconds(5),
                Clock.fixed(Instant.parse("2026-11-26T10:02:17Z"), ZoneOffset.UTC),
                metrics);
    }

    @AfterEach
    void tearDown() {
        view.stop();
        await(vertx.close());
        api.close();
    }

    private Canary storeSeedCanary(String lastAppliedSpec) {
        Canary stored = api.storeSeedCanary(lastAppliedSpec);
        await(view.start());
        MockApiServer.waitFor(
                "the Canary in the cache",
                Duration.ofSeconds(10),
                () -> !view.canariesTargeting("test", "Deployment", "podinfo").isEmpty()
                        && view.canariesTargeting("test", "Deployment", "podinfo")
                                        .get(0)
                                        .getStatus()
                                != null);
        return stored;
    }

    private Canary read() {
        return api.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .get();
    }

    @Test
    void kubectlSetImageWritesAdmittedRevisionAndNothingElse() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        Canary before = storeSeedCanary(Fixtures.KUBECTL_OLD);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        Canary after = read();
        CanaryStatus.AdmittedRevision admitted = after.getStatus().admittedRevision;
        assertThat(admitted).isNotNull();
        assertThat(admitted.revision).isEqualTo(Fixtures.KUBECTL_NEW);
        assertThat(admitted.images).containsExactly(Map.entry("podinfod", "ghcr.io/stefanprodan/podinfo:6.0.1"));
        assertThat(admitted.source).isEqualTo("kubectl");
        assertThat(admitted.user).isEqualTo("kubernetes-admin");
        assertThat(admitted.admittedAt).isEqualTo("2026-11-26T10:02:17Z");
        assertThat(admitted.uid).isEqualTo("0d2b5c1e-7f43-4e8a-b1a6-3c9e5d7f2a10");
        // The analyzer's fields and the spec are untouched.
        assertThat(after.getStatus().phase).isEqualTo("Succeeded");
        assertThat(after.getStatus().lastAppliedSpec).isEqualTo(Fixtures.KUBECTL_OLD);
        assertThat(after.getStatus().failedChecks).isZero();
        assertThat(after.getSpec().targetRef.name).isEqualTo(before.getSpec().targetRef.name);
        assertThat(metrics.statusWrites("admittedRevision")).isEqualTo(1);
    }

    @Test
    void aDryRunWritesNothing() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        ((ObjectNode) review.path("request")).put("dryRun", true);
        storeSeedCanary(Fixtures.KUBECTL_OLD);

        AdmissionResponse response = await(handler.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(read().getStatus().admittedRevision).isNull();
        assertThat(metrics.statusWrites("admittedRevision")).isZero();
    }

    @Test
    void aCanaryThatVanishedIsAFailedWriteNotAFailedRequest() {
        ObjectNode review = Fixtures.review("kubectl-set-image-podinfo.json");
        storeSeedCanary("0000000000000000");
        api.client
                .resources(Canary.class)
                .inNamespace("test")
                .withName("podinfo")
                .withTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                .delete();
        // The cache may still hold it: the write is what fails.
        InMemoryClusterView staleCache = new InMemoryClusterView();
        staleCache.canaries.add(Fixtures.seedCanary("Succeeded", "x"));
        MutatingHandler stale = new MutatingHandler(
                staleCache,
                calls,
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", "analyzer"),
                Duration.ofSeconds(5),
                Clock.systemUTC(),
                metrics);

        AdmissionResponse response = await(stale.handle(Fixtures.request(review)));

        assertThat(response.allow()).isTrue();
        assertThat(metrics.statusWriteFailures("admittedRevision")).isEqualTo(1);
    }

    @Test
    void anAcceptedRuntimeRequestWritesStatusRequestAndNothingElse() {
        Canary stored = storeSeedCanary(Fixtures.KUBECTL_OLD);
        stored.getStatus().phase = "Progressing";
        stored.getStatus().admittedRevision = new CanaryStatus.AdmittedRevision();
        stored.getStatus().admittedRevision.revision = Fixtures.KUBECTL_OLD;
        stored = api.client.resource(stored).updateStatus();
        java.util.List<Runnable> afterAnswer = new java.util.ArrayList<>();
        ValidatingHandler validate = new ValidatingHandler(
                new ObjectDecoder(),
                io.sluice.model.validation.CanaryValidator::judge,
                t -> java.util.List.of(),
                p -> java.util.List.of(),
                new InMemoryClusterView(),
                new RuntimeRequestAdmission(
                        calls,
                        Duration.ofSeconds(5),
                        SourceClassifier.withDefaults(Map.of(), Map.of()),
                        Clock.fixed(Instant.parse("2026-12-06T03:30:12Z"), ZoneOffset.UTC),
                        metrics,
                        afterAnswer::add),
                false);
        ObjectNode review = RuntimeRequestAdmissionTest.annotate("", "pause", r -> {});
        ObjectNode old =
                (ObjectNode) Fixtures.JSON.readTree(KubeCalls.serialization().asJson(stored));
        ObjectNode object = old.deepCopy();
        ((ObjectNode) object.path("metadata")).putObject("annotations").put("sluice.io/request", "pause");
        ((ObjectNode) review.path("request")).set("oldObject", old);
        ((ObjectNode) review.path("request")).set("object", object);

        AdmissionResponse response = validate.decide(Fixtures.request(review));
        afterAnswer.forEach(Runnable::run);

        assertThat(response.allow()).isTrue();
        MockApiServer.waitFor(
                "the request recorded", Duration.ofSeconds(10), () -> metrics.statusWrites("request") == 1);
        CanaryStatus after = read().getStatus();
        assertThat(after.request.action).isEqualTo("pause");
        assertThat(after.request.revision).isEqualTo(Fixtures.KUBECTL_OLD);
        assertThat(after.request.user).isEqualTo("kubernetes-admin");
        assertThat(after.request.requestedAt).isEqualTo("2026-12-06T03:30:12Z");
        assertThat(after.request.id).isNull();
        // The analyzer's fields and the other record are untouched.
        assertThat(after.phase).isEqualTo("Progressing");
        assertThat(after.lastAppliedSpec).isEqualTo(Fixtures.KUBECTL_OLD);
        assertThat(after.admittedRevision.revision).isEqualTo(Fixtures.KUBECTL_OLD);
        assertThat(after.failedChecks).isZero();
    }
}
