package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;

/**
 * Keeps the first bytes of a response body and drops the rest. Webhook and Prometheus addresses come from users'
 * objects; an endpoint that answers with gigabytes must not take the analyzer's memory with it.
 */
final class CappedBody implements WriteStream<Buffer> {
    private final int limit;
    private final Buffer kept = Buffer.buffer();
    private boolean truncated;

    CappedBody(int limit) {
        this.limit = limit;
    }

    /** A codec that streams the response into this body. */
    BodyCodec<Void> codec() {
        return BodyCodec.pipe(this);
    }

    /** The kept bytes as UTF-8 text. */
    String text() {
        return kept.toString();
    }

    /** True when bytes past the limit were dropped. */
    boolean truncated() {
        return truncated;
    }

    @Override
    public Future<Void> write(Buffer data) {
        int room = limit - kept.length();
        if (data.length() <= room) {
            kept.appendBuffer(data);
        } else {
            if (room > 0) {
                kept.appendBuffer(data, 0, room);
            }
            truncated = true;
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
        return Future.succeededFuture();
    }

    @Override
    public CappedBody exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public CappedBody setWriteQueueMaxSize(int maxSize) {
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return false;
    }

    @Override
    public CappedBody drainHandler(Handler<Void> handler) {
        return this;
    }
}
