package io.sluice.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission service's own meters. Names are Prometheus-style once scraped:
 * {@code sluice_admission_requests_total}, {@code sluice_admission_request_duration_seconds} (a histogram),
 * {@code sluice_admission_status_write_failures_total}, {@code sluice_admission_failed_open_total} and
 * {@code sluice_admission_ca_publish_failures_total}.
 */
final class AdmissionMetrics {
    private final MeterRegistry registry;
    private final Counter statusWriteFailures;
    private final Counter statusWrites;

    AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.statusWriteFailures = Counter.builder("sluice.admission.status.write.failures")
                .description("admittedRevision writes to a Canary's status that failed or ran out of time")
                .register(registry);
        this.statusWrites = Counter.builder("sluice.admission.status.writes")
                .description("admittedRevision writes to a Canary's status that succeeded")
                .register(registry);
    }

    /** The meters of one combination of labels, built once: building and looking up meters per request costs. */
    private record Key(String webhook, String kind, String operation, String decision) {}

    private record Meters(Counter requests, Timer duration) {}

    private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();

    /** One answered request; {@code kind} is empty when the body could not be read far enough to know it. */
    void request(String webhook, String kind, String operation, String decision, Duration took) {
        Key key = new Key(
                webhook, kind.isEmpty() ? "unknown" : kind, operation.isEmpty() ? "unknown" : operation, decision);
        Meters m = meters.computeIfAbsent(key, this::register);
        m.requests().increment();
        m.duration().record(took);
    }

    private Meters register(Key key) {
        Counter requests = Counter.builder("sluice.admission.requests")
                .description("AdmissionReview requests answered, by webhook, kind, operation and decision")
                .tag("webhook", key.webhook())
                .tag("kind", key.kind())
                .tag("operation", key.operation())
                .tag("decision", key.decision())
                .register(registry);
        Timer duration = Timer.builder("sluice.admission.request.duration")
                .description("time from a complete request body to the answer")
                .tag("webhook", key.webhook())
                .tag("kind", key.kind())
                .tag("operation", key.operation())
                .publishPercentileHistogram()
                .serviceLevelObjectives(
                        Duration.ofMillis(1),
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(50),
                        Duration.ofMillis(250),
                        Duration.ofSeconds(1))
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        return new Meters(requests, duration);
    }

    /**
     * A review admitted unchanged because its handler failed ({@code cause=error}) or missed the deadline
     * ({@code cause=deadline}).
     */
    void failedOpen(String webhook, String cause) {
        failedOpenCounter(webhook, cause).increment();
    }

    double failedOpenCount(String webhook, String cause) {
        return failedOpenCounter(webhook, cause).count();
    }

    private Counter failedOpenCounter(String webhook, String cause) {
        return Counter.builder("sluice.admission.failed.open")
                .description("reviews admitted unchanged because the handler failed or missed the deadline")
                .tag("webhook", webhook)
                .tag("cause", cause)
                .register(registry);
    }

    /** Counts the certificate rounds whose CA bundle could not be published, as {@code certificates} reports them. */
    void caPublishFailures(ManagedCertificates certificates) {
        FunctionCounter.builder("sluice.admission.ca.publish.failures", certificates, c -> c.publishFailures())
                .description(
                        "certificate rounds whose CA bundle could not be published into the webhook configurations")
                .register(registry);
    }

    void statusWriteFailed() {
        statusWriteFailures.increment();
    }

    void statusWritten() {
        statusWrites.increment();
    }

    double statusWriteFailures() {
        return statusWriteFailures.count();
    }

    double statusWrites() {
        return statusWrites.count();
    }
}
