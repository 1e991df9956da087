package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Datadog's metrics API, as Flagger asks it: {@code GET /api/v1/query} over the last ten metric intervals, the keys in
 * the {@code DD-API-KEY} and {@code DD-APPLICATION-KEY} headers. The value is the oldest point of the first series:
 * the newest bucket of a time series is usually still filling. The availability check is {@code GET /api/v1/validate}.
 */
final class DatadogProvider implements MetricsProvider {
    static final String TYPE = "datadog";
    static final String DEFAULT_ADDRESS = "https://api.datadoghq.com";
    static final String API_KEY = "datadog_api_key";
    static final String APPLICATION_KEY = "datadog_application_key";
    /** Flagger asks for ten intervals so that the first point is a complete bucket. */
    static final int WINDOWS = 10;

    private final ProviderHttp http;
    private final Clock clock;

    DatadogProvider(ProviderHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
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
        return List.of(API_KEY, APPLICATION_KEY);
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        long to = clock.instant().getEpochSecond();
        long from = to - window.multipliedBy(WINDOWS).toSeconds();
        Call call = Call.get(
                "/api/v1/query",
                Map.of("query", query, "from", Long.toString(from), "to", Long.toString(to)),
                keys(target));
        return http.send(TYPE, target, call, timeout)
                .map(answer -> ProviderAnswers.judge(answer, DatadogProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        Call call = Call.get("/api/v1/validate", Map.of(), keys(target));
        return http.send(TYPE, target, call, timeout).map(ProviderAnswers::online);
    }

    /** No series, no point or a null point is no values; an error field is the API's own complaint. */
    static QueryResult read(JsonObject body) {
        Object error = body.getValue("error");
        if (error != null) {
            return new QueryResult.Failed("datadog error: " + PrometheusClient.abbreviate(String.valueOf(error)));
        }
        JsonArray series = body.getJsonArray("series");
        if (series == null || series.isEmpty()) {
            return new QueryResult.NoValues();
        }
        JsonArray points = series.getJsonObject(0).getJsonArray("pointlist");
        if (points == null || points.isEmpty()) {
            return new QueryResult.NoValues();
        }
        return ProviderAnswers.number(points.getJsonArray(0), 1, "series[0].pointlist[0] value");
    }

    private static Map<String, String> keys(ProviderTarget target) {
        return Map.of(
                "DD-API-KEY", ProviderAnswers.credential(target, API_KEY),
                "DD-APPLICATION-KEY", ProviderAnswers.credential(target, APPLICATION_KEY));
    }
}
