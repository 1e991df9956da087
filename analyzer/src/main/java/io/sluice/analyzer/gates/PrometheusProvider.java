package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.PrometheusClient.Credentials;
import io.sluice.analyzer.gates.PrometheusClient.Endpoint;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Prometheus and Prometheus-compatible endpoints (Thanos, Mimir, VictoriaMetrics): an instant query, so the window is
 * whatever the query's own range says. The Secret holds {@code token} (Bearer) or {@code username} and
 * {@code password} (Basic). The availability check asks for {@code vector(1)}.
 */
final class PrometheusProvider implements MetricsProvider {
    static final String TYPE = "prometheus";

    private final PrometheusClient client;
    private final String defaultAddress;

    /** @param defaultAddress the analyzer's {@code --metrics-server} */
    PrometheusProvider(PrometheusClient client, String defaultAddress) {
        this.client = client;
        this.defaultAddress = defaultAddress;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String defaultAddress() {
        return defaultAddress;
    }

    @Override
    public String problem(ProviderTarget target) {
        if (target.secretName() != null && credentials(target) == null) {
            return "secret " + target.secretName() + " holds neither token nor username and password";
        }
        return null;
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        return client.query(endpoint(target), query, timeout);
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        return client.query(endpoint(target), "vector(1)", timeout).map(result -> {
            if (result instanceof QueryResult.Value v && v.value() == 1) {
                return null;
            }
            if (result instanceof QueryResult.Failed f) {
                return "running query failed: " + f.error();
            }
            return "value is not 1 for query: vector(1)";
        });
    }

    private static Endpoint endpoint(ProviderTarget target) {
        Credentials credentials = target.secretName() == null ? new Credentials.None() : credentials(target);
        return new Endpoint(target.address(), target.headers(), credentials, target.insecureSkipVerify());
    }

    /** Null when the Secret holds neither form. */
    private static Credentials credentials(ProviderTarget target) {
        String token = target.secretValue("token");
        if (token != null) {
            return new Credentials.Bearer(token.trim());
        }
        if (target.secretValue("username") != null && target.secret().get("password") != null) {
            return new Credentials.Basic(
                    target.secret().get("username"), target.secret().get("password"));
        }
        return null;
    }
}
