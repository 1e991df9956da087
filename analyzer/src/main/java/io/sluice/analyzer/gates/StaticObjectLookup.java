package io.sluice.analyzer.gates;

import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link ObjectLookup} over objects held in memory: for tests, the sandbox, and anyone wiring the gates without a
 * cluster. Thread-safe; objects can be replaced while checks run.
 */
public final class StaticObjectLookup implements ObjectLookup {
    private final Map<String, MetricTemplate> templates = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();
    private final Map<String, AlertProvider> providers = new ConcurrentHashMap<>();

    public StaticObjectLookup putTemplate(MetricTemplate template) {
        templates.put(
                key(
                        template.getMetadata().getNamespace(),
                        template.getMetadata().getName()),
                template);
        return this;
    }

    public StaticObjectLookup putSecret(String namespace, String name, Map<String, String> data) {
        secrets.put(key(namespace, name), Map.copyOf(data));
        return this;
    }

    public StaticObjectLookup putAlertProvider(AlertProvider provider) {
        providers.put(
                key(
                        provider.getMetadata().getNamespace(),
                        provider.getMetadata().getName()),
                provider);
        return this;
    }

    @Override
    public Future<MetricTemplate> template(String namespace, String name) {
        return found(templates.get(key(namespace, name)), "metrictemplates.flagger.app", namespace, name);
    }

    @Override
    public Future<Map<String, String>> secretData(String namespace, String name) {
        return found(secrets.get(key(namespace, name)), "secrets", namespace, name);
    }

    @Override
    public Future<AlertProvider> alertProvider(String namespace, String name) {
        return found(providers.get(key(namespace, name)), "alertproviders.flagger.app", namespace, name);
    }

    private static <T> Future<T> found(T value, String resource, String namespace, String name) {
        return value != null
                ? Future.succeededFuture(value)
                : Future.failedFuture(resource + " \"" + name + "\" not found in namespace " + namespace);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
