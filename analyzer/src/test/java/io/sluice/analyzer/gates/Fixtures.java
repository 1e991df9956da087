package io.sluice.analyzer.gates;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.CanaryStatus;
import java.util.ArrayList;
import java.util.List;

/** The seed's Canary ({@code podinfo} in {@code test}), built in code. */
final class Fixtures {
    private Fixtures() {
    }

    static Canary podinfo() {
        Canary canary = new Canary();
        ObjectMeta meta = new ObjectMetaBuilder().withName("podinfo").withNamespace("test").build();
        canary.setMetadata(meta);
        CanarySpec spec = new CanarySpec();
        spec.provider = "gloo-mesh";
        spec.targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", "podinfo");
        spec.progressDeadlineSeconds = 60;
        CanaryAnalysis analysis = new CanaryAnalysis();
        analysis.interval = "20s";
        analysis.threshold = 5;
        analysis.maxWeight = 50;
        analysis.stepWeight = 30;
        analysis.metrics = new ArrayList<>(List.of(
                metric("request-success-rate", "1m", 99.0, null),
                metric("request-duration", "30s", null, 500.0)));
        analysis.webhooks = new ArrayList<>();
        spec.analysis = analysis;
        canary.setSpec(spec);
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
