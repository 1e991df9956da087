package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that drops {@code metadata.managedFields} from what it keeps. The analyzer never reads them, and
 * with server-side apply they are often the largest part of an object's metadata; across every Deployment of a
 * cluster they were a large share of the heap. Writes stay correct: an update that omits managedFields leaves the
 * server's as they are.
 */
final class TrimmedStore<T extends HasMetadata> extends BasicItemStore<T> {
    TrimmedStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T obj) {
        if (obj.getMetadata() != null) {
            obj.getMetadata().setManagedFields(null);
        }
        return super.put(key, obj);
    }
}
