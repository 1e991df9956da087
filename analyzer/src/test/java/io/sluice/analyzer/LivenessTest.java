package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /healthz} answers 503 once the controller stops making progress; the clock is the test's. */
class LivenessTest {
    final AtomicLong nanos = new AtomicLong();
    final Liveness liveness = new Liveness(nanos::get);
    Vertx vertx;
    HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = await(HealthServer.start(vertx, "127.0.0.1", 0, liveness, () -> true, () -> ""));
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    HttpResponse<String> healthz() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/healthz"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_standby_without_a_controller_is_alive() throws Exception {
        advance(Duration.ofHours(1));
        assertThat(healthz().statusCode()).isEqualTo(200);
    }

    @Test
    void an_event_loop_that_stopped_beating_fails_the_probe() throws Exception {
        liveness.beat();
        advance(Duration.ofSeconds(29));
        assertThat(healthz().statusCode()).isEqualTo(200);
        advance(Duration.ofSeconds(2));
        HttpResponse<String> wedged = healthz();
        assertThat(wedged.statusCode()).isEqualTo(503);
        assertThat(wedged.body()).isEqualTo("the controller's event loop has not run for 31s");
        liveness.beat();
        assertThat(healthz().statusCode()).as("beating again").isEqualTo(200);
        advance(Duration.ofMinutes(5));
        liveness.stopped();
        assertThat(healthz().statusCode()).as("stopped on purpose").isEqualTo(200);
    }

    @Test
    void a_reconcile_stuck_far_past_its_deadline_fails_the_probe() throws Exception {
        liveness.reconcileStarted("test/podinfo");
        for (int i = 0; i < 10; i++) {
            advance(Duration.ofMinutes(1));
            liveness.beat();
        }
        assertThat(healthz().statusCode()).isEqualTo(200);
        advance(Duration.ofSeconds(1));
        liveness.beat();
        HttpResponse<String> stuck = healthz();
        assertThat(stuck.statusCode()).isEqualTo(503);
        assertThat(stuck.body()).isEqualTo("the reconcile of test/podinfo has been running for 601s");
        liveness.reconcileEnded("test/podinfo");
        assertThat(healthz().statusCode()).isEqualTo(200);
    }
}
