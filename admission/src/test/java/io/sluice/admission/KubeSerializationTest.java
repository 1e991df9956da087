package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import org.junit.jupiter.api.Test;

/** The service's client serialization: no class-path scan, and every kind the service reads still decodes. */
class KubeSerializationTest {
    private final KubernetesSerialization json = KubeCalls.serialization();

    private KubernetesResource decode(String text) {
        return json.unmarshal(text);
    }

    @Test
    void sluiceKindsDecodeByApiVersionAndKind() {
        assertThat(
                        decode(
                                "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":\"podinfo\"}}"))
                .isInstanceOf(Canary.class);
        assertThat(decode("{\"apiVersion\":\"networking.gloo.solo.io/v2\",\"kind\":\"RouteTable\"}"))
                .isInstanceOf(RouteTable.class);
    }

    @Test
    void listsDecodeWhetherTheServerNamesThemByKindOrAsV1List() {
        assertThat(decode("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":"
                        + "\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":\"a\"}}]}"))
                .isInstanceOfSatisfying(
                        KubernetesList.class,
                        l -> assertThat(l.getItems().get(0)).isInstanceOf(Canary.class));
        assertThat(decode("{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"CanaryList\",\"items\":[]}"))
                .isInstanceOf(io.fabric8.kubernetes.api.model.KubernetesResourceList.class);
    }

    @Test
    void theBuiltInKindsTheServiceTouchesDecode() {
        assertThat(decode("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"ca\"}}"))
                .isInstanceOf(Secret.class);
        assertThat(decode("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"code\":409}"))
                .isInstanceOf(Status.class);
        assertThat(decode("{\"apiVersion\":\"admissionregistration.k8s.io/v1\",\"kind\":"
                        + "\"MutatingWebhookConfiguration\"}"))
                .isInstanceOf(
                        io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class);
    }

    @Test
    void kindsTheServiceNeverReadsAreNotLookedUpOnTheClassPath() {
        // fabric8's default would find Pod by scanning every model jar; this serialization does not scan.
        assertThat(decode("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}"))
                .isInstanceOf(GenericKubernetesResource.class);
        KubernetesResource scanned = new KubernetesSerialization()
                .unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}");
        assertThat(scanned)
                .as("fabric8's default, for contrast")
                .isInstanceOf(io.fabric8.kubernetes.api.model.Pod.class);
    }
}
