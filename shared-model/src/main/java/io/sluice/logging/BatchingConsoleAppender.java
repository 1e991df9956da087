package io.sluice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log lines to stdout in batches from a background thread. Kept because with logback's AsyncAppender
 * instead the service's throughput at 50 connections was 36-38 % of the bare endpoint's, under the 50 % goal,
 * against 54-60 % with this one (docs/benchmarks.md, 5 Dec 2026).
 *
 * <p>The service logs one line per admission
 * request, tens of thousands a second under load; an appender that wakes a writer thread for every line (logback's
 * AsyncAppender) or calls {@code write(2)} for every line costs a context switch or a system call per request on a
 * two-core machine. This one encodes the line on the caller's thread and queues its bytes: the writer wakes every
 * {@code flushMillis} (or when the queue is half full) and writes what has queued up with one call.
 *
 * <p>Queueing the encoded line rather than logback's event keeps the heap small under load: an event holds its
 * message, arguments, MDC and thread name, several times the bytes of the line, and every event still queued when
 * the young generation is collected is copied, and soon promoted to the old generation. At 20,000 requests a
 * second, queued events were most of what survived each young collection.
 *
 * <p>Nothing is dropped: when the queue is full the caller waits for the writer, as it would for a full stdout
 * pipe. A line appears at most {@code flushMillis} after it was logged, and everything queued is written when
 * logback stops ({@code Main} stops logback last when the JVM shuts down).
 *
 * <p>Settings ({@link LogConfigurator} sets them; a {@code logback.xml} can too): {@code encoder} (required),
 * {@code queueSize} (default 8192 lines), {@code flushMillis} (default 20).
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    /** One write call carries at most this many bytes: a long backlog is written in pieces, not one huge array. */
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Object writing = new Object();
    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private int flushMillis = 20;
    private OutputStream out = System.out;
    private volatile Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    Encoder<ILoggingEvent> encoder() {
        return encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setFlushMillis(int flushMillis) {
        this.flushMillis = flushMillis;
    }

    /** Where the lines go; stdout unless a test says otherwise. */
    void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        if (queueSize < 2 || flushMillis < 1) {
            addError("queueSize must be at least 2 and flushMillis at least 1 for appender " + name);
            return;
        }
        super.start();
        Thread t = new Thread(this::writeLoop, "log-writer-" + name);
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        Thread t = writer;
        writer = null;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
    }

    @Override
    protected void append(ILoggingEvent event) {
        byte[] line;
        try {
            line = encoder.encode(event);
        } catch (RuntimeException e) {
            addError("could not encode a log event", e);
            return;
        }
        while (queued.get() >= queueSize) {
            Thread t = writer;
            if (t == null) {
                flush();
            } else {
                LockSupport.unpark(t);
                LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
        queue.add(line);
        if (queued.incrementAndGet() == queueSize / 2) {
            Thread t = writer;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private void writeLoop() {
        while (writer == Thread.currentThread()) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(flushMillis));
            flush();
        }
    }

    /** Lines waiting for the writer. */
    int queued() {
        return queued.get();
    }

    /** Writes everything queued so far; called by the writer thread, at stop, and by tests. */
    void flush() {
        synchronized (writing) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream(8192);
            for (byte[] line = queue.poll(); line != null; line = queue.poll()) {
                queued.decrementAndGet();
                batch.writeBytes(line);
                if (batch.size() >= MAX_BATCH_BYTES) {
                    write(batch);
                }
            }
            write(batch);
        }
    }

    private void write(ByteArrayOutputStream batch) {
        if (batch.size() == 0) {
            return;
        }
        try {
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            addError("could not write log lines", e);
        }
        batch.reset();
    }
}
