package io.sluice.admission;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one of the admission service's status records ({@code admittedRevision}, {@code request}) into a Canary:
 * a JSON merge patch on {@code /status} through the {@link StatusWriter}, within a time budget. A record is a hint
 * for the analyzer, never a condition of the answer: the returned future always succeeds, and a write that fails or
 * runs out of its budget is logged and counted.
 */
final class StatusRecords {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRecords.class);

    /** The status field a record goes into, as the metrics' {@code field} label and the log name it. */
    enum Field {
        ADMITTED_REVISION("admittedRevision"),
        REQUEST("request");

        final String label;

        Field(String label) {
            this.label = label;
        }
    }

    private final StatusWriter writer;
    private final Duration budget;
    private final AdmissionMetrics metrics;

    StatusRecords(StatusWriter writer, Duration budget, AdmissionMetrics metrics) {
        this.writer = writer;
        this.budget = budget;
        this.metrics = metrics;
    }

    /**
     * Applies {@code mergePatch} to the status of Canary {@code namespace/name}.
     *
     * @param uid    the admission request the record comes from, for the log
     * @param detail what is recorded, for the log ({@code revision=… source=…})
     */
    Future<Void> write(String uid, String namespace, String name, Field field, String mergePatch, String detail) {
        String canary = namespace + "/" + name;
        Future<Void> write;
        try {
            write = writer.patchCanaryStatus(namespace, name, mergePatch);
        } catch (RuntimeException e) {
            write = Future.failedFuture(e);
        }
        return write.timeout(budget.toMillis(), TimeUnit.MILLISECONDS)
                .onSuccess(v -> {
                    metrics.statusWritten(field.label);
                    LOG.info("uid={} canary={} {} {} written", uid, canary, detail, field.label);
                })
                .recover(e -> {
                    metrics.statusWriteFailed(field.label);
                    LOG.warn(
                            "uid={} canary={} {} {} not written; the analyzer still sees the change it records: {}",
                            uid,
                            canary,
                            detail,
                            field.label,
                            e.toString());
                    return Future.succeededFuture();
                });
    }
}
