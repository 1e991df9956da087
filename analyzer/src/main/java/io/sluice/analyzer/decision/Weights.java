package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryDefaults;
import java.util.List;

/** Flagger's progressive weight rule (spec §3.4.1). */
final class Weights {
    private Weights() {}

    /** The increment after a successful tick at {@code weight}. */
    static int nextStep(CanaryAnalysis analysis, int weight) {
        int step = CanaryDefaults.stepWeight(analysis);
        List<Integer> ladder = CanaryDefaults.stepWeights(analysis);
        if (step > 0 || ladder.isEmpty()) {
            return step;
        }
        int headroom = 100 - weight;
        if (headroom == 0) {
            return 1;
        }
        if (weight == 0) {
            return Math.min(headroom, ladder.get(0));
        }
        for (int i = 0; i < ladder.size() - 1; i++) {
            if (ladder.get(i) == weight) {
                return Math.min(headroom, ladder.get(i + 1) - weight);
            }
        }
        return headroom;
    }
}
