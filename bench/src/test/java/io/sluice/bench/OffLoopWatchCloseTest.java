package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A watch's end does not hold the thread that reports it; everything else reaches the watch on that thread. */
class OffLoopWatchCloseTest {
    /** A hang guard only: the assertions wait for conditions, not for time. */
    static final Duration HANG = Duration.ofSeconds(30);

    final ExecutorService closer = Executors.newCachedThreadPool();
    final Blocking delegate = new Blocking();
    final List<String> detached = new CopyOnWriteArrayList<>();
    final OffLoopWatchClose watch = new OffLoopWatchClose(delegate, closer, () -> detached.add("detached"));

    @AfterEach
    void stop() {
        delegate.release.countDown();
        closer.shutdownNow();
    }

    @Test
    void onClosedReturnsWhileTheWatchIsStillEnding() {
        endsOffTheCallingThread((w, s) -> w.onClosed(s, 1000, "bye"), "onClosed 1000 bye");
    }

    @Test
    void onFailureReturnsWhileTheWatchIsStillEnding() {
        endsOffTheCallingThread((w, s) -> w.onFailure(s, new IllegalStateException("reset"), null), "onFailure reset");
    }

    private void endsOffTheCallingThread(BiConsumer<WebSocketListener, WebSocket> end, String call) {
        assertTimeoutPreemptively(HANG, () -> {
            end.accept(watch, null);
            // Detached before the call returned, on the calling thread.
            assertThat(detached).containsExactly("detached");
            assertThat(delegate.entered.await(HANG.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
            assertThat(delegate.finished.getCount()).as("still blocked").isOne();
            assertThat(delegate.calls).containsExactly(call);
            assertThat(delegate.threads).doesNotContain(Thread.currentThread());

            delegate.release.countDown();
            assertThat(delegate.finished.await(HANG.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
        });
    }

    @Test
    void everyOtherCallbackIsForwardedOnTheCallingThread() {
        watch.onBeforeAccept(null, null);
        watch.onOpen(null, null);
        watch.onMessage(null, "text");
        watch.onMessage(null, new byte[] {1});
        watch.onMessage(null, (ByteString) null);
        watch.onPing(null, new byte[] {2});
        watch.onClosing(null, 1000, "closing");

        assertThat(delegate.calls)
                .containsExactly(
                        "onBeforeAccept",
                        "onOpen",
                        "onMessage text",
                        "onMessage bytes 1",
                        "onMessage ByteString",
                        "onPing 1",
                        "onClosing 1000 closing");
        assertThat(delegate.threads).containsOnly(Thread.currentThread());
        assertThat(detached).isEmpty();
        assertThat(watch.delegate()).isSameAs(delegate);
    }

    /** Records each call and its thread; its end blocks until released, as the mock's waits for its sender. */
    static final class Blocking extends WebSocketListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);

        private void called(String call) {
            calls.add(call);
            threads.add(Thread.currentThread());
        }

        private void blockUntilReleased() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finished.countDown();
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            called("onBeforeAccept");
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            called("onOpen");
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            called("onMessage " + text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            called("onMessage ByteString");
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            called("onMessage bytes " + bytes.length);
        }

        @Override
        public void onPing(WebSocket webSocket, byte[] bytes) {
            called("onPing " + bytes.length);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            called("onClosing " + code + " " + reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            called("onClosed " + code + " " + reason);
            blockUntilReleased();
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
            called("onFailure " + failure.getMessage());
            blockUntilReleased();
        }
    }
}
