package io.sluice.admission;

import io.sluice.model.flagger.Canary;
import java.util.List;

/**
 * What the handlers know about other objects in the cluster. Answers come from informer caches: no call here may
 * reach the API server, because it runs on the request path.
 */
interface ClusterView {

    /** Canaries in {@code namespace} whose {@code spec.targetRef} names {@code kind}/{@code name}. */
    List<Canary> canariesTargeting(String namespace, String kind, String name);

    boolean routeTableExists(String namespace, String name);

    boolean metricTemplateExists(String namespace, String name);

    boolean alertProviderExists(String namespace, String name);

    /** True once every cache holds a complete list; before that, a missing object proves nothing. */
    boolean synced();
}
