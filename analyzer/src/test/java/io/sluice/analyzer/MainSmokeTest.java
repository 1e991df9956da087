package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The analyzer as started from its command line, against the mock API server: lease, health, metrics, bootstrap. */
class MainSmokeTest {
    MockCluster cluster;

    @AfterEach
    void stop() {
        cluster.close();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    void until(BooleanSupplier condition, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("condition not reached within " + deadline)
                    .isLessThan(end);
            cluster.settle();
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                    .get();
        }
    }

    static int get(String url) {
        try {
            return HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String body(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    @DisplayName("started from the command line it takes the lease, serves health and metrics, and bootstraps the seed")
    void runs(@TempDir Path dir) throws Exception {
        cluster = new MockCluster().seed();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(
                kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: mock
                  context: {cluster: mock, namespace: test, user: mock}
                current-context: mock
                users:
                - name: mock
                  user: {token: secret}
                """.formatted(cluster.client.getConfiguration().getMasterUrl()));
        int port = freePort();
        Thread main = new Thread(
                () -> new CommandLine(new Main())
                        .execute(
                                "--kubeconfig=" + kubeconfig,
                                "--listen-address=127.0.0.1",
                                "--port=" + port,
                                "--namespace=test",
                                "--leader-election-namespace=test",
                                "--lease-duration=15s",
                                "--lease-renew-deadline=10s",
                                "--lease-retry-period=1s"),
                "analyzer-main");
        main.setDaemon(true);
        main.start();

        String base = "http://127.0.0.1:" + port;
        until(() -> get(base + "/healthz") == 200, Duration.ofSeconds(30));
        until(
                () -> cluster.client
                                .leases()
                                .inNamespace("test")
                                .withName("sluice-analyzer-leader")
                                .get()
                        != null,
                Duration.ofSeconds(30));
        until(
                () -> cluster.canary().getStatus() != null
                        && "Initialized".equals(cluster.canary().getStatus().phase),
                Duration.ofSeconds(60));
        assertThat(get(base + "/readyz")).isEqualTo(200);
        String metrics = body(base + "/metrics");
        assertThat(metrics)
                .contains(
                        "flagger_info",
                        "sluice_leader 1.0",
                        "flagger_canary_status{name=\"podinfo\",namespace=\"test\"} 1.0");
        assertThat(metrics.lines().filter(l -> !l.startsWith("#") && l.contains("leader")))
                .as("one leader gauge, no second name for it")
                .containsExactly("sluice_leader 1.0");
        // The delegate is written by the actions after the status write: waited for, not raced.
        until(() -> cluster.delegate() != null, Duration.ofSeconds(10));
        // The default metrics server (http://prometheus:9090) is not there: reported while initializing (spec §6.6),
        // in Flagger's words, and the bootstrap went on regardless.
        until(
                () -> cluster.events().stream()
                        .anyMatch(e -> "Warning".equals(e.getType())
                                && e.getMessage()
                                        .startsWith("Error checking metric providers: prometheus not avaiable: ")),
                Duration.ofSeconds(10));
    }
}
