package io.sluice.cli;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1 with the Canary CRD, and a way to run the plugin against it.
 * While {@link #denyPatches} is set, every PATCH of a Canary is refused as an admission webhook refuses it.
 */
final class MockApi implements AutoCloseable {
    static final Path ROOT = Path.of("..");

    final KubernetesMockServer server;
    final KubernetesClient client;

    /** Every PATCH of an object (not of a status) the server answered: path with query, and body. */
    final List<String[]> patches = new CopyOnWriteArrayList<>();

    /** The admission webhook's message to refuse PATCHes with; null lets them through. */
    volatile String denyPatches;

    /** Counted down by each watch of one Canary by name, so a test knows a command is following it. */
    volatile CountDownLatch watching = new CountDownLatch(1);

    MockApi() {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of()) {
            @Override
            public MockResponse handlePatch(RecordedRequest request) {
                if (request.getPath().contains("/status")) {
                    return super.handlePatch(request);
                }
                patches.add(new String[] {
                    request.getPath(), new String(request.getBody().getBytes(), StandardCharsets.UTF_8)
                });
                String denial = denyPatches;
                if (denial != null && request.getPath().contains("/canaries/")) {
                    return new MockResponse()
                            .setResponseCode(403)
                            .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":403,"
                                    + "\"reason\":\"Forbidden\",\"message\":\"admission webhook"
                                    + " \\\"canaries.sluice.io\\\" denied the request: " + denial + "\"}");
                }
                return super.handlePatch(request);
            }

            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getPath() != null
                        && request.getPath().contains("watch=true")
                        && request.getPath().contains("fieldSelector")) {
                    watching.countDown();
                }
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client = Clients.register(server.createClient());
        try (InputStream in = Files.newInputStream(ROOT.resolve("manifests/crds/canaries.flagger.app.yaml"))) {
            CustomResourceDefinition crd =
                    client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(crd)
                    .create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Canary {@code namespace/name} with stepWeight 30 up to maxWeight 50, threshold 5, and {@code status}. */
    Canary create(String namespace, String name, CanaryStatus status) {
        Canary canary = new Canary();
        canary.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        CanarySpec spec = new CanarySpec();
        spec.analysis = new CanaryAnalysis();
        spec.analysis.stepWeight = 30;
        spec.analysis.maxWeight = 50;
        spec.analysis.threshold = 5;
        canary.setSpec(spec);
        Canary created = client.resources(Canary.class)
                .inNamespace(namespace)
                .resource(canary)
                .create();
        if (status != null) {
            created.setStatus(status);
            created = client.resources(Canary.class)
                    .inNamespace(namespace)
                    .resource(created)
                    .updateStatus();
        }
        return created;
    }

    /** Changes the stored Canary's status, as the analyzer or the admission service would. */
    void status(String namespace, String name, Consumer<CanaryStatus> change) {
        client.resources(Canary.class).inNamespace(namespace).withName(name).editStatus(c -> {
            if (c.getStatus() == null) {
                c.setStatus(new CanaryStatus());
            }
            change.accept(c.getStatus());
            return c;
        });
    }

    Canary get(String namespace, String name) {
        return client.resources(Canary.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** What one run of the plugin did. */
    record Run(int code, String out, String err) {}

    /** Runs {@code kubectl sluice args} against this server. */
    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(options -> server.createClient(), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Override
    public void close() {
        client.close();
        io.sluice.model.testing.Teardown.ignoringShutdownTimeout("mock API server", server::destroy);
    }

    /** A status in {@code phase} whose run is {@code revision} (currentRun and lastAppliedSpec). */
    static CanaryStatus status(String phase, String revision) {
        CanaryStatus s = new CanaryStatus();
        s.phase = phase;
        s.lastAppliedSpec = revision;
        s.canaryWeight = 0;
        s.failedChecks = 0;
        if (revision != null) {
            s.currentRun = new CanaryStatus.CurrentRun();
            s.currentRun.revision = revision;
            s.currentRun.user = "alice";
            s.currentRun.source = "kubectl";
            s.currentRun.startedAt = "2026-12-06T03:00:00Z";
        }
        return s;
    }
}
