package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * New Relic's Insights query API, as Flagger asks it: {@code GET /v1/accounts/<account>/query} with the NRQL query and
 * {@code SINCE <interval in seconds> seconds ago} appended, the query key in the {@code X-Query-Key} header. The value
 * is the {@code result} of the only row; the availability check runs {@code SELECT * FROM Metric}.
 */
final class NewRelicProvider implements MetricsProvider {
    static final String TYPE = "newrelic";
    static final String DEFAULT_ADDRESS = "https://insights-api.newrelic.com";
    static final String ACCOUNT_ID = "newrelic_account_id";
    static final String QUERY_KEY = "newrelic_query_key";
    /** The availability check has no metric, so no interval; one minute is the metrics' default. */
    static final Duration ONLINE_WINDOW = Duration.ofMinutes(1);

    private final ProviderHttp http;

    NewRelicProvider(ProviderHttp http) {
        this.http = http;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String defaultAddress() {
        return DEFAULT_ADDRESS;
    }

    @Override
    public List<String> secretKeys() {
        return List.of(ACCOUNT_ID, QUERY_KEY);
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        return http.send(TYPE, target, call(target, query, window), timeout)
                .map(answer -> ProviderAnswers.judge(answer, NewRelicProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        return http.send(TYPE, target, call(target, "SELECT * FROM Metric", ONLINE_WINDOW), timeout)
                .map(ProviderAnswers::online);
    }

    /** Anything but exactly one row, or a row without a {@code result}, is no values. */
    static QueryResult read(JsonObject body) {
        JsonArray rows = body.getJsonArray("results");
        if (rows == null || rows.size() != 1) {
            return new QueryResult.NoValues();
        }
        JsonObject row = rows.getJsonObject(0);
        if (row == null) {
            return new QueryResult.NoValues();
        }
        return ProviderAnswers.number(new JsonArray().add(row.getValue("result")), 0, "results[0].result");
    }

    private static Call call(ProviderTarget target, String query, Duration window) {
        String account = URLEncoder.encode(ProviderAnswers.credential(target, ACCOUNT_ID), StandardCharsets.UTF_8);
        return Call.get(
                "/v1/accounts/" + account + "/query",
                Map.of("nrql", query + " SINCE " + window.toSeconds() + " seconds ago"),
                Map.of("X-Query-Key", ProviderAnswers.credential(target, QUERY_KEY)));
    }
}
