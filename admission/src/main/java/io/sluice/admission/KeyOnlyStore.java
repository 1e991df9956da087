package io.sluice.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.Supplier;

/**
 * An informer store for kinds the handlers only ask "does it exist" of: each object is kept as an empty one of its
 * kind carrying namespace, name, uid and resourceVersion (which the informer compares on every event), nothing
 * else. fabric8's ReducedStateItemStore does the same but rebuilds each object through the serialization's kind
 * registry on every read, which the service's serialization does not hold these kinds in.
 */
final class KeyOnlyStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final Supplier<T> empty;

    KeyOnlyStore(Supplier<T> empty) {
        super(Cache::metaNamespaceKeyFunc);
        this.empty = empty;
    }

    @Override
    public T put(String key, T object) {
        return super.put(key, keyOf(object));
    }

    private T keyOf(T object) {
        T kept = empty.get();
        kept.setMetadata(keyMeta(object.getMetadata()));
        return kept;
    }

    /** Namespace, name, uid and resourceVersion of {@code meta} (null for none): what identifies a cached object. */
    static ObjectMeta keyMeta(ObjectMeta meta) {
        if (meta == null) {
            return null;
        }
        ObjectMeta kept = new ObjectMeta();
        kept.setNamespace(meta.getNamespace());
        kept.setName(meta.getName());
        kept.setUid(meta.getUid());
        kept.setResourceVersion(meta.getResourceVersion());
        return kept;
    }
}
