package io.sluice.admission;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Test helpers: fixtures from {@code src/test/resources}, and waiting on futures with a deadline. */
final class Fixtures {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /*
     * Revisions of the pod templates in kubectl-set-image-podinfo.json, computed outside Java (a Python script: the
     * canonical JSON that Revisions documents, SHA-256, the first 16 hex digits), so that a test does not take its
     * expected value from the function it checks. Flux's fixture starts from KUBECTL_NEW.
     */
    static final String KUBECTL_OLD = "1099296419018ae7";
    static final String KUBECTL_NEW = "cbca008cfb562a4d";

    private Fixtures() {}

    static ObjectNode review(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/reviews/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/reviews/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AdmissionRequest request(JsonNode review) {
        return AdmissionRequest.of(review.path("request"));
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    /** The repository's root: the first directory above the working directory that holds {@code manifests/crds}. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("manifests/crds"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "manifests/crds not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static final Path SEED_CANARY = Path.of("manifests/examples/podinfo/canary.yaml");

    /** The seed's Canary, as the example manifest has it: test/podinfo, targeting Deployment podinfo. */
    static Canary seedCanary() {
        try (InputStream in = Files.newInputStream(repositoryRoot().resolve(SEED_CANARY))) {
            return KubeCalls.serialization().unmarshal(in, Canary.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed's Canary as the JSON tree {@code kubectl apply} sends. */
    static ObjectNode seedCanaryJson() {
        return (ObjectNode) JSON.readTree(KubeCalls.serialization().asJson(seedCanary()));
    }

    /** The seed's Canary with a status: its phase and the revision it last applied (either may be null). */
    static Canary seedCanary(String phase, String lastAppliedSpec) {
        Canary c = seedCanary();
        CanaryStatus status = new CanaryStatus();
        status.phase = phase;
        status.lastAppliedSpec = lastAppliedSpec;
        c.setStatus(status);
        return c;
    }

    /** The seed's Canary under another name, targeting another Deployment of its namespace. */
    static Canary canary(String name, String target, String phase, String lastAppliedSpec) {
        Canary c = seedCanary(phase, lastAppliedSpec);
        c.getMetadata().setName(name);
        c.getSpec().targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", target);
        return c;
    }

    /** Runtime requests judged as in the service; accepted ones are "written" at once to a writer that keeps nothing. */
    static RuntimeRequestAdmission runtimeRequests() {
        return new RuntimeRequestAdmission(
                (namespace, name, patch) -> Future.succeededFuture(),
                Duration.ofSeconds(1),
                SourceClassifier.withDefaults(java.util.Map.of(), java.util.Map.of()),
                java.time.Clock.systemUTC(),
                metrics(),
                Runnable::run);
    }

    static AdmissionMetrics metrics() {
        return new AdmissionMetrics(new SimpleMeterRegistry());
    }

    /**
     * The future's result; its failure, or no result within 60 s, is thrown as an {@link IllegalStateException}. The
     * deadline only stops a test that hangs: on a build machine busy with other work, a key generation under a flood
     * of TLS handshakes has taken more than 20 s.
     */
    static <T> T await(Future<T> future) {
        return await(future, Duration.ofSeconds(60));
    }

    /** The future's result; its failure, or no result within {@code deadline}, is an {@link IllegalStateException}. */
    static <T> T await(Future<T> future, Duration deadline) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("future did not complete within " + deadline, e);
        }
    }
}
