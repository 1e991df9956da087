package io.sluice.analyzer.gates;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The providers the analyzer queries, by type. A type not registered here is refused with the validator's reason. */
final class MetricsProviders {
    private final Map<String, MetricsProvider> byType = new LinkedHashMap<>();

    MetricsProviders(List<MetricsProvider> providers) {
        for (MetricsProvider p : providers) {
            if (byType.put(p.type(), p) != null) {
                throw new IllegalArgumentException("two providers of type " + p.type());
            }
        }
    }

    static MetricsProviders of(MetricsProvider... providers) {
        return new MetricsProviders(List.of(providers));
    }

    /** The provider of {@code type} (lower case), null when Sluice does not query it. */
    MetricsProvider get(String type) {
        return byType.get(type);
    }

    Set<String> types() {
        return byType.keySet();
    }
}
