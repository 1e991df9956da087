package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryAnalysis;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusViewTest {
    private static List<Integer> ladder(int step, Integer max) {
        CanaryAnalysis a = new CanaryAnalysis();
        a.stepWeight = step;
        a.maxWeight = max;
        return StatusView.Ladder.of(a).weights();
    }

    /** The analyzer's steps: up by stepWeight while below maxWeight, past it by the last step, never past 100. */
    @Test
    void stepWeightLadderIsTheAnalyzersWeights() {
        assertThat(ladder(30, 50)).containsExactly(30, 60);
        assertThat(ladder(10, 50)).containsExactly(10, 20, 30, 40, 50);
        assertThat(ladder(40, null)).containsExactly(40, 80, 100);
        assertThat(ladder(100, 100)).containsExactly(100);
    }
}
