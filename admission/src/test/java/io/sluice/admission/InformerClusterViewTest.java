package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The caches against the mock API server: sync, the target index, and lookups by namespace and name. */
class InformerClusterViewTest {
    MockApiServer api = new MockApiServer();
    InformerClusterView view = new InformerClusterView(api.client);

    @AfterEach
    void tearDown() {
        view.stop();
        api.close();
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(T object, String ns, String name) {
        object.setMetadata(
                new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        return object;
    }

    @Test
    void theCachesSyncAndAnswerFromMemory() {
        assertThat(view.synced()).isFalse();
        api.client.resource(Fixtures.seedCanary()).create();
        api.client.resource(named(new RouteTable(), "test", "podinfo")).create();

        await(view.start());

        assertThat(view.synced()).isTrue();
        assertThat(view.canariesTargeting("test", "Deployment", "podinfo"))
                .extracting(c -> c.getMetadata().getName())
                .containsExactly("podinfo");
        assertThat(view.canariesTargeting("other", "Deployment", "podinfo")).isEmpty();
        assertThat(view.routeTableExists("test", "podinfo")).isTrue();
        assertThat(view.metricTemplateExists("test", "latency")).isFalse();

        api.client.resource(named(new MetricTemplate(), "test", "latency")).create();
        api.client.resource(named(new AlertProvider(), "ops", "slack")).create();
        MockApiServer.waitFor(
                "the watch to deliver the new objects",
                Duration.ofSeconds(10),
                () -> view.metricTemplateExists("test", "latency") && view.alertProviderExists("ops", "slack"));
    }
}
