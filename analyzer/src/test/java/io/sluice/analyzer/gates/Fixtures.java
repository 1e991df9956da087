package io.sluice.analyzer.gates;

import io.sluice.analyzer.testing.Seed;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryStatus;

/** The seed's Canary ({@code podinfo} in {@code test}) in the middle of a run, for the gates. */
public final class Fixtures {
    private Fixtures() {}

    /** {@code manifests/examples/podinfo/canary.yaml} with a run in progress in its status. */
    public static Canary podinfo() {
        Canary canary = Seed.canary();
        CanaryStatus status = new CanaryStatus();
        status.phase = "Progressing";
        status.lastAppliedSpec = "5f1c2a3b4d5e6f70";
        canary.setStatus(status);
        return canary;
    }

    static CanaryAnalysis.Metric metric(String name, String interval, Double min, Double max) {
        CanaryAnalysis.Metric m = new CanaryAnalysis.Metric();
        m.name = name;
        m.interval = interval;
        if (min != null || max != null) {
            m.thresholdRange = new CanaryAnalysis.ThresholdRange(min, max);
        }
        return m;
    }
}
