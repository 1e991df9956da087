package io.sluice.admission;

import io.vertx.core.Future;

/**
 * Decides about one admission request. Runs on the event loop: it must not block, and anything slow (an API call)
 * goes through {@link KubeCalls} and comes back as a future. A failed future is a fault of Sluice, reported to the
 * API server as an internal error; bad input is an ordinary {@link AdmissionResponse}.
 */
@FunctionalInterface
interface AdmissionHandler {
    Future<AdmissionResponse> handle(AdmissionRequest request);
}
