package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flagger's Deployment readiness rules and texts (spec §3.6). */
class ReadinessTest {

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of(
                        "a finished rollout is ready",
                        new Workload("r", 2, null, 3, 3, 2, 2, 2, false),
                        100,
                        Readiness.State.READY,
                        ""),
                Arguments.of(
                        "a generation not yet observed is a wait",
                        new Workload("r", 2, null, 4, 3, 2, 2, 2, false),
                        100,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: observed deployment generation"
                                + " less than desired generation"),
                Arguments.of(
                        "Kubernetes' own progress deadline cannot get better",
                        new Workload("r", 2, null, 3, 3, 1, 2, 1, true),
                        100,
                        Readiness.State.STUCK,
                        "deployment \"podinfo\" exceeded its progress deadline"),
                Arguments.of(
                        "replicas not yet updated are a wait",
                        new Workload("r", 2, null, 3, 3, 0, 2, 0, false),
                        100,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: 0 out of 2 new replicas have" + " been updated"),
                Arguments.of(
                        "old replicas still running are a wait",
                        new Workload("r", 2, null, 3, 3, 2, 3, 2, false),
                        100,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: 1 old replicas are pending" + " termination"),
                Arguments.of(
                        "too few available replicas for the threshold are a wait",
                        new Workload("r", 4, null, 3, 3, 4, 4, 2, false),
                        75,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: 2 of 3 (readyThreshold 75%) updated replicas are available"),
                Arguments.of(
                        "the count a threshold needs is computed in single precision and truncated: 84 % of 75 is 62",
                        new Workload("r", 75, null, 3, 3, 75, 75, 62, false), 84, Readiness.State.READY, ""),
                Arguments.of(
                        "70 % of 10 replicas is 7",
                        new Workload("r", 10, null, 3, 3, 10, 10, 6, false),
                        70,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: 6 of 7 (readyThreshold 70%) updated replicas are available"),
                Arguments.of(
                        "at 100 % every updated replica must be available",
                        new Workload("r", 3, null, 3, 3, 3, 3, 2, false),
                        100,
                        Readiness.State.WAITING,
                        "waiting for rollout to finish: 2 of 3 (readyThreshold 100%) updated replicas are available"),
                Arguments.of(
                        "enough available replicas for a lowered threshold are ready",
                        new Workload("r", 4, null, 3, 3, 4, 4, 3, false),
                        75,
                        Readiness.State.READY,
                        ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void judges(String name, Workload w, int threshold, Readiness.State state, String reason) {
        Readiness r = Readiness.of("podinfo", w, threshold);
        assertThat(r.state()).isEqualTo(state);
        assertThat(r.reason()).isEqualTo(reason);
    }
}
