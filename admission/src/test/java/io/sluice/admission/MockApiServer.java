package io.sluice.admission;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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

/** fabric8's mock API server in CRUD mode on 127.0.0.1, with Sluice's CRDs registered. */
final class MockApiServer implements AutoCloseable {
    final KubernetesMockServer server;
    final KubernetesClient client;

    /** Over plain HTTP. */
    MockApiServer() {
        this(false);
    }

    /** @param https serve HTTPS with a self-signed certificate, as an API server speaks; clients trust any */
    MockApiServer(boolean https) {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()), https);
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
        server.destroy();
    }
}
