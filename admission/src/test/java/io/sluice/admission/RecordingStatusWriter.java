package io.sluice.admission;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/** Records status writes; can be told to fail them or to never answer. */
final class RecordingStatusWriter implements StatusWriter {
    record Write(String namespace, String name, String mergePatch) {}

    enum Mode {
        SUCCEED,
        FAIL,
        HANG
    }

    final List<Write> writes = new ArrayList<>();
    Mode mode = Mode.SUCCEED;

    @Override
    public synchronized Future<Void> patchCanaryStatus(String namespace, String name, String mergePatch) {
        writes.add(new Write(namespace, name, mergePatch));
        return switch (mode) {
            case SUCCEED -> Future.succeededFuture();
            case FAIL -> Future.failedFuture(new IllegalStateException("the API server said 503"));
            case HANG -> Promise.<Void>promise().future();
        };
    }
}
