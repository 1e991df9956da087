package io.sluice.bench;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.Executor;

/**
 * A watch's listener whose end runs off the mock server's event loop.
 *
 * <p>This exists because fabric8's watch listener (8.0.0), on {@code onClosed} and {@code onFailure}, shuts down the
 * thread that sends the watch's events and then waits up to a minute for it, on the event loop that called it; while
 * that sender waits, up to 30 s per event, for a WebSocket write only the same event loop can complete. Each closing
 * watch thus stopped the whole stand-in for up to 30 s, one after the other, and no request was answered for minutes.
 * Here those two callbacks run on {@code closer}, and the event loop returns at once. Before handing one off,
 * {@code detach} runs on the calling thread: the watch is taken out of the dispatcher's listeners there, so that no
 * write sends it an event once its sender is shut down (the mock would throw that write's event back at the writer).
 *
 * <p>Every other callback is forwarded on the calling thread, unchanged: {@code onBeforeAccept}, the messages and the
 * pings are the base class's no-ops; {@code onOpen} queues the current objects on the watch's sender without waiting
 * for it; {@code onClosing} only queues the close behind the sender's events, and stays first, before its
 * {@code onClosed}.
 */
final class OffLoopWatchClose extends WebSocketListener {
    private final WebSocketListener delegate;
    private final Executor closer;
    private final Runnable detach;

    OffLoopWatchClose(WebSocketListener delegate, Executor closer, Runnable detach) {
        this.delegate = delegate;
        this.closer = closer;
        this.detach = detach;
    }

    /** The listener this one forwards to. */
    WebSocketListener delegate() {
        return delegate;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
        delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
        delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
        delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        detach.run();
        closer.execute(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
        detach.run();
        closer.execute(() -> delegate.onFailure(webSocket, failure, response));
    }
}
