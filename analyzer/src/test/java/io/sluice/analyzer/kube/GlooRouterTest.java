package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.Routes;
import io.sluice.analyzer.testing.Seed;
import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.HttpMatch;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableSpec;
import io.sluice.model.gloo.RouteTableStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlooRouterTest {
    static final KubernetesSerialization JSON = Fixtures.SERIALIZATION;

    /** The seed's Canary, with the uid the API server would have given it. */
    static Canary canary() {
        Canary c = Seed.canary();
        c.getMetadata().setUid("uid-1");
        return c;
    }

    static RouteTable parent(RouteTableSpec.ObjectSelector selector) {
        RouteTable p = new RouteTable();
        p.setMetadata(new ObjectMeta());
        p.getMetadata().setName("podinfo");
        p.getMetadata().setNamespace("test");
        p.getMetadata().setLabels(Map.of("expose", "true"));
        p.setSpec(new RouteTableSpec());
        p.getSpec().hosts = List.of("podinfo.test.svc.cluster.local");
        RouteTableSpec.HttpRoute r = new RouteTableSpec.HttpRoute();
        if (selector != null) {
            r.delegate = new RouteTableSpec.DelegateAction();
            r.delegate.routeTables = List.of(selector);
        }
        p.getSpec().http = List.of(r);
        return p;
    }

    static RouteTableSpec.ObjectSelector byName(String name, String ns) {
        RouteTableSpec.ObjectSelector s = new RouteTableSpec.ObjectSelector();
        s.name = name;
        s.namespace = ns;
        return s;
    }

    static Stream<Arguments> resolutions() {
        RouteTableSpec.ObjectSelector byLabel = new RouteTableSpec.ObjectSelector();
        byLabel.labels = Map.of("canary", "podinfo");
        return Stream.of(
                Arguments.of(
                        "a parent that delegates by name names the delegate and its namespace",
                        canary(),
                        parent(byName("podinfo-delegate", "apps")),
                        "podinfo-delegate.apps",
                        null),
                Arguments.of(
                        "a delegate reference without a namespace lives in the parent's namespace",
                        canary(),
                        parent(byName("child", null)),
                        "child.test",
                        null),
                Arguments.of(
                        "a parent that selects children by label falls back to <service>-delegate",
                        canary(),
                        parent(byLabel),
                        "podinfo-delegate.test",
                        null),
                Arguments.of(
                        "a missing parent is a problem that says what to fix",
                        canary(),
                        null,
                        null,
                        "RouteTable podinfo.test not found: spec.routeTableRef must name"
                                + " the parent RouteTable that delegates to the RouteTable Sluice manages"),
                Arguments.of(
                        "a parent without a delegate route is a problem, not a null dereference",
                        canary(),
                        parent(null),
                        null,
                        "RouteTable podinfo.test has no delegate route: add an http"
                                + " route with delegate.routeTables naming the RouteTable Sluice manages, e.g."
                                + " podinfo-delegate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolutions")
    void resolves(String name, Canary canary, RouteTable parent, String key, String problem) {
        GlooRouter.Delegate d = GlooRouter.resolve(canary, parent);
        assertThat(d.problem()).isEqualTo(problem);
        if (key != null) {
            assertThat(d.key()).isEqualTo(key);
        }
    }

    @Test
    void aCanaryWithoutRouteTableRefIsRefusedInFlaggersWords() {
        Canary c = canary();
        c.getSpec().routeTableRef = null;
        assertThat(GlooRouter.resolve(c, null).problem())
                .isEqualTo(
                        "canary podinfo.test doesn't define a routeTableRef, required when using the 'gloo-mesh' provider");
    }

    static Stream<Arguments> delegates() {
        return Stream.of(Arguments.of(
                "the delegate copies the parent's labels, is controlled by the Canary, has no hosts"
                        + " and routes weighted-route to primary and canary on the service port",
                (Consumer<RouteTable>) t -> {
                    assertThat(t.getMetadata().getLabels()).containsEntry("expose", "true");
                    assertThat(t.getMetadata().getOwnerReferences())
                            .singleElement()
                            .satisfies(o -> assertThat(o.getController()).isTrue());
                    assertThat(t.getSpec().hosts).isNull();
                    assertThat(t.getSpec().virtualGateways).isNull();
                    RouteTableSpec.HttpRoute r = t.getSpec().http.get(0);
                    assertThat(r.name).isEqualTo("weighted-route");
                    assertThat(r.matchers).isNull();
                    assertThat(r.forwardTo.destinations)
                            .extracting(d -> d.ref.name + ":" + d.port.number + "=" + d.weight)
                            .containsExactly("podinfo-primary:9898=70", "podinfo-canary:9898=30");
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delegates")
    void builds(String name, Consumer<RouteTable> check) {
        Canary c = canary();
        RouteTable parent = parent(byName("podinfo-delegate", null));
        check.accept(GlooRouter.desired(c, parent, GlooRouter.resolve(c, parent), null, 70, 30));
    }

    @Test
    void abTestingPutsAMatchRouteAheadOfWeightedRoute() {
        Canary c = canary();
        c.getSpec().analysis.iterations = 10;
        HttpMatch m = new HttpMatch();
        m.headers = Map.of(
                "x-canary",
                HttpMatch.StringMatch.exact("insider"),
                "user-agent",
                HttpMatch.StringMatch.regex(".*Firefox.*"));
        c.getSpec().analysis.match = List.of(m);
        RouteTable parent = parent(byName("podinfo-delegate", null));
        RouteTable t = GlooRouter.desired(c, parent, GlooRouter.resolve(c, parent), null, 0, 100);
        assertThat(t.getSpec().http).extracting(r -> r.name).containsExactly("canary-match", "weighted-route");
        assertThat(t.getSpec().http.get(0).matchers.get(0).headers)
                .extracting(h -> h.name + "=" + h.value + "/" + h.regex)
                .containsExactlyInAnyOrder("x-canary=insider/null", "user-agent=.*Firefox.*/true");
        assertThat(t.getSpec().http.get(0).forwardTo.destinations)
                .extracting(d -> d.weight)
                .containsExactly(0, 100);
        assertThat(t.getSpec().http.get(1).forwardTo.destinations)
                .extracting(d -> d.weight)
                .containsExactly(100, 0);
        Routes seen = GlooRouter.observe(c, GlooRouter.resolve(c, parent), t, false);
        assertThat(seen.canary())
                .as("A/B weights are read from the match route")
                .isEqualTo(100);
    }

    @Test
    void aDelegateHandedBackSendsEverythingToTheApexServiceAndBelongsToNobody() {
        Canary c = canary();
        c.getSpec().analysis.iterations = 10;
        c.getSpec().analysis.match = List.of(new HttpMatch());
        RouteTable parent = parent(byName("podinfo-delegate", null));
        GlooRouter.Delegate where = GlooRouter.resolve(c, parent);
        RouteTable live = GlooRouter.desired(c, parent, where, null, 50, 50);
        assertThat(GlooRouter.observe(c, where, live, false).handedBack()).isFalse();
        RouteTable back = GlooRouter.handedBack(c, parent, where, live);
        assertThat(back.getSpec().http).singleElement().satisfies(r -> {
            assertThat(r.matchers).isNull();
            assertThat(r.forwardTo.destinations).singleElement().satisfies(d -> {
                assertThat(d.ref.name).isEqualTo("podinfo");
                assertThat(d.weight).isEqualTo(100);
            });
        });
        assertThat(back.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(GlooRouter.observe(c, where, back, false).handedBack()).isTrue();
    }

    @Test
    void aDelegateControlledBySomeoneElseIsLeftAlone() {
        Canary c = canary();
        RouteTable parent = parent(byName("podinfo-delegate", null));
        RouteTable live = GlooRouter.desired(c, parent, GlooRouter.resolve(c, parent), null, 100, 0);
        live.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withKind("Rollout")
                        .withName("podinfo")
                        .withController(true)
                        .build()));
        Routes seen = GlooRouter.observe(c, GlooRouter.resolve(c, parent), live, false);
        assertThat(seen.problem())
                .isEqualTo("RouteTable podinfo-delegate.test is controlled by Rollout podinfo, not"
                        + " by canary podinfo.test: Sluice leaves it alone");
    }

    @Test
    void aDelegateInAnotherNamespaceGetsNoOwnerReferenceButItsOwnershipIsStillRecognised() {
        Canary c = canary();
        RouteTable parent = parent(byName("podinfo-delegate", "routing"));
        GlooRouter.Delegate where = GlooRouter.resolve(c, parent);
        RouteTable live = GlooRouter.desired(c, parent, where, null, 100, 0);
        assertThat(live.getMetadata().getOwnerReferences())
                .as("the garbage collector would delete it")
                .isEmpty();
        assertThat(live.getMetadata().getAnnotations()).containsEntry(GlooRouter.OWNER_ANNOTATION, "test/podinfo");
        assertThat(GlooRouter.observe(c, where, live, false).problem())
                .as("ours")
                .isNull();
        assertThat(GlooRouter.same(live, GlooRouter.desired(c, parent, where, live, 100, 0), JSON))
                .isTrue();

        Canary other = canary();
        other.getMetadata().setNamespace("other");
        other.getSpec().routeTableRef = new CanarySpec.CrossNamespaceReference("podinfo", "test");
        assertThat(GlooRouter.observe(other, where, live, false).problem())
                .isEqualTo("RouteTable"
                        + " podinfo-delegate.routing is controlled by Canary test/podinfo, not by canary podinfo.other:"
                        + " Sluice leaves it alone");

        GlooRouter.release(live, c);
        assertThat(live.getMetadata().getAnnotations()).isNull();
    }

    @Test
    void aCanaryOwnerReferenceFromAnEarlierVersionIsReplacedByTheAnnotationAcrossNamespaces() {
        Canary c = canary();
        RouteTable parent = parent(byName("podinfo-delegate", "routing"));
        GlooRouter.Delegate where = GlooRouter.resolve(c, parent);
        RouteTable old = GlooRouter.desired(c, parent, where, null, 100, 0);
        old.getMetadata().setAnnotations(null);
        old.getMetadata().setOwnerReferences(List.of(Workloads.ownerRef(c)));
        RouteTable fixed = GlooRouter.desired(c, parent, where, old, 100, 0);
        assertThat(fixed.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(GlooRouter.same(old, fixed, JSON)).as("rewritten").isFalse();
        assertThat(GlooRouter.observe(c, where, old, false).problem())
                .as("still recognised as ours")
                .isNull();
    }

    static Stream<Arguments> acceptance() {
        return Stream.of(
                Arguments.of("no status counts as accepted by default", null, false, Routes.Acceptance.ACCEPTED),
                Arguments.of(
                        "no status holds the run when waiting is configured", null, true, Routes.Acceptance.PENDING),
                Arguments.of(
                        "an accepted current generation counts",
                        state(2L, "ACCEPTED"),
                        true,
                        Routes.Acceptance.ACCEPTED),
                Arguments.of(
                        "an accepted older generation is pending",
                        state(1L, "ACCEPTED"),
                        false,
                        Routes.Acceptance.PENDING),
                Arguments.of(
                        "an invalid current generation is rejected",
                        state(2L, "INVALID"),
                        false,
                        Routes.Acceptance.REJECTED));
    }

    static RouteTableStatus state(Long generation, String approval) {
        RouteTableStatus s = new RouteTableStatus();
        s.common = new RouteTableStatus.Common();
        s.common.state = new RouteTableStatus.State();
        s.common.state.observedGeneration = generation;
        s.common.state.approval = approval;
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptance")
    void judgesAcceptance(String name, RouteTableStatus status, boolean wait, Routes.Acceptance expected) {
        Canary c = canary();
        RouteTable parent = parent(byName("podinfo-delegate", null));
        RouteTable live = GlooRouter.desired(c, parent, GlooRouter.resolve(c, parent), null, 100, 0);
        live.getMetadata().setGeneration(2L);
        live.setStatus(status);
        Routes seen = GlooRouter.observe(c, GlooRouter.resolve(c, parent), live, wait);
        assertThat(seen.acceptance()).isEqualTo(expected);
        assertThat(seen.primary()).isEqualTo(100);
        assertThat(seen.canary()).isZero();
    }

    @Test
    void weightsThatDoNotSumTo100CannotBeAskedFor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new io.sluice.analyzer.decision.Action.SetRoutes(0, 0))
                .hasMessage("weights must sum to 100, got 0/0");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new io.sluice.analyzer.decision.Action.SetRoutes(70, 40))
                .hasMessage("weights must sum to 100, got 70/40");
    }
}
