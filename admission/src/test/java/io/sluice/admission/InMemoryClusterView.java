package io.sluice.admission;

import io.sluice.model.flagger.Canary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A cluster view for handler tests: objects are added by the test, lookups read them. */
final class InMemoryClusterView implements ClusterView {
    final List<Canary> canaries = new ArrayList<>();
    final Set<String> routeTables = new HashSet<>();
    final Set<String> metricTemplates = new HashSet<>();
    final Set<String> alertProviders = new HashSet<>();
    boolean synced = true;

    @Override
    public List<Canary> canariesTargeting(String namespace, String kind, String name) {
        return canaries.stream()
                .filter(c -> c.getMetadata().getNamespace().equals(namespace))
                .filter(c -> c.getSpec().targetRef.kind.equals(kind)
                        && c.getSpec().targetRef.name.equals(name))
                .toList();
    }

    @Override
    public boolean routeTableExists(String namespace, String name) {
        return routeTables.contains(namespace + "/" + name);
    }

    @Override
    public boolean metricTemplateExists(String namespace, String name) {
        return metricTemplates.contains(namespace + "/" + name);
    }

    @Override
    public boolean alertProviderExists(String namespace, String name) {
        return alertProviders.contains(namespace + "/" + name);
    }

    @Override
    public boolean synced() {
        return synced;
    }
}
