package io.sluice.analyzer.gates;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * A metrics backend that a MetricTemplate names in {@code spec.provider.type}. Each implementation keeps Flagger's
 * meaning of that type: where it lives by default, which Secret keys it reads, over what window it asks and what
 * counts as no values. Its futures always succeed: an outage, an error status or a body that is not an answer is a
 * {@link QueryResult.Failed} with a text saying which.
 */
interface MetricsProvider {

    /** The type as templates write it, lower case. */
    String type();

    /** The address a template without {@code provider.address} is sent to; null when the template must set one. */
    default String defaultAddress() {
        return null;
    }

    /**
     * Why {@code target} cannot be asked at all (no address, a Secret key the provider needs is missing), or null. The
     * gate checks it before {@link #query} and {@link #online}, and reports it as the template's provider error.
     */
    default String problem(ProviderTarget target) {
        return null;
    }

    /**
     * Runs one rendered query.
     *
     * @param window  the metric's {@code interval}: providers that take a time range ask for the last {@code window}
     * @param timeout the deadline of the whole exchange
     */
    Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout);

    /** Null when the backend is reachable and accepts the credentials, else why not. */
    Future<String> online(ProviderTarget target, Duration timeout);
}
