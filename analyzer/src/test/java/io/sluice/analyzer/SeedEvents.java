package io.sluice.analyzer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The seed's Events for podinfo in test (DESIGN.md's flow, spec §5), as {@code <type> <message>}: one list that the
 * decision table, the mock-server scenario and the real-gates scenario all hold the analyzer to.
 */
public final class SeedEvents {
    /** From the detected revision to the finished promotion: weights 30 and 60, then promotion. */
    public static final List<String> PROMOTION = List.of(
            "Normal New revision detected! Scaling up podinfo.test",
            "Normal Starting canary analysis for podinfo.test",
            "Normal Pre-rollout check acceptance-test passed",
            "Normal Advance podinfo.test canary weight 30",
            "Normal Advance podinfo.test canary weight 60",
            "Normal Copying podinfo.test template spec to podinfo-primary.test",
            "Normal Routing all traffic to primary",
            "Normal Promotion completed! Scaling down podinfo.test");

    private SeedEvents() {}

    /**
     * From the first analysis tick to the rollback, when every check after weight 30 halts with {@code halt} (the
     * Warning's text): five halts, then the threshold rollback at the start of the next tick.
     */
    public static List<String> rollback(String halt) {
        List<String> events = new ArrayList<>(List.of(
                "Normal Starting canary analysis for podinfo.test",
                "Normal Pre-rollout check acceptance-test passed",
                "Normal Advance podinfo.test canary weight 30"));
        events.addAll(Collections.nCopies(5, "Warning " + halt));
        events.add("Warning Rolling back podinfo.test failed checks threshold reached 5");
        events.add("Warning Canary failed! Scaling down podinfo.test");
        return events;
    }
}
