package io.sluice.bench;

import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.GroupVersionResource;
import io.fabric8.kubernetes.api.model.UpdateOptions;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Arrays;
import java.util.List;

/**
 * The AdmissionReviews the benchmark sends the admission service, and what it makes of the answers. A review is what
 * the API server sends the mutating webhook for {@code kubectl set image deployment/<name> <container>=<image>}: an
 * UPDATE of the Deployment as stored, with one container's image changed, by a cluster admin through kubectl's field
 * manager. Every review of a targeted Deployment is a new revision, so each one writes the Canary's
 * {@code status.admittedRevision}: the service's slow path, not its pass-through.
 */
final class AdmissionReviews {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private AdmissionReviews() {}

    /** The UPDATE review of {@code stored} with the image of its container {@code container} set to {@code image}. */
    static AdmissionReview setImage(Deployment stored, String container, String image, String uid) {
        Deployment updated = JSON.clone(stored);
        updated.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(container))
                .findFirst()
                .orElseThrow(() ->
                        new IllegalArgumentException(stored.getMetadata().getName() + " has no container " + container))
                .setImage(image);
        GroupVersionKind kind = new GroupVersionKind();
        kind.setGroup("apps");
        kind.setVersion("v1");
        kind.setKind("Deployment");
        GroupVersionResource resource = new GroupVersionResource();
        resource.setGroup("apps");
        resource.setVersion("v1");
        resource.setResource("deployments");
        UserInfo admin = new UserInfo();
        admin.setUsername("kubernetes-admin");
        admin.setGroups(List.of("kubeadm:cluster-admins", "system:authenticated"));
        UpdateOptions options = new UpdateOptions();
        options.setFieldManager("kubectl-set");
        return new AdmissionReviewBuilder()
                .withNewRequest()
                .withUid(uid)
                .withKind(kind)
                .withRequestKind(kind)
                .withResource(resource)
                .withRequestResource(resource)
                .withName(stored.getMetadata().getName())
                .withNamespace(stored.getMetadata().getNamespace())
                .withOperation("UPDATE")
                .withUserInfo(admin)
                .withDryRun(false)
                .withObject(updated)
                .withOldObject(stored)
                .withOptions(options)
                .endRequest()
                .build();
    }

    static String json(AdmissionReview review) {
        return JSON.asJson(review);
    }

    static Deployment deployment(String json) {
        return JSON.unmarshal(json, Deployment.class);
    }

    /** What one answer was. */
    enum Outcome {
        ALLOWED,
        DENIED,
        /** Not 200, not an AdmissionReview, or not the request's uid: the API server would fail the request. */
        ERROR
    }

    static Outcome outcome(String uid, int status, String body) {
        if (status != 200 || body == null) {
            return Outcome.ERROR;
        }
        AdmissionReview answer;
        try {
            answer = JSON.unmarshal(body, AdmissionReview.class);
        } catch (RuntimeException e) {
            return Outcome.ERROR;
        }
        if (answer == null
                || answer.getResponse() == null
                || !uid.equals(answer.getResponse().getUid())) {
            return Outcome.ERROR;
        }
        return Boolean.TRUE.equals(answer.getResponse().getAllowed()) ? Outcome.ALLOWED : Outcome.DENIED;
    }

    /** Latencies of the answered requests (errors included: they took that long too) and the outcome counts. */
    record Summary(int requests, int denied, int errors, double p50Ms, double p99Ms, double maxMs, double seconds) {

        static Summary of(long[] latencyNanos, List<Outcome> outcomes, double seconds) {
            long[] sorted = latencyNanos.clone();
            Arrays.sort(sorted);
            return new Summary(
                    sorted.length,
                    (int) outcomes.stream().filter(o -> o == Outcome.DENIED).count(),
                    (int) outcomes.stream().filter(o -> o == Outcome.ERROR).count(),
                    percentile(sorted, 50) / 1e6,
                    percentile(sorted, 99) / 1e6,
                    percentile(sorted, 100) / 1e6,
                    seconds);
        }

        /** Nearest rank: the smallest latency at least {@code p} percent of the requests did not exceed. */
        static long percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
        }

        double perSecond() {
            return seconds <= 0 ? 0 : requests / seconds;
        }
    }
}
