package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
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
 * <p><b>Held and known objects.</b> With a {@code holds} predicate, the text is kept only of the objects it accepts
 * when their watch event arrives (the Deployments some Canary targets, and their primaries); of every other object
 * only its resourceVersion is kept, so that the store still knows it exists. A reader that needs one of
 * those (a Canary created after its target's last event) reads it from the API server and hands it over with
 * {@link #fetching}/{@link #fetched}; from then on its events keep it current, as long as the predicate accepts it.
 * {@link #sweep()} lets go of the texts the predicate no longer accepts (a deleted Canary's).
 *
 * <p>The object this store returns for an update or a delete (the "old" object the informer hands its handlers) is
 * its metadata only (name, namespace, resourceVersion): decoding the previous text on every event only to
 * compare versions cost a decoding per event. Handlers of these kinds must read the new object; no indexer may be
 * added to them (an index of the old object would be computed from the metadata alone).
 *
 * <p>{@code metadata.managedFields} are left out, as {@link TrimmedStore} does. Every read returns a new object, so
 * a caller that changes what it read changes nothing in the cache.
 */
final class CompactStore<T extends HasMetadata> implements ItemStore<T> {
    /**
     * What the store keeps of one object besides its key: its resourceVersion, its text when held (else null), and the
     * token of a fetch in flight (else null). Nothing more: at 70,000 objects each string kept costs about 5 MiB.
     */
    private record Entry(String resourceVersion, byte[] text, Object fetch) {
        Entry without() {
            return new Entry(resourceVersion, null, null);
        }
    }

    private final Map<String, Entry> items = new ConcurrentHashMap<>();
    private final Class<T> type;
    private final KubernetesSerialization json;
    private final Predicate<String> holds;

    /** A store that holds every object's text. */
    CompactStore(Class<T> type, KubernetesSerialization json) {
        this(type, json, key -> true);
    }

    /** A store that holds the text of the objects whose key {@code holds} accepts when their event arrives. */
    CompactStore(Class<T> type, KubernetesSerialization json, Predicate<String> holds) {
        this.type = type;
        this.json = json;
        this.holds = holds;
    }

    @Override
    public String getKey(T obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public T put(String key, T obj) {
        ObjectMeta meta = obj.getMetadata() == null ? new ObjectMeta() : obj.getMetadata();
        byte[] text = null;
        if (holds.test(key)) {
            meta.setManagedFields(null);
            text = encode(obj);
        }
        // A newer version ends any fetch in flight: what it read is this version or an older one.
        return stub(key, items.put(key, new Entry(meta.getResourceVersion(), text, null)));
    }

    @Override
    public T remove(String key) {
        return stub(key, items.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    /**
     * Every object: those held decoded, those only known as their metadata ({@link #stub}). The informer lists its
     * store after a relist to delete what the new list lacks, so every object known must be in it.
     */
    @Override
    public Stream<T> values() {
        return items.entrySet().stream()
                .map(e -> e.getValue().text() == null
                        ? stub(e.getKey(), e.getValue())
                        : decode(e.getValue().text()));
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(String key) {
        return decode(text(key));
    }

    /**
     * The text held under {@code key}, or null (no such object, or one known but not held): for a caller that decodes
     * one version of the object in two ways ({@link #decode(byte[], Class)}). The array is never changed: a new
     * version replaces it.
     */
    byte[] text(String key) {
        Entry e = items.get(key);
        return e == null ? null : e.text();
    }

    /**
     * Starts reading {@code key} from elsewhere: answers a token for {@link #fetched}, or null when there is nothing to
     * fetch (the store holds the object's text, or knows of no such object).
     */
    Object fetching(String key) {
        Object token = new Object();
        Entry e = items.computeIfPresent(
                key, (k, old) -> old.text() != null ? old : new Entry(old.resourceVersion(), null, token));
        return e != null && e.fetch() == token ? token : null;
    }

    /**
     * Hands over {@code read}, what the fetch {@code token} read (null: not found), and answers its text (null when
     * not found). It is held only if no event for the object arrived since the fetch began: an event carries that
     * version or a newer one, and a delete means the read may be of an object that is gone. A read that found nothing
     * forgets the object, on the same condition.
     */
    byte[] fetched(String key, Object token, T read) {
        if (read == null) {
            // Gone as of the read, and no event since the fetch began: a delete the watch has not shown yet.
            items.computeIfPresent(key, (k, old) -> old.fetch() == token ? null : old);
            return null;
        }
        ObjectMeta meta = read.getMetadata();
        meta.setManagedFields(null);
        byte[] text = encode(read);
        items.computeIfPresent(
                key, (k, old) -> old.fetch() == token ? new Entry(meta.getResourceVersion(), text, null) : old);
        return text;
    }

    /** Lets go of the texts the predicate no longer accepts; the objects stay known. Answers how many. */
    int sweep() {
        int dropped = 0;
        for (Map.Entry<String, Entry> e : items.entrySet()) {
            Entry before = e.getValue();
            // replace() only if no event changed it meanwhile: an event decided for itself whether to hold it.
            if (before.text() != null
                    && !holds.test(e.getKey())
                    && items.replace(e.getKey(), before, before.without())) {
                dropped++;
            }
        }
        return dropped;
    }

    /** Whether the store holds the text of {@code key} (for tests). */
    boolean held(String key) {
        return text(key) != null;
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
        return items.values().stream()
                .map(Entry::text)
                .filter(Objects::nonNull)
                .mapToLong(b -> b.length)
                .sum();
    }

    private byte[] encode(T obj) {
        return json.asJson(obj).getBytes(StandardCharsets.UTF_8);
    }

    private T decode(byte[] text) {
        return decode(text, type);
    }

    /**
     * The metadata of {@code e}, the entry of {@code key} ({@code namespace/name}), as a {@code T}, or null: what an
     * update or a delete hands back as the old object.
     */
    private T stub(String key, Entry e) {
        if (e == null) {
            return null;
        }
        T o;
        try {
            o = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(type + " has no public constructor without arguments", ex);
        }
        ObjectMeta meta = new ObjectMeta();
        int slash = key.indexOf('/');
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(key.substring(slash + 1));
        meta.setResourceVersion(e.resourceVersion());
        o.setMetadata(meta);
        return o;
    }
}
