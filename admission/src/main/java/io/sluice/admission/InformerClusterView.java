package io.sluice.admission;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as seen through fabric8 informers over all namespaces. Canaries are indexed by
 * {@code namespace/kind/name} of their target, so finding the Canary of a Deployment on the request path is a map
 * lookup. Nothing here handles events: the handlers only read the caches.
 */
final class InformerClusterView implements ClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(InformerClusterView.class);
    static final String BY_TARGET = "target";

    private final SharedIndexInformer<Canary> canaries;
    private final SharedIndexInformer<MetricTemplate> templates;
    private final SharedIndexInformer<AlertProvider> providers;
    private final SharedIndexInformer<RouteTable> routeTables;

    InformerClusterView(KubernetesClient client) {
        KubeCalls.registerModel(client);
        this.canaries = client.resources(Canary.class)
                .inAnyNamespace()
                .withIndexers(Map.of(BY_TARGET, InformerClusterView::targetKeys))
                .runnableInformer(0);
        this.templates = client.resources(MetricTemplate.class).inAnyNamespace().runnableInformer(0);
        this.providers = client.resources(AlertProvider.class).inAnyNamespace().runnableInformer(0);
        this.routeTables = client.resources(RouteTable.class).inAnyNamespace().runnableInformer(0);
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
