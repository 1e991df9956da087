package io.sluice.analyzer.testing;

import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;

/**
 * The seed's Canary as the repository ships it ({@code manifests/examples/podinfo/canary.yaml}), so that a test
 * exercises the Canary users apply rather than a copy rebuilt by hand that drifts from it.
 */
public final class Seed {
    private Seed() {}

    /** podinfo in test, read anew on every call (tests may change it). */
    public static Canary canary() {
        return Fixtures.example("canary.yaml", Canary.class);
    }
}
