package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    @Test
    void theCachesFillWhileEveryServingEventLoopIsBusy() {
        api.client.resource(Fixtures.seedCanary()).create();
        Main.Platform platform = Main.Platform.create(1, api.client.getConfiguration());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        // The only serving event loop waits until the caches have filled: the list must be decoded elsewhere.
        platform.serving().runOnContext(v -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        InformerClusterView caches = new InformerClusterView(platform.client());
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            await(caches.start(), Duration.ofSeconds(20));
            assertThat(caches.canariesTargeting("test", "Deployment", "podinfo"))
                    .extracting(c -> c.getMetadata().getName())
                    .containsExactly("podinfo");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            release.countDown();
            caches.stop();
            platform.close();
        }
    }

    @Test
    void existenceCachesKeepKeysOnly() {
        RouteTable table = named(new RouteTable(), "test", "podinfo");
        table.setSpec(new io.sluice.model.gloo.RouteTableSpec());
        table.getSpec().weight = 7;
        api.client.resource(table).create();

        await(view.start());

        assertThat(view.routeTableExists("test", "podinfo")).isTrue();
        RouteTable kept = view.routeTables.getStore().getByKey("test/podinfo");
        assertThat(kept.getMetadata().getName()).isEqualTo("podinfo");
        assertThat(kept.getSpec()).isNull();
    }

    @Test
    void theCanaryCacheKeepsADigest() {
        Canary canary = Fixtures.seedCanary();
        canary.getMetadata().setAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"));
        api.client.resource(canary).create();

        await(view.start());

        List<Canary> found = view.canariesTargeting("test", "Deployment", "podinfo");
        assertThat(found).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("podinfo");
            assertThat(c.getMetadata().getAnnotations()).isNullOrEmpty();
            assertThat(c.getSpec().targetRef.name).isEqualTo("podinfo");
            assertThat(c.getSpec().analysis).isNull();
        });
    }

    @Test
    void theFirstListIsPaged() throws InterruptedException {
        await(view.start());

        List<String> lists = new ArrayList<>();
        for (RecordedRequest r = api.server.takeRequest(0, TimeUnit.SECONDS);
                r != null;
                r = api.server.takeRequest(0, TimeUnit.SECONDS)) {
            if ("GET".equals(r.getMethod()) && !r.getPath().contains("watch=true")) {
                lists.add(r.getPath());
            }
        }
        assertThat(lists)
                .filteredOn(p -> p.matches(".*/(canaries|routetables|metrictemplates|alertproviders)\\?.*"))
                .hasSize(4)
                .allSatisfy(p -> assertThat(p).contains("limit=500"));
    }

    @Test
    void aFailedListIsRetriedAlsoBeforeTheFirstSucceeded() {
        // fabric8's default stops an informer whose first list fails (say, timed out on a busy API server), and
        // the service would stay unready for good.
        assertThat(InformerClusterView.retry(false, new KubernetesClientException("list timed out")))
                .isTrue();
        assertThat(InformerClusterView.retry(true, new KubernetesClientException("watch closed")))
                .isTrue();
    }
}
