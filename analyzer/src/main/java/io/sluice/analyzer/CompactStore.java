package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An informer store that keeps each object as its JSON text and decodes it again on every read, for the kinds the
 * analyzer reads only by key (Deployments, Services) and of which a cluster holds many it never reads.
 *
 * <p>Why not the objects themselves: a decoded Deployment is a tree of maps about six times the size of its JSON
 * (7.9 KB against 1.3 KB for the podinfo Deployment), and at 10,000 Canaries with 20,000 other Deployments the
 * decoded trees were most of the analyzer's heap. The price is a decoding per read: a reconcile reads two Deployments
 * and three Services, and those decodings were about a quarter of the analyzer's CPU at 1,000 Canaries (docs/benchmarks.md,
 * 7 Dec 2026). So a Deployment is decoded straight into the model class a reconcile uses ({@link #decode(byte[],
 * Class)}), and the revision, the one thing computed from the raw tree, once per resourceVersion
 * ({@link ClusterView#revision}). fabric8's {@code ReducedStateItemStore} keeps chosen fields
 * only, but the analyzer copies a target's whole template into its primary, so every field is needed.
 *
 * <p>{@code metadata.managedFields} are left out, as {@link TrimmedStore} does. Every read returns a new object, so
 * a caller that changes what it read changes nothing in the cache.
 */
final class CompactStore<T extends HasMetadata> implements ItemStore<T> {
    private final Map<String, byte[]> items = new ConcurrentHashMap<>();
    private final Class<T> type;
    private final KubernetesSerialization json;

    CompactStore(Class<T> type, KubernetesSerialization json) {
        this.type = type;
        this.json = json;
    }

    @Override
    public String getKey(T obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public T put(String key, T obj) {
        if (obj.getMetadata() != null) {
            obj.getMetadata().setManagedFields(null);
        }
        return decode(items.put(key, json.asJson(obj).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public T remove(String key) {
        return decode(items.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return items.values().stream().map(this::decode);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(String key) {
        return decode(items.get(key));
    }

    /**
     * The text held under {@code key}, or null: for a caller that decodes one version of the object in two ways
     * ({@link #decode(byte[], Class)}). The array is never changed: a new version replaces it.
     */
    byte[] text(String key) {
        return items.get(key);
    }

    /**
     * {@code text} decoded as {@code as}: a model class of the stored kind is decoded straight from the text, where
     * {@code get} and a conversion would build the generic tree first and then convert it, twice the work.
     */
    <R> R decode(byte[] text, Class<R> as) {
        return text == null ? null : json.unmarshal(new ByteArrayInputStream(text), as);
    }

    /** The bytes held, for the tests. */
    long bytesHeld() {
        return items.values().stream().mapToLong(b -> b.length).sum();
    }

    private T decode(byte[] text) {
        return decode(text, type);
    }
}
