package io.sluice.analyzer.gates;

import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

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
     * The Secret keys the provider reads its credentials from, Flagger's names; empty when it reads none. They are
     * required for the types admission requires a {@code secretRef} of ({@link MetricTemplateValidator#SECRET_KEYS});
     * for the others they are needed only once a template names a Secret.
     */
    default List<String> secretKeys() {
        return List.of();
    }

    /**
     * Why {@code target} cannot be asked at all (an address that is missing or not a URL, a Secret key the provider
     * needs is missing), or null. The gate checks it before {@link #query} and {@link #online}, and reports it as the
     * template's provider error.
     */
    default String problem(ProviderTarget target) {
        String address = ProviderAnswers.addressProblem(type(), target);
        if (address != null || secretKeys().isEmpty()) {
            return address;
        }
        if (target.secretName() == null && !MetricTemplateValidator.SECRET_KEYS.containsKey(type())) {
            return null;
        }
        return target.missingKey(type(), secretKeys().toArray(String[]::new));
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
