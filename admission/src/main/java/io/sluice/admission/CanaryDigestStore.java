package io.sluice.admission;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;

/**
 * The Canary cache's store: it keeps of each Canary only what the handlers read from the cache, so that ten thousand
 * Canaries fit a small heap. The handlers ask the cache which Canaries target a workload (namespace, name,
 * {@code spec.targetRef}), whether Sluice releases them ({@code spec.provider}) and which revision they last saw
 * ({@code status.lastAppliedSpec}, {@code status.admittedRevision}); the object under admission is always read from
 * the request, never from here. Analysis, service, annotations (a kubectl last-applied copy of the whole spec),
 * managedFields and conditions are dropped on the way in.
 */
final class CanaryDigestStore extends BasicItemStore<Canary> {

    CanaryDigestStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Canary put(String key, Canary canary) {
        return super.put(key, digest(canary));
    }

    /** A new Canary holding only the fields the handlers read; {@code canary} is left as it was. */
    static Canary digest(Canary canary) {
        Canary kept = new Canary();
        kept.setApiVersion(canary.getApiVersion());
        kept.setKind(canary.getKind());
        ObjectMeta meta = KeyOnlyStore.keyMeta(canary.getMetadata());
        if (meta != null) {
            meta.setGeneration(canary.getMetadata().getGeneration());
            kept.setMetadata(meta);
        }
        CanarySpec spec = canary.getSpec();
        if (spec != null) {
            CanarySpec keptSpec = new CanarySpec();
            keptSpec.provider = spec.provider;
            keptSpec.targetRef = spec.targetRef;
            kept.setSpec(keptSpec);
        }
        CanaryStatus status = canary.getStatus();
        if (status != null) {
            CanaryStatus keptStatus = new CanaryStatus();
            keptStatus.phase = status.phase;
            keptStatus.lastAppliedSpec = status.lastAppliedSpec;
            keptStatus.admittedRevision = status.admittedRevision;
            keptStatus.currentRun = status.currentRun;
            kept.setStatus(keptStatus);
        }
        return kept;
    }
}
