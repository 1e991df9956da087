package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;

import io.sluice.analyzer.kube.Kube;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The mock API server holding the seed, with the Vert.x and worker pool that {@link Kube} runs its calls on. A test
 * method that takes one as a parameter (with {@code @ExtendWith(SeededApi.PerTest.class)}) gets a fresh one, which
 * JUnit closes with the test's store after the test, as it closes every {@link AutoCloseable} kept there.
 */
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

    /** Hands each test method its own {@link SeededApi}. */
    static final class PerTest implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SeededApi.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getStore(ExtensionContext.Namespace.create(SeededApi.class, context.getUniqueId()))
                    .getOrComputeIfAbsent(SeededApi.class, k -> new SeededApi(), SeededApi.class);
        }
    }
}
