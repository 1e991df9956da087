package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CompactStoreTest {
    final KubernetesSerialization json = new KubernetesSerialization();
    final CompactStore<GenericKubernetesResource> store = new CompactStore<>(GenericKubernetesResource.class, json);

    GenericKubernetesResource deployment(String name, String version, String image) {
        GenericKubernetesResource d =
                json.unmarshal("""
                {"apiVersion":"apps/v1","kind":"Deployment",
                 "metadata":{"name":"%s","namespace":"test","resourceVersion":"%s","labels":{"app":"%s"}},
                 "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"app","image":"%s"}]}}}}""".formatted(name, version, name, image), GenericKubernetesResource.class);
        d.getMetadata()
                .setManagedFields(List.of(
                        new ManagedFieldsEntryBuilder().withManager("kubectl").build()));
        return d;
    }

    @Test
    @DisplayName("a read gives back what was put, without managedFields, as a new object each time")
    void readsDecodeWhatWasPut() {
        GenericKubernetesResource put = deployment("a", "7", "podinfo:6.0.1");
        assertThat(store.put(store.getKey(put), put)).isNull();

        GenericKubernetesResource read = store.get("test/a");
        assertThat(read.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(json.asJson(read)).isEqualTo(json.asJson(put));
        assertThat(store.get("test/a")).isNotSameAs(read).isEqualTo(read);

        put.getMetadata().getLabels().put("later", "change");
        read.getMetadata().getLabels().put("caller", "change");
        assertThat(store.get("test/a").getMetadata().getLabels()).containsOnlyKeys("app");
    }

    @Test
    @DisplayName("put and remove answer the version they replace, as the informer's update and delete events need")
    void putAndRemoveAnswerThePreviousVersion() {
        store.put("test/a", deployment("a", "7", "podinfo:6.0.1"));
        store.put("test/b", deployment("b", "8", "podinfo:6.0.1"));

        GenericKubernetesResource before = store.put("test/a", deployment("a", "9", "podinfo:6.0.2"));
        assertThat(before.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(store.get("test/a").getMetadata().getResourceVersion()).isEqualTo("9");

        assertThat(store.size()).isEqualTo(2);
        assertThat(store.keySet()).containsExactlyInAnyOrder("test/a", "test/b");
        assertThat(store.values().map(d -> d.getMetadata().getName())).containsExactlyInAnyOrder("a", "b");

        GenericKubernetesResource removed = store.remove("test/b");
        assertThat(removed.getMetadata().getResourceVersion()).isEqualTo("8");
        assertThat(removed.getMetadata().getName()).isEqualTo("b");
        assertThat(removed.getMetadata().getNamespace()).isEqualTo("test");
        assertThat(store.remove("test/b")).isNull();
        assertThat(store.get("test/b")).isNull();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("what it holds is the object's JSON text, not its decoded tree")
    void holdsTheTextOnly() {
        GenericKubernetesResource d = deployment("a", "7", "podinfo:6.0.1");
        store.put("test/a", d);
        d.getMetadata().setManagedFields(null);
        assertThat(store.bytesHeld())
                .isEqualTo(json.asJson(d).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /** A store that holds the text of {@code test/held} only, until {@link #letGo}. */
    final java.util.Set<String> wanted = new java.util.HashSet<>(java.util.Set.of("test/held"));

    final CompactStore<GenericKubernetesResource> choosy =
            new CompactStore<>(GenericKubernetesResource.class, json, wanted::contains);

    @Test
    @DisplayName("with a predicate it holds the text of what it accepts and only knows the rest")
    void holdsWhatThePredicateAccepts() {
        choosy.put("test/held", deployment("held", "7", "podinfo:6.0.1"));
        choosy.put("test/other", deployment("other", "8", "podinfo:6.0.1"));

        assertThat(choosy.held("test/held")).isTrue();
        assertThat(choosy.held("test/other")).isFalse();
        assertThat(choosy.get("test/other")).isNull();
        assertThat(choosy.keySet()).containsExactlyInAnyOrder("test/held", "test/other");
        assertThat(choosy.size()).isEqualTo(2);
        // Every object is listed, the informer deletes after a relist what the new list lacks; one only known as its
        // metadata.
        assertThat(choosy.values().map(d -> d.getMetadata().getName())).containsExactlyInAnyOrder("held", "other");
        GenericKubernetesResource known = choosy.values()
                .filter(d -> d.getMetadata().getName().equals("other"))
                .findFirst()
                .orElseThrow();
        assertThat(known.getMetadata().getNamespace()).isEqualTo("test");
        assertThat(known.getMetadata().getResourceVersion()).isEqualTo("8");
        assertThat(known.getAdditionalProperties()).doesNotContainKey("spec");
        GenericKubernetesResource held = deployment("held", "7", "podinfo:6.0.1");
        held.getMetadata().setManagedFields(null);
        assertThat(choosy.bytesHeld())
                .isEqualTo(json.asJson(held).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);

        // An update of an object only known still answers its previous version: the informer tells an update.
        assertThat(choosy.put("test/other", deployment("other", "9", "podinfo:6.0.2"))
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo("8");
        assertThat(choosy.remove("test/other").getMetadata().getResourceVersion())
                .isEqualTo("9");
        assertThat(choosy.remove("test/other")).isNull();
    }

    @Test
    @DisplayName("a fetched object is held from then on, and its later events keep it current")
    void aFetchedObjectIsHeld() {
        choosy.put("test/late", deployment("late", "7", "podinfo:6.0.1"));
        assertThat(choosy.fetching("test/absent")).as("no such object").isNull();
        assertThat(choosy.fetching("test/held")).isNull();

        wanted.add("test/late");
        Object token = choosy.fetching("test/late");
        assertThat(token).isNotNull();
        byte[] text = choosy.fetched("test/late", token, deployment("late", "8", "podinfo:6.0.2"));
        assertThat(choosy.text("test/late")).isSameAs(text);
        assertThat(choosy.get("test/late").getMetadata().getResourceVersion()).isEqualTo("8");

        choosy.put("test/late", deployment("late", "9", "podinfo:6.0.3"));
        assertThat(choosy.get("test/late").getMetadata().getResourceVersion()).isEqualTo("9");
    }

    @Test
    @DisplayName("a fetch overtaken by an event or a delete is not held: the event is as new or newer")
    void anOvertakenFetchIsNotHeld() {
        choosy.put("test/late", deployment("late", "7", "podinfo:6.0.1"));
        Object token = choosy.fetching("test/late");
        choosy.put("test/late", deployment("late", "9", "podinfo:6.0.3"));
        byte[] text = choosy.fetched("test/late", token, deployment("late", "8", "podinfo:6.0.2"));
        assertThat(text).as("the reader still gets what it read").isNotNull();
        assertThat(choosy.held("test/late")).isFalse();

        Object again = choosy.fetching("test/late");
        choosy.remove("test/late");
        choosy.fetched("test/late", again, deployment("late", "9", "podinfo:6.0.3"));
        assertThat(choosy.keySet()).isEmpty();
        assertThat(choosy.fetched("test/late", again, null)).isNull();
    }

    @Test
    @DisplayName("a fetch that finds nothing forgets the object, unless an event came since it began")
    void aFetchThatFindsNothingForgetsTheObject() {
        choosy.put("test/gone", deployment("gone", "7", "podinfo:6.0.1"));
        Object token = choosy.fetching("test/gone");
        assertThat(choosy.fetched("test/gone", token, null)).isNull();
        assertThat(choosy.keySet()).as("deleted, the watch not there yet").isEmpty();

        choosy.put("test/back", deployment("back", "7", "podinfo:6.0.1"));
        Object stale = choosy.fetching("test/back");
        choosy.put("test/back", deployment("back", "9", "podinfo:6.0.1"));
        choosy.fetched("test/back", stale, null);
        assertThat(choosy.keySet()).as("created again since: the event wins").containsExactly("test/back");
    }

    @Test
    @DisplayName("a sweep lets go of the texts the predicate no longer accepts and keeps the objects known")
    void aSweepLetsGo() {
        choosy.put("test/held", deployment("held", "7", "podinfo:6.0.1"));
        assertThat(choosy.sweep()).isZero();
        wanted.clear();
        assertThat(choosy.sweep()).isEqualTo(1);
        assertThat(choosy.held("test/held")).isFalse();
        assertThat(choosy.keySet()).containsExactly("test/held");
        assertThat(choosy.bytesHeld()).isZero();
    }
}
