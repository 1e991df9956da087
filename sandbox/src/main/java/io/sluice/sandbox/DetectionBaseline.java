package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The detection benchmark's baseline: the least a watching controller can do to notice a new revision.
 * An informer on the Deployments of one namespace that creates an Event the moment a Deployment's pod
 * template changes, and nothing else — no admission, no status write, no decision. It runs as its own
 * JVM with the analyzer's JVM options and memory limit, on the same client library, so that the ratio of
 * Sluice's detection time to this one's says what Sluice adds, whatever the machine.
 */
public final class DetectionBaseline {
    /** The reason of the baseline's Events, which the benchmark watches for. */
    public static final String REASON = "PodTemplateChanged";

    private DetectionBaseline() {}

    /** {@code DetectionBaseline <namespace>}; the API server and credentials come from KUBECONFIG. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: DetectionBaseline <namespace>");
            System.exit(2);
        }
        String namespace = args[0];
        KubernetesClient client = new KubernetesClientBuilder().build();
        client.apps().deployments().inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {}

            @Override
            public void onUpdate(Deployment before, Deployment after) {
                if (!Objects.equals(
                        before.getSpec().getTemplate(), after.getSpec().getTemplate())) {
                    noticed(client, after);
                }
            }

            @Override
            public void onDelete(Deployment d, boolean unknownFinalState) {}
        });
        System.out.println("watching Deployments in " + namespace);
        new CountDownLatch(1).await();
    }

    private static void noticed(KubernetesClient client, Deployment d) {
        String now = Instant.now().toString();
        client.v1()
                .events()
                .inNamespace(d.getMetadata().getNamespace())
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName(d.getMetadata().getName() + "." + UUID.randomUUID())
                        .endMetadata()
                        .withInvolvedObject(new ObjectReferenceBuilder()
                                .withApiVersion("apps/v1")
                                .withKind("Deployment")
                                .withName(d.getMetadata().getName())
                                .withNamespace(d.getMetadata().getNamespace())
                                .withUid(d.getMetadata().getUid())
                                .build())
                        .withReason(REASON)
                        .withMessage("pod template changed (generation "
                                + d.getMetadata().getGeneration() + ")")
                        .withType("Normal")
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .withNewSource("detection-baseline", null)
                        .build())
                .create();
    }
}
