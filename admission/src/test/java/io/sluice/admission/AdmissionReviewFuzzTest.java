package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Any bytes as the body of a review, through what the endpoint does with them: read and check the review, hand the
 * request to the real handler, write the answer. Whatever the bytes, the outcome is a 4xx with a message or a
 * decision of the handler; no exception, and no 5xx, which would mean Sluice failed rather than judged.
 *
 * <p>{@code mvn test} replays the inputs kept under {@code AdmissionReviewFuzzTestInputs/<method>/}; {@code make
 * fuzz} fuzzes each method (see the admission README).
 */
class AdmissionReviewFuzzTest {
    /** Inputs per fuzzing run ({@code make fuzz}); a run also stops after its maxDuration. */
    static final long FUZZ_RUNS = 100_000;

    private static final Logger SLUICE = (Logger) LoggerFactory.getLogger("io.sluice");
    private static Level level;
    private static AdmissionHandler mutate;
    private static AdmissionHandler validate;

    @BeforeAll
    static void handlers() {
        // The status write logs a line per admitted revision: at a hundred thousand inputs that is the whole cost.
        level = SLUICE.getLevel();
        SLUICE.setLevel(Level.WARN);
        InMemoryClusterView cluster = new InMemoryClusterView();
        cluster.canaries.add(Fixtures.seedCanary("Succeeded", Fixtures.KUBECTL_OLD));
        cluster.canaries.add(Fixtures.canary("other", "other-app", "Progressing", "x"));
        cluster.synced = true;
        mutate = new MutatingHandler(
                cluster,
                (namespace, name, patch) -> Future.succeededFuture(),
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", "system:serviceaccount:sluice-system:sluice-analyzer"),
                Duration.ofSeconds(2),
                Clock.systemUTC(),
                Fixtures.metrics());
        validate = ValidatingHandlerTest.handler(cluster, Fixtures.runtimeRequests(), false);
    }

    @AfterAll
    static void restoreLogging() {
        SLUICE.setLevel(level);
    }

    @FuzzTest(maxExecutions = FUZZ_RUNS, maxDuration = "30m")
    void mutate(byte[] body) {
        answer(ReviewReader.DEPLOYMENTS, mutate, body);
    }

    @FuzzTest(maxExecutions = FUZZ_RUNS, maxDuration = "30m")
    void validate(byte[] body) {
        answer(ReviewReader.FULL, validate, body);
    }

    private static void answer(ReviewReader reader, AdmissionHandler handler, byte[] body) {
        AdmissionEndpoint.Reading reading = AdmissionEndpoint.read(reader, body, 0, body.length);
        if (reading instanceof AdmissionEndpoint.Rejected rejected) {
            assertThat(rejected.status()).isBetween(400, 499);
            assertThat(rejected.message()).isNotBlank();
            AdmissionEndpoint.reviewNode(
                    rejected.uid(), AdmissionResponse.errored(rejected.status(), rejected.message()));
            return;
        }
        AdmissionRequest request = ((AdmissionEndpoint.Accepted) reading).request();
        assertThat(request.uid()).isNotEmpty();
        AdmissionResponse response = Fixtures.await(handler.handle(request));
        assertThat(response).isNotNull();
        assertThat(response.code()).as(response.message()).isLessThan(500);
        assertThat(AdmissionEndpoint.reviewNode(request.uid(), response)
                        .path("response")
                        .path("uid")
                        .asString())
                .isEqualTo(request.uid());
    }
}
