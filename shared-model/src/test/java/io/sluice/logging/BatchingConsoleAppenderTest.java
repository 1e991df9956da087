package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {
    /** Records every write call, so that a test can tell one batch from a write per line. */
    static final class Writes extends ByteArrayOutputStream {
        final List<Integer> calls = new ArrayList<>();

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            calls.add(len);
            super.write(b, off, len);
        }

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }

    private final LoggerContext context = newContext();

    private static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        // Set by logback's service provider in a running service; a bare context in a test needs its own.
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        return context;
    }

    private final Writes out = new Writes();
    private BatchingConsoleAppender appender;

    /** An appender whose writer thread waits an hour between batches: the test decides when lines are written. */
    private BatchingConsoleAppender start(int queueSize) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender = new BatchingConsoleAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setFlushMillis((int) Duration.ofHours(1).toMillis());
        appender.setOutputStream(out);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        return appender;
    }

    private LoggingEvent event(String message, Object... args) {
        return new LoggingEvent("test", context.getLogger("test"), Level.INFO, message, null, args);
    }

    @AfterEach
    void stop() {
        if (appender != null) {
            appender.stop();
        }
    }

    @Test
    void linesQueueUntilTheWriterFlushesThemInOneWrite() {
        start(100);
        IntStream.range(0, 10).forEach(i -> appender.doAppend(event("line {}", i)));

        assertThat(out.calls).as("nothing is written on the caller's thread").isEmpty();
        appender.flush();

        assertThat(out.calls).hasSize(1);
        assertThat(out.text())
                .isEqualTo(
                        IntStream.range(0, 10).mapToObj(i -> "line " + i + "\n").reduce("", String::concat));
    }

    @Test
    void theMessageIsFixedWhenLoggedNotWhenWritten() {
        start(100);
        StringBuilder mutable = new StringBuilder("before");
        appender.doAppend(event("value {}", mutable));
        mutable.replace(0, mutable.length(), "after");

        appender.flush();

        assertThat(out.text()).isEqualTo("value before\n");
    }

    @Test
    void stoppingWritesEverythingStillQueued() {
        start(100);
        appender.doAppend(event("first"));
        appender.doAppend(event("last"));

        appender.stop();

        assertThat(out.text()).isEqualTo("first\nlast\n");
        appender.doAppend(event("after stop"));
        assertThat(out.text()).as("a stopped appender takes no more lines").isEqualTo("first\nlast\n");
    }

    @Test
    void aFullQueueMakesTheCallerWaitAndLosesNothing() throws Exception {
        start(4);

        java.util.concurrent.atomic.AtomicInteger mostQueued = new java.util.concurrent.atomic.AtomicInteger();
        Thread producer = new Thread(() -> IntStream.range(0, 12).forEach(i -> {
            appender.doAppend(event("n {}", i));
            mostQueued.accumulateAndGet(appender.queued(), Math::max);
        }));
        producer.start();
        producer.join(Duration.ofSeconds(20).toMillis());

        assertThat(producer.isAlive())
                .as("the producer finished once the writer made room")
                .isFalse();
        assertThat(mostQueued.get())
                .as("the queue never held more than its size")
                .isLessThanOrEqualTo(4);
        appender.flush();
        assertThat(out.text())
                .isEqualTo(IntStream.range(0, 12).mapToObj(i -> "n " + i + "\n").reduce("", String::concat));
        assertThat(out.calls)
                .as("the writer was woken to make room before the hour was up")
                .hasSizeGreaterThan(1);
    }

    @Test
    void anAppenderWithoutEncoderDoesNotStart() {
        BatchingConsoleAppender bare = new BatchingConsoleAppender();
        bare.setContext(context);
        bare.start();
        assertThat(bare.isStarted()).isFalse();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getMessage()).contains("no encoder"));
    }
}
