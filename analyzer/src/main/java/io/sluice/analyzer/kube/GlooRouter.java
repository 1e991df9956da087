package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.Routes;
import io.sluice.analyzer.decision.Texts;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.HttpMatch;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableAcceptance;
import io.sluice.model.gloo.RouteTableSpec;
import io.sluice.model.gloo.RouteTableSpec.DestinationReference;
import io.sluice.model.gloo.RouteTableSpec.HttpRoute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Gloo Mesh routing (gloo-mesh-api §2.2): the user's parent RouteTable delegates to a child that Sluice owns and
 * rewrites. The parent is only ever read. Pure: the reconciler does the I/O.
 */
public final class GlooRouter {
    /**
     * Names the owning Canary ({@code namespace/name}) on a delegate in another namespace: Kubernetes forbids
     * cross-namespace owner references (the garbage collector deletes such dependents), so ownership is marked here.
     */
    public static final String OWNER_ANNOTATION = "sluice.io/owner";

    /** The route that carries A/B traffic, ahead of {@code weighted-route}. */
    public static final String MATCH_ROUTE = "canary-match";

    private GlooRouter() {}

    /** Where the delegate lives, or why it cannot be managed. */
    public record Delegate(String name, String namespace, String problem) {
        public String key() {
            return name + "." + namespace;
        }
    }

    /** The parent's namespace: {@code routeTableRef.namespace}, else the Canary's. */
    public static String parentNamespace(Canary canary) {
        var ref = canary.getSpec().routeTableRef;
        return ref.namespace == null || ref.namespace.isEmpty()
                ? canary.getMetadata().getNamespace()
                : ref.namespace;
    }

    /** Finds the delegate the parent points at. */
    public static Delegate resolve(Canary canary, RouteTable parent) {
        String cn = canary.key();
        var ref = canary.getSpec().routeTableRef;
        if (ref == null || ref.name == null || ref.name.isEmpty()) {
            return new Delegate(null, null, Texts.noRouteTableRef(cn));
        }
        String parentKey = ref.name + "." + parentNamespace(canary);
        if (parent == null) {
            return new Delegate(null, null, Texts.parentRouteTableMissing(parentKey));
        }
        String fallback = CanaryDefaults.serviceName(canary.getSpec()) + "-delegate";
        if (parent.getSpec() != null && parent.getSpec().http != null) {
            for (HttpRoute r : parent.getSpec().http) {
                if (r.delegate != null && r.delegate.routeTables != null && !r.delegate.routeTables.isEmpty()) {
                    var sel = r.delegate.routeTables.get(0);
                    String name = sel.name == null || sel.name.isEmpty() ? fallback : sel.name;
                    String ns = sel.namespace == null || sel.namespace.isEmpty()
                            ? parent.getMetadata().getNamespace()
                            : sel.namespace;
                    return new Delegate(name, ns, null);
                }
            }
        }
        return new Delegate(null, null, Texts.noDelegateRoute(parentKey, fallback));
    }

    /** Why a live delegate must not be touched, or null: someone else controls it. */
    public static String foreignOwner(RouteTable live, Canary canary) {
        if (live == null) {
            return null;
        }
        Map<String, String> annotations = live.getMetadata().getAnnotations();
        String marked = annotations == null ? null : annotations.get(OWNER_ANNOTATION);
        if (marked != null && !marked.equals(ownerMark(canary))) {
            return Texts.delegateControlledBy(
                    live.getMetadata().getName() + "." + live.getMetadata().getNamespace(),
                    "Canary " + marked,
                    canary.key());
        }
        if (live.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference o : live.getMetadata().getOwnerReferences()) {
            // An owner reference names no namespace: the uid tells this Canary from a namesake elsewhere.
            String uid = canary.getMetadata().getUid();
            boolean ours = "Canary".equals(o.getKind())
                    && canary.getMetadata().getName().equals(o.getName())
                    && (uid == null || o.getUid() == null || uid.equals(o.getUid()));
            if (Boolean.TRUE.equals(o.getController()) && !ours) {
                return Texts.delegateControlledBy(
                        live.getMetadata().getName() + "." + live.getMetadata().getNamespace(),
                        o.getKind() + " " + o.getName(),
                        canary.key());
            }
        }
        return null;
    }

    private static boolean abTesting(Canary canary) {
        var a = canary.getSpec().effectiveAnalysis();
        return a != null && a.match != null && !a.match.isEmpty() && CanaryDefaults.iterations(a) > 0;
    }

    /** The delegate as it should be with these weights; metadata from the parent, owned by the Canary. */
    public static RouteTable desired(
            Canary canary, RouteTable parent, Delegate where, RouteTable live, int primary, int canaryWeight) {
        // Only the live metadata carries over (the spec is rebuilt, the status dropped), so only it is copied: a deep
        // copy of the whole object through JSON cost more than the rest of a tick's routing.
        RouteTable t = new RouteTable();
        ObjectMeta meta = live == null || live.getMetadata() == null
                ? new ObjectMeta()
                : new ObjectMetaBuilder(live.getMetadata()).build();
        meta.setName(where.name());
        meta.setNamespace(where.namespace());
        Map<String, String> labels = new LinkedHashMap<>();
        if (parent.getMetadata().getLabels() != null) {
            labels.putAll(parent.getMetadata().getLabels());
        }
        var apex = canary.getSpec().service == null ? null : canary.getSpec().service.apex;
        if (apex != null && apex.labels != null) {
            labels.putAll(apex.labels);
        }
        meta.setLabels(labels);
        List<OwnerReference> owners = new ArrayList<>();
        if (meta.getOwnerReferences() != null) {
            meta.getOwnerReferences().stream()
                    .filter(o -> !Boolean.TRUE.equals(o.getController()))
                    .forEach(owners::add);
        }
        Map<String, String> annotations =
                meta.getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getAnnotations());
        if (where.namespace().equals(canary.getMetadata().getNamespace())) {
            owners.add(Workloads.ownerRef(canary));
            annotations.remove(OWNER_ANNOTATION);
        } else {
            annotations.put(OWNER_ANNOTATION, ownerMark(canary));
        }
        meta.setOwnerReferences(owners);
        meta.setAnnotations(annotations.isEmpty() ? null : annotations);
        t.setMetadata(meta);
        t.setStatus(null);
        RouteTableSpec spec = new RouteTableSpec();
        spec.http = new ArrayList<>();
        String svc = CanaryDefaults.serviceName(canary.getSpec());
        String ns = canary.getMetadata().getNamespace();
        int port = canary.getSpec().service.port;
        if (abTesting(canary)) {
            HttpRoute match = new HttpRoute();
            match.name = MATCH_ROUTE;
            match.matchers = matchers(canary.getSpec().effectiveAnalysis().match);
            match.forwardTo = forward(svc, ns, port, primary, canaryWeight);
            spec.http.add(match);
            HttpRoute rest = new HttpRoute();
            rest.name = WellKnown.WEIGHTED_ROUTE;
            rest.forwardTo = forward(svc, ns, port, 100, 0);
            spec.http.add(rest);
        } else {
            HttpRoute weighted = new HttpRoute();
            weighted.name = WellKnown.WEIGHTED_ROUTE;
            weighted.forwardTo = forward(svc, ns, port, primary, canaryWeight);
            spec.http.add(weighted);
        }
        t.setSpec(spec);
        return t;
    }

    /**
     * The delegate a deleted Canary leaves behind: every request to the apex Service, released from the Canary. The
     * {@code -primary} and {@code -canary} Services and the primary Deployment are the Canary's and go with it; the
     * apex Service is restored to select the target's pods and released too, so it is the one destination that
     * outlives the Canary.
     */
    public static RouteTable handedBack(Canary canary, RouteTable parent, Delegate where, RouteTable live) {
        RouteTable t = desired(canary, parent, where, live, 100, 0);
        HttpRoute all = new HttpRoute();
        all.name = WellKnown.WEIGHTED_ROUTE;
        all.forwardTo = new RouteTableSpec.ForwardToAction();
        all.forwardTo.destinations = List.of(destination(
                CanaryDefaults.serviceName(canary.getSpec()),
                canary.getMetadata().getNamespace(),
                canary.getSpec().service.port,
                100));
        t.getSpec().http = new ArrayList<>(List.of(all));
        release(t, canary);
        return t;
    }

    /** The value of {@link #OWNER_ANNOTATION} for this Canary. */
    public static String ownerMark(Canary canary) {
        return canary.getMetadata().getNamespace() + "/" + canary.getMetadata().getName();
    }

    /** Drops this Canary's ownership (reference or annotation) from a delegate it leaves behind. */
    public static void release(RouteTable desired, Canary canary) {
        ObjectMeta meta = desired.getMetadata();
        if (meta.getOwnerReferences() != null) {
            meta.getOwnerReferences()
                    .removeIf(o -> "Canary".equals(o.getKind())
                            && canary.getMetadata().getName().equals(o.getName()));
        }
        if (meta.getAnnotations() != null
                && ownerMark(canary).equals(meta.getAnnotations().get(OWNER_ANNOTATION))) {
            Map<String, String> a = new LinkedHashMap<>(meta.getAnnotations());
            a.remove(OWNER_ANNOTATION);
            meta.setAnnotations(a.isEmpty() ? null : a);
        }
    }

    private static RouteTableSpec.ForwardToAction forward(String svc, String ns, int port, int primary, int canary) {
        RouteTableSpec.ForwardToAction f = new RouteTableSpec.ForwardToAction();
        f.destinations = List.of(
                destination(svc + "-primary", ns, port, primary), destination(svc + "-canary", ns, port, canary));
        return f;
    }

    private static DestinationReference destination(String name, String ns, int port, int weight) {
        DestinationReference d = new DestinationReference();
        d.ref = new RouteTableSpec.ObjectReference(name, ns);
        d.kind = "SERVICE";
        d.port = new RouteTableSpec.PortSelector();
        d.port.number = port;
        d.weight = weight;
        return d;
    }

    /** Flagger's match conditions in Gloo Mesh's matcher shape; prefix and suffix become anchored regexes. */
    static List<RouteTableSpec.HttpRequestMatcher> matchers(List<HttpMatch> matches) {
        List<RouteTableSpec.HttpRequestMatcher> out = new ArrayList<>();
        for (HttpMatch m : matches) {
            RouteTableSpec.HttpRequestMatcher r = new RouteTableSpec.HttpRequestMatcher();
            if (m.headers != null) {
                r.headers = new ArrayList<>();
                m.headers.forEach((name, sm) -> {
                    RouteTableSpec.HeaderMatcher h = new RouteTableSpec.HeaderMatcher();
                    h.name = name;
                    setValue(sm, v -> h.value = v, rx -> h.regex = rx);
                    r.headers.add(h);
                });
            }
            if (m.queryParams != null) {
                r.queryParameters = new ArrayList<>();
                m.queryParams.forEach((name, sm) -> {
                    RouteTableSpec.QueryParameterMatcher q = new RouteTableSpec.QueryParameterMatcher();
                    q.name = name;
                    setValue(sm, v -> q.value = v, rx -> q.regex = rx);
                    r.queryParameters.add(q);
                });
            }
            if (m.uri != null) {
                r.uri = new RouteTableSpec.StringMatch();
                r.uri.exact = m.uri.exact;
                r.uri.prefix = m.uri.prefix;
                r.uri.regex = m.uri.regex;
                if (m.uri.suffix != null) {
                    r.uri.regex = ".*" + Pattern.quote(m.uri.suffix);
                }
            }
            if (m.method != null && m.method.exact != null) {
                r.method = m.method.exact;
            }
            if (m.port != null) {
                r.port = m.port;
            }
            out.add(r);
        }
        return out;
    }

    private static void setValue(
            HttpMatch.StringMatch sm,
            java.util.function.Consumer<String> value,
            java.util.function.Consumer<Boolean> regex) {
        if (sm == null) {
            return;
        }
        if (sm.exact != null) {
            value.accept(sm.exact);
        } else if (sm.regex != null) {
            value.accept(sm.regex);
            regex.accept(true);
        } else if (sm.prefix != null) {
            value.accept(Pattern.quote(sm.prefix) + ".*");
            regex.accept(true);
        } else if (sm.suffix != null) {
            value.accept(".*" + Pattern.quote(sm.suffix));
            regex.accept(true);
        }
    }

    /** True when the live delegate already matches {@code desired} (spec, labels, owners). */
    public static boolean same(RouteTable live, RouteTable desired, KubernetesSerialization json) {
        return Objects.equals(json.asJson(live.getSpec()), json.asJson(desired.getSpec()))
                && Objects.equals(
                        live.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && Objects.equals(ownerAnnotation(live), ownerAnnotation(desired))
                && Objects.equals(
                        live.getMetadata().getOwnerReferences(),
                        desired.getMetadata().getOwnerReferences());
    }

    private static String ownerAnnotation(RouteTable t) {
        Map<String, String> a = t.getMetadata().getAnnotations();
        return a == null ? null : a.get(OWNER_ANNOTATION);
    }

    /** The decision's view of the delegate. */
    public static Routes observe(Canary canary, Delegate where, RouteTable live, boolean waitWhenNoStatus) {
        if (where.problem() != null) {
            return Routes.broken(where.problem());
        }
        String foreign = foreignOwner(live, canary);
        if (foreign != null) {
            return Routes.broken(foreign);
        }
        if (live == null) {
            return new Routes(null, null, null, Routes.Acceptance.PENDING, null, where.key(), false);
        }
        String svc = CanaryDefaults.serviceName(canary.getSpec());
        String routeName = abTesting(canary) ? MATCH_ROUTE : WellKnown.WEIGHTED_ROUTE;
        Integer primary = null;
        Integer canaryW = null;
        boolean apexOnly = live.getSpec() != null
                && live.getSpec().http != null
                && !live.getSpec().http.isEmpty();
        if (live.getSpec() != null && live.getSpec().http != null) {
            for (HttpRoute r : live.getSpec().http) {
                apexOnly &= r.forwardTo != null
                        && r.forwardTo.destinations != null
                        && !r.forwardTo.destinations.isEmpty()
                        && r.forwardTo.destinations.stream().allMatch(d -> d.ref != null && svc.equals(d.ref.name));
                if (routeName.equals(r.name) && r.forwardTo != null && r.forwardTo.destinations != null) {
                    primary = 0;
                    canaryW = 0;
                    for (DestinationReference d : r.forwardTo.destinations) {
                        int w = d.weight == null ? 0 : d.weight;
                        if (d.ref != null && (svc + "-primary").equals(d.ref.name)) {
                            primary = w;
                        } else if (d.ref != null && (svc + "-canary").equals(d.ref.name)) {
                            canaryW = w;
                        }
                    }
                }
            }
        }
        RouteTableAcceptance acc = RouteTableAcceptance.of(live);
        Routes.Acceptance a = switch (acc.verdict()) {
            case ACCEPTED -> Routes.Acceptance.ACCEPTED;
            case REJECTED -> Routes.Acceptance.REJECTED;
            case PENDING -> Routes.Acceptance.PENDING;
            case NO_STATUS -> waitWhenNoStatus ? Routes.Acceptance.PENDING : Routes.Acceptance.ACCEPTED;
        };
        return new Routes(null, primary, canaryW, a, acc.message(), where.key(), apexOnly);
    }
}
