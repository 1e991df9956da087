package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.analyzer.testing.Seed;
import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RouteTableEventsTest {
    /** The seed's Canary (test/podinfo, parent test/podinfo) and a second one of the same namespace, other parent. */
    final Canary podinfo = Seed.canary();

    final Canary other = other();

    final RouteTable parent = Fixtures.example("routetable.yaml", RouteTable.class);

    static Canary other() {
        Canary c = Seed.canary();
        c.getMetadata().setName("other");
        c.getSpec().routeTableRef.name = "other";
        return c;
    }

    List<Canary> byParent(String key) {
        return Stream.of(podinfo, other)
                .filter(c -> RouteTableEvents.parentOf(c).contains(key))
                .toList();
    }

    List<RouteTable> parentsOf(String key) {
        return RouteTableEvents.delegatesOf(parent).contains(key) ? List.of(parent) : List.of();
    }

    static RouteTable routeTable(String ns, String name) {
        RouteTable rt = new RouteTable();
        rt.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withNamespace(ns)
                .withName(name)
                .build());
        return rt;
    }

    @Test
    @DisplayName("a parent's event concerns the Canaries routing through it, not the rest of its namespace")
    void aParentConcernsItsCanaries() {
        assertThat(RouteTableEvents.concerned(parent, this::byParent, this::parentsOf))
                .containsExactly("test/podinfo");
    }

    @Test
    @DisplayName("a delegate's event concerns the Canary that owns it, by reference or, across namespaces, by mark")
    void anOwnedDelegateConcernsItsOwner() {
        RouteTable delegate = routeTable("test", "podinfo-delegate");
        delegate.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withKind("Canary")
                        .withName("other")
                        .build()));
        assertThat(RouteTableEvents.concerned(delegate, this::byParent, this::parentsOf))
                .containsExactly("test/other");

        RouteTable elsewhere = routeTable("gloo", "podinfo-delegate");
        elsewhere.getMetadata().setAnnotations(Map.of(GlooRouter.OWNER_ANNOTATION, "test/podinfo"));
        assertThat(RouteTableEvents.concerned(elsewhere, this::byParent, this::parentsOf))
                .containsExactly("test/podinfo");
    }

    @Test
    @DisplayName("an unowned delegate concerns the Canaries whose parent names it; an unrelated RouteTable none")
    void anUnownedDelegateConcernsItsParentsCanaries() {
        assertThat(RouteTableEvents.concerned(routeTable("test", "podinfo-delegate"), this::byParent, this::parentsOf))
                .containsExactly("test/podinfo");
        assertThat(RouteTableEvents.concerned(routeTable("test", "unrelated"), this::byParent, this::parentsOf))
                .isEmpty();
    }

    @Test
    @DisplayName(
            "a delegate selector without a name or namespace is indexed as any RouteTable of the parent's namespace")
    void namelessSelectors() {
        RouteTable p = routeTable("gloo", "parent");
        p.setSpec(new io.sluice.model.gloo.RouteTableSpec());
        var route = new io.sluice.model.gloo.RouteTableSpec.HttpRoute();
        Fixtures.SERIALIZATION
                .clone(parent)
                .getSpec()
                .http
                .get(0)
                .delegate
                .routeTables
                .forEach(s -> {
                    s.name = null;
                    s.namespace = null;
                    route.delegate = new io.sluice.model.gloo.RouteTableSpec.DelegateAction();
                    route.delegate.routeTables = List.of(s);
                });
        p.getSpec().http = List.of(route);
        assertThat(RouteTableEvents.delegatesOf(p)).containsExactly("gloo/*");
        assertThat(RouteTableEvents.delegatesOf(parent)).containsExactly("test/podinfo-delegate");
    }
}
