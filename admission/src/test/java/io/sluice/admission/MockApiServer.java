package io.sluice.admission;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** fabric8's mock API server in CRUD mode on 127.0.0.1, with Sluice's CRDs registered. */
final class MockApiServer implements AutoCloseable {
    final KubernetesMockServer server;
    final KubernetesClient client;
    /** PATCH requests whose path this accepts are refused with 403, as an API server does without RBAC for them. */
    volatile Predicate<String> refusePatch = path -> false;

    /** Over plain HTTP. */
    MockApiServer() {
        this(false);
    }

    /** @param https serve HTTPS with a self-signed certificate, as an API server speaks; clients trust any */
    MockApiServer(boolean https) {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of()) {
            @Override
            public MockResponse handlePatch(RecordedRequest request) {
                return refusePatch.test(request.getPath()) ? forbidden(request.getPath()) : super.handlePatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, https);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The client decodes as the service's does (KubeCalls.serialization): only the kinds it registers.
        client = server.createClient(builder -> builder.withKubernetesSerialization(KubeCalls.serialization()));
        Path root = Fixtures.repositoryRoot();
        for (String crd : new String[] {
            "crds/canaries.flagger.app.yaml",
            "crds/metrictemplates.flagger.app.yaml",
            "crds/alertproviders.flagger.app.yaml",
            "test-crds/routetables.networking.gloo.solo.io.yaml"
        }) {
            try (InputStream in = Files.newInputStream(root.resolve("manifests").resolve(crd))) {
                CustomResourceDefinition definition =
                        client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .resource(definition)
                        .create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Stores the seed's Canary {@code test/podinfo} (targeting Deployment {@code podinfo}) in phase Succeeded, its
     * last promoted revision {@code lastAppliedSpec}, and returns it as stored.
     */
    Canary storeSeedCanary(String lastAppliedSpec) {
        Canary stored = client.resource(Fixtures.seedCanary()).create();
        stored.setStatus(new CanaryStatus());
        stored.getStatus().phase = "Succeeded";
        stored.getStatus().lastAppliedSpec = lastAppliedSpec;
        stored.getStatus().failedChecks = 0;
        stored.getStatus().canaryWeight = 0;
        return client.resource(stored).updateStatus();
    }

    private static MockResponse forbidden(String path) {
        return new MockResponse()
                .setResponseCode(403)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                        + "\"code\":403,\"message\":\"patch " + path + " is forbidden\"}");
    }

    /** Stores both webhook configurations named {@code sluice-admission}, one webhook each, no caBundle. */
    void storeWebhookConfigurations() {
        client.resource(new MutatingWebhookConfigurationBuilder()
                        .withNewMetadata()
                        .withName("sluice-admission")
                        .endMetadata()
                        .addNewWebhook()
                        .withName("deployments.admission.sluice.io")
                        .withNewClientConfig()
                        .endClientConfig()
                        .endWebhook()
                        .build())
                .create();
        client.resource(new ValidatingWebhookConfigurationBuilder()
                        .withNewMetadata()
                        .withName("sluice-admission")
                        .endMetadata()
                        .addNewWebhook()
                        .withName("flagger.admission.sluice.io")
                        .withNewClientConfig()
                        .endClientConfig()
                        .endWebhook()
                        .build())
                .create();
    }

    /** The caBundle of the mutating configuration's first webhook, decoded; empty when there is none. */
    String publishedBundle() {
        String base64 = client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("sluice-admission")
                .get()
                .getWebhooks()
                .get(0)
                .getClientConfig()
                .getCaBundle();
        return base64 == null
                ? ""
                : new String(java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} until it holds; fails after {@code deadline}. */
    static void waitFor(String what, Duration deadline, BooleanSupplier condition) {
        Instant end = Instant.now().plus(deadline);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what);
            }
            // A short park between polls, not a guess at how long the condition takes.
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    @Override
    public void close() {
        client.close();
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }
}
