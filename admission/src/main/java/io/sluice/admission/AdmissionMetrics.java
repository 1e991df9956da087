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
 * {@code sluice_admission_status_writes_total} and {@code sluice_admission_status_write_failures_total} (by status
 * {@code field}), {@code sluice_admission_runtime_requests_total}, {@code sluice_admission_failed_open_total} and
 * {@code sluice_admission_ca_publish_failures_total}.
 */
final class AdmissionMetrics {
    private final MeterRegistry registry;

    AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Registered up front, so that a scrape shows zeros before the first write.
        for (StatusRecords.Field field : StatusRecords.Field.values()) {
            statusWriteFailureCounter(field.label);
            statusWriteCounter(field.label);
        }
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

    /** A status record ({@code field}: admittedRevision or request) that failed or ran out of time. */
    void statusWriteFailed(String field) {
        statusWriteFailureCounter(field).increment();
    }

    /** A status record ({@code field}: admittedRevision or request) written. */
    void statusWritten(String field) {
        statusWriteCounter(field).increment();
    }

    double statusWriteFailures(String field) {
        return statusWriteFailureCounter(field).count();
    }

    double statusWrites(String field) {
        return statusWriteCounter(field).count();
    }

    private Counter statusWriteFailureCounter(String field) {
        return Counter.builder("sluice.admission.status.write.failures")
                .description("writes of the admission service's status records that failed or ran out of time")
                .tag("field", field)
                .register(registry);
    }

    private Counter statusWriteCounter(String field) {
        return Counter.builder("sluice.admission.status.writes")
                .description("writes of the admission service's status records that succeeded")
                .tag("field", field)
                .register(registry);
    }

    /**
     * One runtime request ({@code sluice.io/request}) judged: {@code action} is its action, {@code unknown} when
     * the value did not parse; {@code decision} is {@code accepted}, {@code duplicate}, {@code dry-run},
     * {@code denied} or {@code malformed}.
     */
    void runtimeRequest(String action, String decision) {
        runtimeRequestCounter(action, decision).increment();
    }

    double runtimeRequests(String action, String decision) {
        return runtimeRequestCounter(action, decision).count();
    }

    private Counter runtimeRequestCounter(String action, String decision) {
        return Counter.builder("sluice.admission.runtime.requests")
                .description("runtime requests (the sluice.io/request annotation) judged, by action and decision")
                .tag("action", action)
                .tag("decision", decision)
                .register(registry);
    }
}
