package io.sluice.admission;

import io.vertx.core.Future;

/** Writes the admission service's one status field. */
interface StatusWriter {
    /**
     * Applies {@code mergePatch} (a JSON merge patch whose only key is {@code status.admittedRevision}) to the
     * {@code /status} subresource of the Canary {@code namespace/name}.
     */
    Future<Void> patchCanaryStatus(String namespace, String name, String mergePatch);
}
