package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.UpdateOptions;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.bench.AdmissionReviews.Outcome;
import io.sluice.bench.AdmissionReviews.Summary;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionReviewsTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private static Deployment stored() {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("app-00007")
                .withNamespace("bench-0")
                .withGeneration(3L)
                .withResourceVersion("42")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewTemplate()
                .withNewSpec()
                .addNewContainer()
                .withName("sidecar")
                .withImage("envoy:1")
                .endContainer()
                .addNewContainer()
                .withName("podinfod")
                .withImage("podinfo:6.0.1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(3L)
                .endStatus()
                .build();
    }

    @Test
    void aReviewIsKubectlSetImageOnTheStoredDeployment() {
        Deployment stored = stored();
        String before = JSON.asJson(stored);

        AdmissionReview review = AdmissionReviews.setImage(stored, "podinfod", "podinfo:7.0.1", "uid-1");

        AdmissionRequest r = review.getRequest();
        assertThat(r.getUid()).isEqualTo("uid-1");
        assertThat(r.getOperation()).isEqualTo("UPDATE");
        assertThat(List.of(
                        r.getKind().getGroup(),
                        r.getKind().getVersion(),
                        r.getKind().getKind()))
                .containsExactly("apps", "v1", "Deployment");
        assertThat(r.getResource().getResource()).isEqualTo("deployments");
        assertThat(List.of(r.getNamespace(), r.getName())).containsExactly("bench-0", "app-00007");
        assertThat(r.getUserInfo().getUsername()).isEqualTo("kubernetes-admin");
        assertThat(((UpdateOptions) r.getOptions()).getFieldManager()).isEqualTo("kubectl-set");
        // The stored object is the old one, untouched; the new one differs in that one image only.
        assertThat(JSON.asJson(r.getOldObject())).isEqualTo(before);
        JsonObject updated = new JsonObject(JSON.asJson(r.getObject()));
        JsonObject containers = new JsonObject()
                .put(
                        "c",
                        updated.getJsonObject("spec")
                                .getJsonObject("template")
                                .getJsonObject("spec")
                                .getJsonArray("containers"));
        assertThat(containers.getJsonArray("c").getJsonObject(0).getString("image"))
                .isEqualTo("envoy:1");
        assertThat(containers.getJsonArray("c").getJsonObject(1).getString("image"))
                .isEqualTo("podinfo:7.0.1");
        containers.getJsonArray("c").getJsonObject(1).put("image", "podinfo:6.0.1");
        assertThat(updated).isEqualTo(new JsonObject(before));
    }

    @Test
    void aReviewIsSentAsAdmissionReviewV1() {
        JsonObject sent = new JsonObject(
                AdmissionReviews.json(AdmissionReviews.setImage(stored(), "podinfod", "podinfo:7.0.1", "uid-1")));

        assertThat(sent.getString("apiVersion")).isEqualTo("admission.k8s.io/v1");
        assertThat(sent.getString("kind")).isEqualTo("AdmissionReview");
        assertThat(sent.getJsonObject("request").getJsonObject("object").getString("kind"))
                .isEqualTo("Deployment");
        assertThat(sent.getJsonObject("request").getJsonObject("oldObject").getString("apiVersion"))
                .isEqualTo("apps/v1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an allowed answer for the request's uid is allowed | 200 | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}} | ALLOWED
            a refused answer is denied                         | 200 | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":false}} | DENIED
            another request's uid is an error                  | 200 | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"v","allowed":true}} | ERROR
            a status other than 200 is an error                | 500 | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}} | ERROR
            an answer without a response is an error           | 200 | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"} | ERROR
            a body that is not JSON is an error                | 200 | overloaded | ERROR
            """)
    void anAnswerIs(String sentence, int status, String body, Outcome expected) {
        assertThat(AdmissionReviews.outcome("u", status, body)).isEqualTo(expected);
    }

    @Test
    void theSummaryTakesNearestRankPercentilesAndCountsOutcomes() {
        // 1 ms to 100 ms, in no order.
        List<Long> ms = new ArrayList<>(LongStream.rangeClosed(1, 100).boxed().toList());
        Collections.reverse(ms);
        long[] nanos = ms.stream().mapToLong(m -> m * 1_000_000).toArray();
        List<Outcome> outcomes = new ArrayList<>(Collections.nCopies(100, Outcome.ALLOWED));
        outcomes.set(3, Outcome.DENIED);
        outcomes.set(7, Outcome.ERROR);
        outcomes.set(9, Outcome.ERROR);

        Summary s = Summary.of(nanos, outcomes, 2.0);

        assertThat(s.requests()).isEqualTo(100);
        assertThat(s.p50Ms()).isEqualTo(50.0);
        assertThat(s.p99Ms()).isEqualTo(99.0);
        assertThat(s.maxMs()).isEqualTo(100.0);
        assertThat(s.denied()).isEqualTo(1);
        assertThat(s.errors()).isEqualTo(2);
        assertThat(s.perSecond()).isEqualTo(50.0);
    }

    @Test
    void aPercentileBetweenTwoRanksIsTheHigherOne() {
        long[] tenMs = LongStream.rangeClosed(1, 10).map(m -> m * 1_000_000).toArray();

        Summary s = Summary.of(tenMs, Collections.nCopies(10, Outcome.ALLOWED), 1);

        // 99 % of 10 requests is 9.9 of them: the tenth is the first that 99 % did not exceed.
        assertThat(s.p99Ms()).isEqualTo(10.0);
        assertThat(s.p50Ms()).isEqualTo(5.0);
    }

    @Test
    void aSingleRequestIsEveryPercentileAndNoRequestsAreZeros() {
        assertThat(Summary.of(new long[] {3_000_000}, List.of(Outcome.ALLOWED), 1)
                        .p50Ms())
                .isEqualTo(3.0);
        assertThat(Summary.of(new long[] {3_000_000}, List.of(Outcome.ALLOWED), 1)
                        .p99Ms())
                .isEqualTo(3.0);
        Summary none = Summary.of(new long[0], List.of(), 0);
        assertThat(List.of(none.p50Ms(), none.p99Ms(), none.maxMs(), none.perSecond()))
                .containsOnly(0.0);
    }
}
