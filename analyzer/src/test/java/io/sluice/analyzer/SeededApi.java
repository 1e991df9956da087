package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;

import io.sluice.analyzer.kube.Kube;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.function.BooleanSupplier;

/** The mock API server holding the seed, with the Vert.x and worker pool that {@link Kube} runs its calls on. */
final class SeededApi implements AutoCloseable {
    final MockCluster cluster = new MockCluster().seed();
    final Vertx vertx = Vertx.vertx();
    final WorkerExecutor pool = vertx.createSharedWorkerExecutor(Controller.POOL, 2);

    Kube kube(BooleanSupplier leading) {
        return new Kube(cluster.client, pool, leading);
    }

    @Override
    public void close() {
        await(vertx.close());
        cluster.close();
    }
}
