package io.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The garbage collections of the benchmark's own process (the stand-in API server, Prometheus and webhooks) while they
 * are counted: a collection that stops the process stops every answer the analyzer waits for, and the stand-in's tick
 * lateness counts that as the analyzer's. Durations are the JVM's own per collection, as its GC notifications tell them.
 */
final class Pauses implements AutoCloseable {
    final LongAdder collections = new LongAdder();
    final LongAdder totalMs = new LongAdder();
    final AtomicLong maxMs = new AtomicLong();
    /** Collections that took a second or more. */
    final LongAdder overOneSecond = new LongAdder();

    private final List<Runnable> removals = new ArrayList<>();

    /** Counts from now on, until {@link #close}. */
    static Pauses count() {
        Pauses p = new Pauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                NotificationListener listener = (n, handback) -> p.observe(n);
                emitter.addNotificationListener(listener, null, null);
                p.removals.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (javax.management.ListenerNotFoundException e) {
                        // Already gone: nothing to remove.
                    }
                });
            }
        }
        return p;
    }

    private void observe(Notification n) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        record(info.getGcInfo().getDuration());
    }

    void record(long ms) {
        collections.increment();
        totalMs.add(ms);
        maxMs.accumulateAndGet(ms, Math::max);
        if (ms >= 1000) {
            overOneSecond.increment();
        }
    }

    String describe() {
        return String.format(
                "the benchmark process's garbage collections over the window: %d, %.1f s in all, the longest %.2f s,"
                        + " %d of a second or more",
                collections.sum(), totalMs.sum() / 1e3, maxMs.get() / 1e3, overOneSecond.sum());
    }

    @Override
    public void close() {
        removals.forEach(Runnable::run);
    }
}
