package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.sluice.model.validation.CanaryValidator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The digest the Canary cache keeps answers every question the handlers ask of a cached Canary as the whole does. */
class CanaryDigestStoreTest {

    private static Canary stored(String provider) {
        Canary c = Fixtures.seedCanary("Progressing", "rev-1");
        c.getMetadata().setUid("u-1");
        c.getMetadata().setResourceVersion("42");
        c.getMetadata().setAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration", "{\"spec\":{}}"));
        c.getMetadata().setManagedFields(List.of(new ManagedFieldsEntry()));
        c.getSpec().provider = provider;
        c.getStatus().admittedRevision = new CanaryStatus.AdmittedRevision();
        c.getStatus().admittedRevision.revision = "rev-2";
        c.getStatus().admittedRevision.images = Map.of("podinfo", "podinfo:2", "sidecar", "envoy:1");
        c.getStatus().currentRun = new CanaryStatus.CurrentRun();
        c.getStatus().currentRun.revision = "rev-2";
        return c;
    }

    @Test
    void theDigestAnswersAsTheWholeCanary() {
        for (String provider : new String[] {null, "gloo-mesh", "istio"}) {
            Canary whole = stored(provider);
            Canary digest = CanaryDigestStore.digest(whole);

            assertThat(InformerClusterView.targetKeys(digest)).isEqualTo(InformerClusterView.targetKeys(whole));
            assertThat(digest.getMetadata().getNamespace()).isEqualTo("test");
            assertThat(digest.getMetadata().getName())
                    .isEqualTo(whole.getMetadata().getName());
            assertThat(digest.getMetadata().getResourceVersion()).isEqualTo("42");
            assertThat(CanaryValidator.isSluices(digest)).isEqualTo(CanaryValidator.isSluices(whole));
            for (String revision : new String[] {"rev-1", "rev-2", "rev-3"}) {
                assertThat(AdmittedRevisions.isNew(digest, revision))
                        .isEqualTo(AdmittedRevisions.isNew(whole, revision));
            }
            AdmittedRevisions.Admitted admitted = new AdmittedRevisions.Admitted(
                    "rev-3", Map.of("podinfo", "podinfo:3"), "alice", List.of(), "kubectl", Instant.EPOCH, "uid");
            assertThat(AdmittedRevisions.mergePatch(digest, admitted))
                    .isEqualTo(AdmittedRevisions.mergePatch(whole, admitted));
            assertThat(digest.getStatus().phase).isEqualTo("Progressing");
        }
    }

    @Test
    void theDigestDropsWhatNoHandlerReads() {
        Canary whole = stored(null);
        Canary digest = CanaryDigestStore.digest(whole);

        assertThat(digest.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(digest.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(digest.getSpec().analysis).isNull();
        assertThat(digest.getSpec().service).isNull();
        // The Canary handed in is left whole: the informer may still pass it on.
        assertThat(whole.getSpec().analysis).isNotNull();
    }

    @Test
    void theStoreKeepsTheDigest() {
        CanaryDigestStore store = new CanaryDigestStore();
        Canary whole = stored(null);

        store.put(store.getKey(whole), whole);

        Canary kept = store.get("test/podinfo");
        assertThat(kept.getSpec().analysis).isNull();
        assertThat(kept.getSpec().targetRef.name).isEqualTo("podinfo");
    }
}
