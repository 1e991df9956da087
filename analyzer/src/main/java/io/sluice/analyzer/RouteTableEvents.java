package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableSpec.HttpRoute;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which Canaries a RouteTable event concerns: those whose parent it is, the one owning it as a delegate, and, for a
 * delegate nobody owns yet, those whose parent delegates to it. Gloo Mesh writes the status of every delegate it
 * accepts, so enqueueing every Canary of the namespace on each event would cost one reconcile per Canary per event:
 * quadratic in the Canaries of a namespace.
 */
final class RouteTableEvents {
    /** A delegate selector without a name: the Canary's default name applies, so any RouteTable of that namespace. */
    static final String ANY_NAME = "*";

    private RouteTableEvents() {}

    /** {@code <namespace>/<name>} of the parent RouteTable {@code c} names, or none. */
    static List<String> parentOf(Canary c) {
        var ref = c.getSpec() == null ? null : c.getSpec().routeTableRef;
        if (ref == null || ref.name == null || ref.name.isEmpty()) {
            return List.of();
        }
        return List.of(GlooRouter.parentNamespace(c) + "/" + ref.name);
    }

    /** {@code <namespace>/<name>} of each RouteTable {@code rt} delegates to ({@link #ANY_NAME} for a nameless one). */
    static List<String> delegatesOf(RouteTable rt) {
        if (rt.getSpec() == null || rt.getSpec().http == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (HttpRoute r : rt.getSpec().http) {
            if (r.delegate == null || r.delegate.routeTables == null) {
                continue;
            }
            for (var sel : r.delegate.routeTables) {
                String ns = sel.namespace == null || sel.namespace.isEmpty()
                        ? rt.getMetadata().getNamespace()
                        : sel.namespace;
                out.add(ns + "/" + (sel.name == null || sel.name.isEmpty() ? ANY_NAME : sel.name));
            }
        }
        return out;
    }

    /**
     * The work-queue keys of the Canaries {@code rt}'s event concerns.
     *
     * @param byParent  the Canaries whose parent is {@code <namespace>/<name>}
     * @param parentsOf the RouteTables that delegate to {@code <namespace>/<name>} (or {@link #ANY_NAME})
     */
    static Set<String> concerned(
            RouteTable rt, Function<String, List<Canary>> byParent, Function<String, List<RouteTable>> parentsOf) {
        String ns = rt.getMetadata().getNamespace();
        String self = ns + "/" + rt.getMetadata().getName();
        Set<String> keys = new LinkedHashSet<>();
        byParent.apply(self).forEach(c -> keys.add(Controller.key(c)));
        Set<String> owners = owners(rt);
        keys.addAll(owners);
        if (owners.isEmpty()) {
            // Not ours (yet): a foreign delegate, or one created before its owner was set. Its parents' Canaries
            // decide whether to take it over or halt.
            for (String delegate : List.of(self, ns + "/" + ANY_NAME)) {
                for (RouteTable parent : parentsOf.apply(delegate)) {
                    byParent.apply(Controller.key(parent)).forEach(c -> keys.add(Controller.key(c)));
                }
            }
        }
        return keys;
    }

    /** The Canaries that mark {@code rt} as theirs: an owner reference (same namespace) or the owner annotation. */
    private static Set<String> owners(RouteTable rt) {
        Set<String> out = new LinkedHashSet<>();
        List<OwnerReference> refs = rt.getMetadata().getOwnerReferences();
        if (refs != null) {
            refs.stream()
                    .filter(o -> "Canary".equals(o.getKind()))
                    .forEach(o -> out.add(rt.getMetadata().getNamespace() + "/" + o.getName()));
        }
        Map<String, String> annotations = rt.getMetadata().getAnnotations();
        String mark = annotations == null ? null : annotations.get(GlooRouter.OWNER_ANNOTATION);
        if (mark != null && mark.indexOf('/') > 0) {
            out.add(mark);
        }
        return out;
    }
}
