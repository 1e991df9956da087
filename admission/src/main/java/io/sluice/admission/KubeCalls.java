package io.sluice.admission;

import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import io.sluice.model.Kinds;
import io.sluice.model.flagger.Canary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Every blocking Kubernetes API call of the admission service, run on one named worker pool and returned as a
 * future, so that no event loop ever waits for the API server. Calls are unordered: none depends on another
 * call's position in a queue.
 */
final class KubeCalls implements StatusWriter {
    static final String POOL = "sluice-kube-calls";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final WorkerExecutor pool;

    KubeCalls(Vertx vertx, KubernetesClient client, int poolSize) {
        this.client = client;
        this.pool = vertx.createSharedWorkerExecutor(POOL, poolSize);
        registerModel(client);
    }

    /** Teaches the client's serializer Sluice's kinds; without it, reads by kind return generic resources. */
    static void registerModel(KubernetesClient client) {
        registerModel(client.getKubernetesSerialization());
    }

    static void registerModel(KubernetesSerialization serialization) {
        Kinds.RESOURCE_CLASSES.forEach(serialization::registerKubernetesResource);
        Kinds.LIST_KINDS.forEach(l -> serialization.registerKubernetesResource(l.apiVersion(), l.kind(), l.type()));
        BUILT_IN_KINDS.forEach(serialization::registerKubernetesResource);
    }

    /**
     * The Kubernetes kinds the service reads or writes, besides Sluice's own, and {@code v1 List}: an API server
     * may answer a list call with that kind rather than {@code <Kind>List} (fabric8's mock server does).
     */
    private static final List<Class<? extends KubernetesResource>> BUILT_IN_KINDS = List.of(
            Secret.class,
            MutatingWebhookConfiguration.class,
            ValidatingWebhookConfiguration.class,
            Status.class,
            KubernetesList.class);

    /**
     * The serialization the service's client uses: fabric8's defaults, knowing Sluice's kinds and the few built-in
     * ones the service touches. fabric8's default instead loads every resource class of every API group on the
     * class path the first time it decodes anything (about 700 classes here: Gateway API, storage, flow
     * control ...), which costs metaspace for the life of the process and buys nothing: every call and informer of
     * the service names its type. That scan fills one table shared by every serialization that asks for it, so
     * {@link ObjectDecoder} does not ask for it either.
     */
    static KubernetesSerialization serialization() {
        KubernetesSerialization serialization = new KubernetesSerialization(
                JsonMapper.builderWithJackson2Defaults()
                        .addModule(new Jackson2JdkTypesModule())
                        .build(),
                false);
        registerModel(serialization);
        return serialization;
    }

    private <T> Future<T> blocking(Callable<T> call) {
        return pool.executeBlocking(call, false);
    }

    @Override
    public Future<Void> patchCanaryStatus(String namespace, String name, String mergePatch) {
        return blocking(() -> {
            client.resources(Canary.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
            return null;
        });
    }

    /** The Secret, or empty when it does not exist. */
    Future<Optional<Secret>> readSecret(String namespace, String name) {
        return blocking(() -> Optional.ofNullable(
                client.secrets().inNamespace(namespace).withName(name).get()));
    }

    /** Creates the Secret; fails with a 409 when another replica created it first. */
    Future<Secret> createSecret(Secret secret) {
        return blocking(() -> client.secrets().resource(secret).create());
    }

    /** Replaces the Secret at the resourceVersion it carries; fails with a 409 when it changed in between. */
    Future<Secret> updateSecret(Secret secret) {
        return blocking(() -> client.secrets().resource(secret).update());
    }

    /**
     * Sets {@code caBundle} (base64 of {@code caBundle} PEM) on every webhook of the two configurations. Each
     * change is a JSON Patch guarded by a {@code test} of the webhook's name, so a configuration edited in between
     * fails the patch instead of getting the bundle at the wrong position. A configuration that does not exist is
     * skipped: the service still serves, and the operator sees the warning.
     *
     * @return the names of the configurations changed
     */
    Future<List<String>> publishCaBundle(String mutating, String validating, String caBundleBase64) {
        return blocking(() -> {
            List<String> changed = new ArrayList<>();
            MutatingWebhookConfiguration m = mutating.isEmpty()
                    ? null
                    : client.admissionRegistration()
                            .v1()
                            .mutatingWebhookConfigurations()
                            .withName(mutating)
                            .get();
            if (m != null) {
                String patch = bundlePatch(
                        m.getWebhooks(), MutatingWebhook::getName, MutatingWebhook::getClientConfig, caBundleBase64);
                if (patch != null) {
                    client.admissionRegistration()
                            .v1()
                            .mutatingWebhookConfigurations()
                            .withName(mutating)
                            .patch(PatchContext.of(PatchType.JSON), patch);
                    changed.add(mutating);
                }
            }
            ValidatingWebhookConfiguration v = validating.isEmpty()
                    ? null
                    : client.admissionRegistration()
                            .v1()
                            .validatingWebhookConfigurations()
                            .withName(validating)
                            .get();
            if (v != null) {
                String patch = bundlePatch(
                        v.getWebhooks(),
                        ValidatingWebhook::getName,
                        ValidatingWebhook::getClientConfig,
                        caBundleBase64);
                if (patch != null) {
                    client.admissionRegistration()
                            .v1()
                            .validatingWebhookConfigurations()
                            .withName(validating)
                            .patch(PatchContext.of(PatchType.JSON), patch);
                    changed.add(validating);
                }
            }
            return changed;
        });
    }

    /** The JSON Patch that sets every webhook's caBundle, or null when all already carry it. */
    static <W> String bundlePatch(
            List<W> webhooks,
            Function<W, String> name,
            Function<W, WebhookClientConfig> config,
            String caBundleBase64) {
        ArrayNode ops = JSON.createArrayNode();
        for (int i = 0; i < webhooks.size(); i++) {
            W webhook = webhooks.get(i);
            WebhookClientConfig clientConfig = config.apply(webhook);
            if (clientConfig != null && Objects.equals(clientConfig.getCaBundle(), caBundleBase64)) {
                continue;
            }
            ops.addObject()
                    .put("op", "test")
                    .put("path", "/webhooks/" + i + "/name")
                    .put("value", name.apply(webhook));
            if (clientConfig == null) {
                ops.addObject()
                        .put("op", "add")
                        .put("path", "/webhooks/" + i + "/clientConfig")
                        .putObject("value")
                        .put("caBundle", caBundleBase64);
            } else {
                ops.addObject()
                        .put("op", "add")
                        .put("path", "/webhooks/" + i + "/clientConfig/caBundle")
                        .put("value", caBundleBase64);
            }
        }
        return ops.isEmpty() ? null : JSON.writeValueAsString(ops);
    }

    void close() {
        pool.close();
    }
}
