package io.sluice.analyzer;

import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;

/**
 * Which Canaries are Sluice's. A Canary names its traffic provider in {@code spec.provider}; Sluice routes through
 * Gloo Mesh, so it handles {@code gloo-mesh} and an empty provider (its default) and leaves every other Canary to the
 * controller of that provider (Flagger running beside it during a move): no status, finalizer, Event or object write.
 */
final class Coexistence {
    private Coexistence() {}

    /** Whether Sluice handles this Canary. */
    static boolean ours(Canary canary) {
        String provider = provider(canary);
        return provider == null || provider.isEmpty() || WellKnown.PROVIDER_GLOO_MESH.equals(provider);
    }

    /** The Canary's {@code spec.provider}, or null. */
    static String provider(Canary canary) {
        return canary.getSpec() == null ? null : canary.getSpec().provider;
    }
}
