package io.sluice.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sluice.model.Kinds;

/** Makes the Kubernetes client a command talks through; the tests hand in one for a mock API server. */
@FunctionalInterface
public interface Clients {
    KubernetesClient connect(KubeOptions options);

    /** As kubectl does: {@code --kubeconfig} or the usual places, and {@code --context} or the current context. */
    static KubernetesClient fromKubeconfig(KubeOptions options) {
        Config config = options.kubeconfig() != null
                ? Config.fromKubeconfig(options.context(), options.kubeconfig().toFile())
                : Config.autoConfigure(options.context());
        // A command answers at once when the cluster cannot be reached, as kubectl does, rather than after the
        // client's retries with back-off (watches still resume on their own).
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Teaches the client's serializer Sluice's kinds; otherwise it reads Canaries as generic resources. */
    static KubernetesClient register(KubernetesClient client) {
        Kinds.RESOURCE_CLASSES.forEach(client.getKubernetesSerialization()::registerKubernetesResource);
        Kinds.LIST_KINDS.forEach(l ->
                client.getKubernetesSerialization().registerKubernetesResource(l.apiVersion(), l.kind(), l.type()));
        return client;
    }
}
