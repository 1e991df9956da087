package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WeightSequenceTest {

    static Stream<Arguments> ladders() {
        return Stream.of(
                Arguments.of(
                        "stepWeight 30 / maxWeight 50 advances 30, 60, then promotes", 30, 50, null, List.of(30, 60)),
                Arguments.of(
                        "stepWeight 20 / maxWeight 50 advances 20, 40, 60, then promotes",
                        20,
                        50,
                        null,
                        List.of(20, 40, 60)),
                Arguments.of(
                        "stepWeight 10 / maxWeight 50 advances in five steps to 50",
                        10,
                        50,
                        null,
                        List.of(10, 20, 30, 40, 50)),
                Arguments.of("stepWeight 50 / maxWeight 100 advances 50, 100", 50, 100, null, List.of(50, 100)),
                Arguments.of("stepWeight 100 without maxWeight advances once to 100", 100, null, null, List.of(100)),
                Arguments.of(
                        "stepWeights 1, 2, 10, 80 climb the ladder and promote at 80",
                        null,
                        null,
                        List.of(1, 2, 10, 80),
                        List.of(1, 2, 10, 80)),
                Arguments.of(
                        "stepWeights ending above 100 are capped at 100",
                        null,
                        null,
                        List.of(1, 2, 10, 200),
                        List.of(1, 2, 10, 100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ladders")
    void weights(String name, Integer step, Integer max, List<Integer> ladder, List<Integer> expected) {
        World w = new World();
        w.spec.analysis.stepWeight = step;
        w.spec.analysis.maxWeight = max;
        w.spec.analysis.stepWeights = ladder;
        w.initialized().newRevision("rev-2").event();
        assertThat(w.phase()).isEqualTo("Progressing");

        List<Integer> routed = new ArrayList<>();
        for (int i = 0; i < 20 && !"Promoting".equals(w.phase()); i++) {
            w.tick();
            if ("Progressing".equals(w.phase())) {
                routed.add(w.routes.canary());
            }
        }
        assertThat(routed).as("canary weight routed after each tick").isEqualTo(expected);
        assertThat(w.phase()).isEqualTo("Promoting");
        assertThat(w.primary.revision()).as("template copied to the primary").isEqualTo("rev-2");
        w.tickUntil(5, "Succeeded");
        assertThat(w.routes.primary()).isEqualTo(100);
        assertThat(w.status.lastPromotedSpec).isEqualTo("rev-2");
    }
}
