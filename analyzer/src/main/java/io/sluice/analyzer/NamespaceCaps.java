package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.Namespace;
import io.sluice.analyzer.decision.ProgressBudget;
import io.sluice.model.WellKnown;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespaces' caps of the concurrency budget, read from their {@code sluice.io/max-progressing-canaries}
 * annotation in the Namespace cache. A value that is not a non-negative integer is ignored, and said once per
 * namespace and value: not on every reconcile that reads it.
 */
final class NamespaceCaps {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceCaps.class);

    private final Function<String, Namespace> lookup;
    /** {@code <namespace>=<value>} of every invalid value already logged. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    NamespaceCaps(Function<String, Namespace> lookup) {
        this.lookup = lookup;
    }

    /** No namespace has a cap (no Namespace cache, as in tests of single Canaries). */
    static NamespaceCaps none() {
        return new NamespaceCaps(ns -> null);
    }

    /** The cap of {@code namespace}; 0 when it has none. */
    int of(String namespace) {
        Namespace n = lookup.apply(namespace);
        Map<String, String> a = n == null ? null : n.getMetadata().getAnnotations();
        String value = a == null ? null : a.get(WellKnown.MAX_PROGRESSING_ANNOTATION);
        if (value == null) {
            return 0;
        }
        Integer cap = ProgressBudget.parseCap(value);
        if (cap == null) {
            if (warned.add(namespace + "=" + value)) {
                LOG.warn(
                        "namespace {}: annotation {}=\"{}\" is not a non-negative integer; the namespace has no cap"
                                + " of its own",
                        namespace,
                        WellKnown.MAX_PROGRESSING_ANNOTATION,
                        value);
            }
            return 0;
        }
        return cap;
    }

    /** The caps for Canaries of {@code namespaces}, on top of the cluster's {@code cluster}. */
    ProgressBudget.Caps caps(int cluster, Collection<String> namespaces) {
        Map<String, Integer> out = new HashMap<>();
        for (String ns : namespaces) {
            int cap = of(ns);
            if (cap > 0) {
                out.put(ns, cap);
            }
        }
        return new ProgressBudget.Caps(cluster, out);
    }
}
