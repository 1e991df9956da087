package io.sluice.cli.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.control.RuntimeAction;
import io.sluice.model.control.RuntimeRequest;
import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The Argo CD health check and resource actions, run with LuaJ against a status fixture of every phase. */
class ArgoCdLuaTest {

    /** How the request fields stand in a fixture. */
    enum Requests {
        /** No request was ever made. */
        NONE,
        /** A pause of the run in progress, carried out: the run is paused. */
        PAUSED,
        /** A pause of the run in progress, admitted, not carried out yet. */
        PAUSING,
        /** A pause of an earlier revision, carried out: it does not hold this run. */
        PAUSED_EARLIER_RUN,
        /** A pause the analyzer rejected. */
        PAUSE_REJECTED,
        /** A promote, carried out. */
        PROMOTED
    }

    static Canary canary(CanaryPhase phase, Requests requests) {
        Canary c = new Canary();
        c.setMetadata(new ObjectMetaBuilder()
                .withName("podinfo")
                .withNamespace("test")
                .withResourceVersion("42")
                .build());
        c.setSpec(new CanarySpec());
        if (phase == null) {
            return c;
        }
        CanaryStatus s = new CanaryStatus();
        s.phase = phase.name();
        s.canaryWeight = 30;
        s.lastAppliedSpec = "rev2";
        s.lastPromotedSpec = "rev1";
        s.currentRun = new CanaryStatus.CurrentRun();
        s.currentRun.revision = "rev2";
        CanaryCondition promoted = new CanaryCondition();
        promoted.type = "Promoted";
        promoted.status = "Unknown";
        promoted.reason = phase.name();
        promoted.message = "condition message of " + phase;
        s.conditions = List.of(promoted);
        if (requests != Requests.NONE) {
            s.request = new CanaryStatus.RecordedRequest();
            s.request.action = requests == Requests.PROMOTED ? "promote" : "pause";
            s.request.revision = requests == Requests.PAUSED_EARLIER_RUN ? "rev1" : "rev2";
            s.request.uid = "uid-1";
            s.request.user = "bob";
            s.request.source = "argocd";
            if (requests != Requests.PAUSING) {
                s.requestHandled = new CanaryStatus.HandledRequest();
                s.requestHandled.uid = "uid-1";
                s.requestHandled.action = s.request.action;
                s.requestHandled.revision = s.request.revision;
                s.requestHandled.outcome = requests == Requests.PAUSE_REJECTED ? "rejected" : "done";
            }
        }
        c.setStatus(s);
        return c;
    }

    static Stream<Arguments> fixtures() {
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of(null, Requests.NONE));
        for (CanaryPhase phase : CanaryPhase.values()) {
            for (Requests r : Requests.values()) {
                all.add(Arguments.of(phase, r));
            }
        }
        return all.stream();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** Discovery offers exactly the actions the admission webhook would admit (RuntimeRequests.judge). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixtures")
    void discoveryOffersWhatAdmissionAccepts(CanaryPhase phase, Requests requests) {
        Canary c = canary(phase, requests);

        Map<String, Object> actions = map(ArgoCdLua.run("discovery.lua", c));

        assertThat(actions).containsOnlyKeys("promote", "abort", "retry", "pause", "resume");
        for (RuntimeAction action : RuntimeAction.values()) {
            boolean accepted = RuntimeRequests.judge(new RuntimeRequest(action, null), c.getStatus())
                    instanceof RuntimeRequests.Verdict.Accepted;
            assertThat(map(actions.get(action.wireName())))
                    .as("%s in %s/%s", action, phase, requests)
                    .containsEntry("disabled", !accepted);
        }
    }

    /** Each action writes the request the plugin would: the resolved revision and a fresh id. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixtures")
    void actionsWriteTheRequestAnnotations(CanaryPhase phase, Requests requests) {
        Canary c = canary(phase, requests);
        for (RuntimeAction action : RuntimeAction.values()) {
            if (!(RuntimeRequests.judge(new RuntimeRequest(action, null), c.getStatus())
                    instanceof RuntimeRequests.Verdict.Accepted accepted)) {
                continue;
            }

            Map<String, Object> result = map(ArgoCdLua.runAction(action.wireName(), c));

            Map<String, Object> annotations = map(map(result.get("metadata")).get("annotations"));
            assertThat(annotations)
                    .as("%s in %s/%s", action, phase, requests)
                    .containsEntry("sluice.io/request", action.wireName() + "@" + accepted.revision())
                    .containsEntry("sluice.io/request-id", "argocd-" + ArgoCdLua.NOW + "-42");
            assertThat(RuntimeRequests.judge(
                            RuntimeRequest.parse((String) annotations.get("sluice.io/request")), c.getStatus()))
                    .isInstanceOf(RuntimeRequests.Verdict.Accepted.class);
            // The rest of the object comes back as it was.
            assertThat(map(result.get("status")).get("phase")).isEqualTo(phase.name());
            assertThat(map(result.get("metadata")).get("name")).isEqualTo("podinfo");
        }
    }

    @Test
    void actionsKeepTheOtherAnnotations() {
        Canary c = canary(CanaryPhase.Progressing, Requests.NONE);
        c.getMetadata().setAnnotations(Map.of("team", "payments"));

        Map<String, Object> result = map(ArgoCdLua.runAction("abort", c));

        assertThat(map(map(result.get("metadata")).get("annotations")))
                .containsEntry("team", "payments")
                .containsEntry("sluice.io/request", "abort@rev2");
    }

    @Test
    void retryNamesTheFailedRevisionEvenWhenCurrentRunNamesAnother() {
        Canary c = canary(CanaryPhase.Failed, Requests.NONE);
        c.getStatus().lastAppliedSpec = "rev3";

        Map<String, Object> result = map(ArgoCdLua.runAction("retry", c));

        assertThat(map(map(result.get("metadata")).get("annotations")))
                .containsEntry("sluice.io/request", "retry@rev3");
    }

    static String expectedHealth(CanaryPhase phase) {
        if (phase == null) {
            return "Progressing";
        }
        return switch (phase) {
            case Initialized, Succeeded -> "Healthy";
            case Failed -> "Degraded";
            case Initializing, Waiting, Progressing, WaitingPromotion, Promoting, Finalising, Terminating ->
                "Progressing";
            case Terminated -> "Unknown";
        };
    }

    @ParameterizedTest
    @EnumSource(CanaryPhase.class)
    void healthOfEveryPhase(CanaryPhase phase) {
        Map<String, Object> hs = map(ArgoCdLua.run("health.lua", canary(phase, Requests.NONE)));

        assertThat(hs.get("status")).isEqualTo(expectedHealth(phase));
        switch (phase) {
            case Initialized, Succeeded, Failed ->
                assertThat(hs.get("message")).isEqualTo("condition message of " + phase);
            case Initializing, Waiting, Progressing, WaitingPromotion, Promoting, Finalising ->
                assertThat(hs.get("message")).isEqualTo(phase + ", canary weight 30%: condition message of " + phase);
            case Terminating ->
                assertThat(hs.get("message")).isEqualTo("Canary is being deleted and its target restored");
            case Terminated -> assertThat(hs.get("message")).isEqualTo("Unknown canary phase Terminated");
        }
    }

    @Test
    void healthWithoutStatusOrConditions() {
        Map<String, Object> none = map(ArgoCdLua.run("health.lua", canary(null, Requests.NONE)));
        Canary failed = canary(CanaryPhase.Failed, Requests.NONE);
        failed.getStatus().conditions = null;
        Map<String, Object> bare = map(ArgoCdLua.run("health.lua", failed));

        assertThat(none).containsEntry("status", "Progressing");
        assertThat(none.get("message")).isEqualTo("Waiting for Sluice to initialize the canary");
        assertThat(bare).containsEntry("status", "Degraded").containsEntry("message", "Canary analysis failed");
    }

    /** A run held by a pause is Suspended; a pause still pending, rejected, or of an earlier run is not. */
    @ParameterizedTest
    @EnumSource(
            value = CanaryPhase.class,
            names = {"Waiting", "Progressing", "WaitingPromotion"})
    void healthOfAPausedRun(CanaryPhase phase) {
        Map<String, Object> paused = map(ArgoCdLua.run("health.lua", canary(phase, Requests.PAUSED)));

        assertThat(paused)
                .containsEntry("status", "Suspended")
                .containsEntry("message", "Paused by bob via argocd at canary weight 30%");
        for (Requests notHeld : List.of(Requests.PAUSING, Requests.PAUSE_REJECTED, Requests.PAUSED_EARLIER_RUN)) {
            Canary c = canary(phase, notHeld);
            assertThat(RuntimeRequests.paused(c.getStatus())).isFalse();
            assertThat(map(ArgoCdLua.run("health.lua", c))).as("%s", notHeld).containsEntry("status", "Progressing");
        }
    }

    @Test
    void healthOfASuspendedSpec() {
        Canary c = canary(CanaryPhase.Progressing, Requests.NONE);
        c.getSpec().suspend = true;

        assertThat(map(ArgoCdLua.run("health.lua", c)))
                .containsEntry("status", "Suspended")
                .containsEntry("message", "Suspended (spec.suspend) in phase Progressing at canary weight 30%");
    }
}
