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
    @DisplayName("put and remove answer the version they replace, as the informer's indexes and update events need")
    void putAndRemoveAnswerThePreviousVersion() {
        store.put("test/a", deployment("a", "7", "podinfo:6.0.1"));
        store.put("test/b", deployment("b", "8", "podinfo:6.0.1"));

        GenericKubernetesResource before = store.put("test/a", deployment("a", "9", "podinfo:6.0.2"));
        assertThat(before.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(store.get("test/a").getMetadata().getResourceVersion()).isEqualTo("9");

        assertThat(store.size()).isEqualTo(2);
        assertThat(store.keySet()).containsExactlyInAnyOrder("test/a", "test/b");
        assertThat(store.values().map(d -> d.getMetadata().getName())).containsExactlyInAnyOrder("a", "b");

        assertThat(store.remove("test/b").getMetadata().getResourceVersion()).isEqualTo("8");
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
}
