package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.validation.AlertProviderValidator;
import io.sluice.model.validation.CanaryValidator;
import io.sluice.model.validation.MetricTemplateValidator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class ValidatingHandlerTest {
    InMemoryClusterView cluster;
    ValidatingHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new InMemoryClusterView();
        cluster.routeTables.add("test/podinfo");
        handler = handler(cluster, Fixtures.runtimeRequests(), false);
    }

    /** The handler as the service builds it, with the shared validators. */
    static ValidatingHandler handler(
            ClusterView cluster, RuntimeRequestAdmission requests, boolean noCrossNamespaceRefs) {
        return new ValidatingHandler(
                new ObjectDecoder(),
                CanaryValidator::judge,
                MetricTemplateValidator::validate,
                AlertProviderValidator::validate,
                cluster,
                requests,
                noCrossNamespaceRefs);
    }

    /**
     * Adds a MetricTemplate reference ({@code latency}, in {@code templateNamespace} when not null) to the first
     * metric and an alert whose AlertProvider is {@code ops/slack}.
     */
    static ObjectNode references(ObjectNode request, String templateNamespace) {
        ObjectNode analysis = (ObjectNode) spec(request).path("analysis");
        ObjectNode templateRef = ((ObjectNode) analysis.path("metrics").get(0))
                .putObject("templateRef")
                .put("name", "latency");
        if (templateNamespace != null) {
            templateRef.put("namespace", templateNamespace);
        }
        analysis.putArray("alerts")
                .addObject()
                .put("name", "on-call")
                .putObject("providerRef")
                .put("name", "slack")
                .put("namespace", "ops");
        return analysis;
    }

    /** The review of {@code kubectl apply} of the seed's Canary, changed by {@code change}. */
    static ObjectNode seedCanary(Consumer<ObjectNode> change) {
        ObjectNode review = Fixtures.review("canary-create-podinfo.json");
        ((ObjectNode) review.path("request")).set("object", Fixtures.seedCanaryJson());
        change.accept((ObjectNode) review.path("request"));
        return review;
    }

    static ObjectNode spec(ObjectNode request) {
        return (ObjectNode) request.path("object").path("spec");
    }

    AdmissionResponse decide(ObjectNode review) {
        return handler.decide(Fixtures.request(review));
    }

    @Test
    void theSeedCanaryIsAdmittedWithoutWarnings() {
        AdmissionResponse response = decide(seedCanary(r -> {}));

        assertThat(response.allow()).isTrue();
        assertThat(response.warnings()).isEmpty();
    }

    @Test
    void everyViolationIsReportedInOneDenialWithFieldPaths() {
        AdmissionResponse response = decide(seedCanary(r -> {
            ((ObjectNode) spec(r).path("analysis")).put("stepWeight", -5).put("maxWeight", 500);
            ((ObjectNode) spec(r).path("targetRef")).put("kind", "StatefulSet");
        }));

        assertThat(response.allow()).isFalse();
        assertThat(response.code()).isEqualTo(422);
        assertThat(response.message()).startsWith("Canary.flagger.app \"podinfo\" is invalid: ");
        assertThat(response.causes())
                .extracting(AdmissionResponse.Cause::field)
                .contains("spec.targetRef.kind", "spec.analysis.stepWeight", "spec.analysis.maxWeight");
        for (AdmissionResponse.Cause cause : response.causes()) {
            assertThat(response.message()).contains(cause.field() + ": " + cause.message());
        }
    }

    static Stream<Arguments> undecodable() {
        return Stream.of(
                Arguments.of(
                        "a string where an integer belongs names the field",
                        (Consumer<ObjectNode>) r -> ((ObjectNode) spec(r).path("analysis")).put("threshold", "five"),
                        "spec.analysis.threshold: must be an integer"),
                Arguments.of(
                        "a numeric string is not taken for a number",
                        (Consumer<ObjectNode>) r -> spec(r).put("progressDeadlineSeconds", "60"),
                        "spec.progressDeadlineSeconds: must be an integer"),
                Arguments.of(
                        "a string where a list belongs names the field",
                        (Consumer<ObjectNode>) r -> ((ObjectNode) spec(r).path("analysis")).put("metrics", "all"),
                        "spec.analysis.metrics: must be an array"),
                Arguments.of(
                        "a number where an object belongs names the field",
                        (Consumer<ObjectNode>) r -> spec(r).put("targetRef", 7),
                        "spec.targetRef: must be an object"),
                Arguments.of(
                        "a bad element of a list names its index",
                        (Consumer<ObjectNode>) r -> ((ObjectNode)
                                        spec(r).path("analysis").path("metrics").get(0))
                                .put("thresholdRange", "high"),
                        "spec.analysis.metrics[0].thresholdRange: must be an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undecodable")
    void anObjectThatDoesNotDecodeIsDeniedWithItsPath(String name, Consumer<ObjectNode> damage, String expected) {
        AdmissionResponse response = decide(seedCanary(damage));

        assertThat(response.allow()).isFalse();
        assertThat(response.message()).endsWith(expected);
        assertThat(response.message()).doesNotContain("java.").doesNotContain("tools.jackson");
    }

    @Test
    void aSecondCanaryForTheSameTargetIsDenied() {
        cluster.canaries.add(Fixtures.canary("podinfo-old", "podinfo", "Succeeded", "abc"));

        AdmissionResponse response = decide(seedCanary(r -> {}));

        assertThat(response.allow()).isFalse();
        assertThat(response.message())
                .isEqualTo("Canary test/podinfo-old already targets Deployment podinfo: a workload is released by "
                        + "one Canary only");
    }

    @Test
    void updatingTheOnlyCanaryOfATargetIsNotACollisionWithItself() {
        cluster.canaries.add(Fixtures.seedCanary("Succeeded", "abc"));

        AdmissionResponse response = decide(seedCanary(r -> {
            r.put("operation", "UPDATE");
            r.set("oldObject", r.path("object").deepCopy());
        }));

        assertThat(response.allow()).isTrue();
    }

    @Test
    void missingReferencesAreWarningsNotDenials() {
        cluster.routeTables.clear();
        AdmissionResponse response = decide(seedCanary(r -> references(r, null)));

        assertThat(response.allow()).isTrue();
        assertThat(response.warnings())
                .containsExactly(
                        "spec.routeTableRef: RouteTable test/podinfo does not exist yet; the canary waits for it",
                        "spec.analysis.metrics[0].templateRef: MetricTemplate test/latency does not exist yet; the check "
                                + "fails until it does",
                        "spec.analysis.alerts[0].providerRef: AlertProvider ops/slack does not exist yet; the alert is not "
                                + "sent until it does");
    }

    @Test
    void whatFlaggerRunsIsAdmittedWithWarningsInKubectlsShape() {
        AdmissionResponse response = decide(seedCanary(r -> {
            ObjectNode analysis = (ObjectNode) spec(r).path("analysis");
            analysis.remove("stepWeight");
            analysis.put("threshold", 0).putArray("stepWeights").add(10).add(200);
        }));

        assertThat(response.allow()).isTrue();
        assertThat(response.warnings())
                .containsExactly(
                        "spec.analysis.threshold: 0 means the default, 1: the first failed check rolls the canary back",
                        "spec.analysis.stepWeights[1]: is 200, above 100: the canary's weight stops at 100");
    }

    @Test
    void anotherProvidersCanaryIsAdmittedUntouchedWithoutWarnings() {
        // Everything Sluice would deny or warn about in one of its own: it is Flagger's to judge.
        AdmissionResponse response = decide(seedCanary(r -> {
            spec(r).put("provider", "istio").remove("routeTableRef");
            ObjectNode analysis = (ObjectNode) spec(r).path("analysis");
            analysis.put("mirror", true).put("threshold", 0);
            analysis.putObject("sessionAffinity").put("cookieName", "canary");
            ((ObjectNode) analysis.path("metrics").get(1)).put("name", "request-success-rate");
        }));

        assertThat(response.allow()).isTrue();
        assertThat(response.warnings()).isEmpty();
        assertThat(response.patch()).isNull();
    }

    static Stream<Arguments> providerChanges() {
        return Stream.of(
                Arguments.of("handing a progressing run to another provider is denied", "Progressing", false),
                Arguments.of("handing a waiting run to another provider is denied", "Waiting", false),
                Arguments.of("handing a succeeded canary to another provider is allowed", "Succeeded", true),
                Arguments.of("handing a canary without status to another provider is allowed", "", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerChanges")
    void sluicesRunInProgressIsNotHandedToAnotherProvider(String name, String phase, boolean allowed) {
        AdmissionResponse response = updateFrom(phase, r -> spec(r).put("provider", "istio"));

        assertFrozenUnless(
                allowed,
                response,
                "spec.provider",
                "spec.provider cannot change while the canary is " + phase + " (from gloo-mesh to istio)");
        if (allowed) {
            assertThat(response.warnings()).isEmpty();
        }
    }

    @Test
    void aStoredRunWithoutSpecHandedToAnotherProviderIsDeniedNotCrashed() {
        AdmissionResponse response = updateFrom("Progressing", r -> {
            ((ObjectNode) r.path("oldObject")).remove("spec");
            spec(r).put("provider", "istio");
        });

        assertFrozenUnless(
                false,
                response,
                "spec.provider",
                "spec.provider cannot change while the canary is Progressing (from gloo-mesh to istio)");
    }

    @Test
    void sessionAffinityIsDeniedWithTheReason() {
        AdmissionResponse response = decide(seedCanary(r -> ((ObjectNode) spec(r).path("analysis"))
                .putObject("sessionAffinity")
                .put("cookieName", "canary")));

        assertThat(response.allow()).isFalse();
        assertThat(response.code()).isEqualTo(422);
        assertThat(response.message()).contains("spec.analysis.sessionAffinity: session affinity is not supported");
    }

    @Test
    void noWarningIsGuessedBeforeTheCachesAreSynced() {
        cluster.routeTables.clear();
        cluster.synced = false;

        assertThat(decide(seedCanary(r -> {})).warnings()).isEmpty();
    }

    static Stream<Arguments> targetChanges() {
        return Stream.of(
                Arguments.of("moving the target of a progressing canary is denied", "Progressing", false),
                Arguments.of(
                        "moving the target of a canary waiting for promotion is denied", "WaitingPromotion", false),
                Arguments.of("moving the target of a waiting canary is denied", "Waiting", false),
                Arguments.of("moving the target of a succeeded canary is allowed", "Succeeded", true),
                Arguments.of("moving the target of a failed canary is allowed", "Failed", true),
                Arguments.of("moving the target of a canary without status is allowed", "", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetChanges")
    void theTargetOfARunningCanaryIsFrozen(String name, String phase, boolean allowed) {
        AdmissionResponse response =
                updateFrom(phase, r -> ((ObjectNode) spec(r).path("targetRef")).put("name", "podinfo-v2"));

        assertFrozenUnless(
                allowed, response, "spec.targetRef", "spec.targetRef cannot change while the canary is " + phase);
    }

    /** An UPDATE of the seed's Canary, stored in {@code phase} ({@code ""}: no status), changed by {@code change}. */
    AdmissionResponse updateFrom(String phase, Consumer<ObjectNode> change) {
        return decide(seedCanary(r -> {
            r.put("operation", "UPDATE");
            ObjectNode old = (ObjectNode) r.path("object").deepCopy();
            if (!phase.isEmpty()) {
                old.putObject("status").put("phase", phase);
            }
            r.set("oldObject", old);
            change.accept(r);
        }));
    }

    static void assertFrozenUnless(boolean allowed, AdmissionResponse response, String field, String message) {
        assertThat(response.allow()).isEqualTo(allowed);
        if (!allowed) {
            assertThat(response.message()).startsWith(message);
            assertThat(response.causes())
                    .extracting(AdmissionResponse.Cause::field)
                    .containsExactly(field);
        }
    }

    @Test
    void aMetricTemplateIsValidatedWithTheSharedRules() {
        ObjectNode review = seedCanary(r -> {
            ((ObjectNode) r.path("kind")).put("kind", "MetricTemplate");
            ObjectNode template = r.putObject("object");
            template.put("apiVersion", "flagger.app/v1beta1").put("kind", "MetricTemplate");
            template.putObject("metadata").put("name", "latency").put("namespace", "test");
            template.putObject("spec").putObject("provider").put("type", "keptn");
            r.put("name", "latency");
        });

        AdmissionResponse response = decide(review);

        assertThat(response.allow()).isFalse();
        assertThat(response.causes()).extracting(AdmissionResponse.Cause::field).contains("spec.provider.type");
    }

    @Test
    void anAlertProviderIsValidatedWithTheSharedRules() {
        ObjectNode review = seedCanary(r -> {
            ((ObjectNode) r.path("kind")).put("kind", "AlertProvider");
            ObjectNode provider = r.putObject("object");
            provider.put("apiVersion", "flagger.app/v1beta1").put("kind", "AlertProvider");
            provider.putObject("metadata").put("name", "on-call").put("namespace", "test");
            provider.putObject("spec").put("type", "pager");
            r.put("name", "on-call");
        });

        AdmissionResponse response = decide(review);

        assertThat(response.allow()).isFalse();
        assertThat(response.causes()).extracting(AdmissionResponse.Cause::field).contains("spec.type");
    }

    /** The seed's Canary naming a MetricTemplate, an AlertProvider and a webhook Service of other namespaces. */
    static ObjectNode crossNamespace() {
        return seedCanary(
                r -> ((ObjectNode) references(r, "monitoring").path("webhooks").get(1))
                        .put("url", "http://flagger-loadtester.loadtest/"));
    }

    @Test
    void withNoCrossNamespaceRefsEveryReferenceToAnotherNamespaceIsDeniedByItsFieldPath() {
        ValidatingHandler strict = handler(cluster, Fixtures.runtimeRequests(), true);

        AdmissionResponse response = strict.decide(Fixtures.request(crossNamespace()));

        assertThat(response.allow()).isFalse();
        assertThat(response.code()).isEqualTo(422);
        assertThat(response.causes())
                .extracting(AdmissionResponse.Cause::field)
                .containsExactly(
                        "spec.analysis.metrics[0].templateRef.namespace",
                        "spec.analysis.alerts[0].providerRef.namespace",
                        "spec.analysis.webhooks[1].url");
        assertThat(response.message())
                .contains("spec.analysis.metrics[0].templateRef.namespace: is monitoring, not the canary's namespace"
                        + " test: cross-namespace references are refused here (--no-cross-namespace-refs)");
        // The seed's own references all stay in its namespace.
        assertThat(strict.decide(Fixtures.request(seedCanary(r -> {}))).allow()).isTrue();
    }

    @Test
    void withoutTheFlagReferencesToOtherNamespacesAreAdmitted() {
        AdmissionResponse response = decide(crossNamespace());

        assertThat(response.allow()).isTrue();
    }

    @Test
    void statusUpdatesAndDeletesAreNotJudged() {
        assertThat(decide(seedCanary(r -> r.put("subResource", "status"))).allow())
                .isTrue();
        assertThat(decide(seedCanary(r -> r.put("operation", "DELETE"))).allow())
                .isTrue();
    }
}
