package io.sluice.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as seen through fabric8 informers over all namespaces. Canaries are indexed by
 * {@code namespace/kind/name} of their target, so finding the Canary of a Deployment on the request path is a map
 * lookup. Nothing here handles events: the handlers only read the caches. The caches keep only what the handlers
 * ask: a digest of each Canary ({@link CanaryDigestStore}) and the keys of RouteTables, MetricTemplates and
 * AlertProviders.
 */
final class InformerClusterView implements ClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(InformerClusterView.class);
    static final String BY_TARGET = "target";
    /**
     * Objects per page of the first list (and of every relist): the API server sends, and the client decodes, ten
     * thousand Canaries as twenty pages rather than one body held whole in memory at once.
     */
    static final long PAGE = 500;

    final SharedIndexInformer<Canary> canaries;
    final SharedIndexInformer<MetricTemplate> templates;
    final SharedIndexInformer<AlertProvider> providers;
    final SharedIndexInformer<RouteTable> routeTables;

    InformerClusterView(KubernetesClient client) {
        KubeCalls.registerModel(client);
        this.canaries = client.resources(Canary.class)
                .inAnyNamespace()
                .withIndexers(Map.of(BY_TARGET, InformerClusterView::targetKeys))
                .withLimit(PAGE)
                .runnableInformer(0)
                .itemStore(new CanaryDigestStore())
                .exceptionHandler(InformerClusterView::retry);
        this.templates = keysOnly(client, MetricTemplate.class, MetricTemplate::new);
        this.providers = keysOnly(client, AlertProvider.class, AlertProvider::new);
        this.routeTables = keysOnly(client, RouteTable.class, RouteTable::new);
    }

    /**
     * An informer that keeps only namespace, name and resourceVersion of each object: the handlers only ask whether
     * one exists.
     */
    private static <T extends HasMetadata> SharedIndexInformer<T> keysOnly(
            KubernetesClient client, Class<T> type, Supplier<T> empty) {
        return client.resources(type)
                .inAnyNamespace()
                .withLimit(PAGE)
                .runnableInformer(0)
                .itemStore(new KeyOnlyStore<>(empty))
                .exceptionHandler(InformerClusterView::retry);
    }

    /**
     * Every failed list or watch is tried again, with fabric8's backoff, also before the first list succeeded: a
     * first list that timed out (10,000 Canaries from a busy API server) would otherwise stop the informer for
     * good, and the service would stay unready until restarted by hand.
     */
    static boolean retry(boolean started, Throwable failure) {
        LOG.warn(
                "cache list or watch failed ({}), retrying: {}",
                started ? "after start" : "before start",
                failure.toString());
        return true;
    }

    static List<String> targetKeys(Canary canary) {
        if (canary.getSpec() == null || canary.getSpec().targetRef == null) {
            return List.of();
        }
        return List.of(targetKey(
                canary.getMetadata().getNamespace(), canary.getSpec().targetRef.kind, canary.getSpec().targetRef.name));
    }

    private static String targetKey(String namespace, String kind, String name) {
        return namespace + "/" + kind + "/" + name;
    }

    /** Starts every informer; completes when all have listed once, fails when one cannot start. */
    Future<Void> start() {
        return Future.all(List.of(
                        start("canaries", canaries), start("metrictemplates", templates),
                        start("alertproviders", providers), start("routetables", routeTables)))
                .mapEmpty();
    }

    private static Future<Void> start(String what, SharedIndexInformer<?> informer) {
        return Future.fromCompletionStage(informer.start())
                .onFailure(e -> LOG.error("cache of {} could not start: {}", what, e.toString()));
    }

    void stop() {
        List.of(canaries, templates, providers, routeTables).forEach(SharedIndexInformer::stop);
    }

    @Override
    public List<Canary> canariesTargeting(String namespace, String kind, String name) {
        return canaries.getIndexer().byIndex(BY_TARGET, targetKey(namespace, kind, name));
    }

    @Override
    public boolean routeTableExists(String namespace, String name) {
        return routeTables.getStore().getByKey(namespace + "/" + name) != null;
    }

    @Override
    public boolean metricTemplateExists(String namespace, String name) {
        return templates.getStore().getByKey(namespace + "/" + name) != null;
    }

    @Override
    public boolean alertProviderExists(String namespace, String name) {
        return providers.getStore().getByKey(namespace + "/" + name) != null;
    }

    @Override
    public boolean synced() {
        return canaries.hasSynced() && templates.hasSynced() && providers.hasSynced() && routeTables.hasSynced();
    }
}
