package io.sluice.analyzer.gates;

import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Future;
import java.util.Map;

/**
 * Reads the objects the gates need besides the Canary. The Kubernetes side implements it over its informer caches;
 * tests use {@link StaticObjectLookup}.
 *
 * <p>A future fails when the object does not exist or cannot be read; its message names the object (e.g.
 * {@code metrictemplates.flagger.app "latency" not found}) because it ends up in an Event.
 */
public interface ObjectLookup {

    /** The MetricTemplate {@code namespace/name}. */
    Future<MetricTemplate> template(String namespace, String name);

    /** The data of Secret {@code namespace/name}, values decoded from base64. */
    Future<Map<String, String>> secretData(String namespace, String name);

    /** The AlertProvider {@code namespace/name}. */
    Future<AlertProvider> alertProvider(String namespace, String name);
}
