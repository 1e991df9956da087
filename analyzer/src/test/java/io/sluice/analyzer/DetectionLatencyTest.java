package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole controller (informers, queue, reconciler) against the mock API server: a Deployment update is acted on
 * through the watch, not at the next interval. Records the latency from the update to the Event (median of 20).
 */
class DetectionLatencyTest {
    MockCluster cluster;
    Vertx vertx;
    volatile CompletableFuture<Long> detected = new CompletableFuture<>();
    final TestGates gates = new TestGates() {
        @Override
        public void event(io.sluice.model.flagger.Canary canary, String eventType, String message) {
            super.event(canary, eventType, message);
            if (message.startsWith("New revision detected!")) {
                detected.complete(System.nanoTime());
            }
        }
    };

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster().seed();
        vertx = Vertx.vertx();
        Controller controller = new Controller(
                cluster.client, Settings.defaults(), "test", gates, gates, gates, Clock.systemUTC(), () -> true);
        await(vertx.deployVerticle(controller));
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
        cluster.close();
    }

    /** Plays the Deployment controller until {@code condition} holds, failing after {@code deadline}. */
    void settleUntil(BooleanSupplier condition, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("condition not reached in " + deadline)
                    .isLessThan(end);
            cluster.settle();
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                    .get();
        }
    }

    @Test
    @DisplayName("a Deployment update is detected through the watch within the same interval, 20 times in a row")
    void detectsNewRevisionsFromTheWatch() throws Exception {
        settleUntil(
                () -> cluster.canary().getStatus() != null
                        && "Initialized".equals(cluster.canary().getStatus().phase),
                Duration.ofSeconds(30));

        List<Long> micros = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            detected = new CompletableFuture<>();
            long t0 = System.nanoTime();
            cluster.setImage("6.0." + i);
            long t1 = detected.get(15, TimeUnit.SECONDS);
            micros.add((t1 - t0) / 1_000);
            assertThat(cluster.canary().getStatus().phase).isEqualTo("Progressing");
        }
        assertThat(gates.events)
                .filteredOn(e -> e.startsWith("Normal New revision detected!"))
                .hasSize(20);
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        double median = (sorted.get(9) + sorted.get(10)) / 2.0 / 1000.0;
        String report = String.format(
                "detection latency (Deployment update -> New revision detected! Event),"
                        + " n=20: median %.1f ms, min %.1f ms, max %.1f ms%n",
                median, sorted.get(0) / 1000.0, sorted.get(19) / 1000.0);
        System.out.print(report);
        Files.writeString(Path.of("target", "detection-latency.txt"), report);
    }

    @Test
    @DisplayName("the analyzer neither lists nor watches ConfigMaps or Secrets: it does not cache the cluster's")
    void cachesNoConfigMapsOrSecrets() throws Exception {
        settleUntil(
                () -> cluster.canary().getStatus() != null
                        && "Initialized".equals(cluster.canary().getStatus().phase),
                Duration.ofSeconds(30));
        List<String> paths = new ArrayList<>();
        for (var r = cluster.server.takeRequest(1, TimeUnit.SECONDS);
                r != null;
                r = cluster.server.takeRequest(100, TimeUnit.MILLISECONDS)) {
            paths.add(r.getPath());
        }
        assertThat(paths).as("the informers did start").anyMatch(p -> p.contains("/deployments?"));
        assertThat(paths).noneMatch(p -> p.matches(".*/(configmaps|secrets)(\\?.*)?$"));
    }
}
