package io.sluice.admission;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    private Fixtures() {
    }

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

    /** The seed's Canary for Deployment test/podinfo, with the given phase and status revisions. */
    static Canary canary(String name, String target, String phase, String lastAppliedSpec) {
        Canary c = new Canary();
        c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("test").build());
        CanarySpec spec = new CanarySpec();
        spec.targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", target);
        c.setSpec(spec);
        CanaryStatus status = new CanaryStatus();
        status.phase = phase;
        status.lastAppliedSpec = lastAppliedSpec;
        c.setStatus(status);
        return c;
    }

    static AdmissionMetrics metrics() {
        return new AdmissionMetrics(new SimpleMeterRegistry());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("future did not complete within 20 s", e);
        }
    }
}
