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
 * Dynatrace's metrics API v2, as Flagger asks it: {@code GET /api/v2/metrics/query} with the query as
 * {@code metricSelector}, {@code resolution=Inf} and a range of ten metric intervals in epoch milliseconds, the token
 * in {@code Authorization: Api-Token <token>}. There is no default address: the environment's URL is the template's.
 * The value is the first value of the last data entry of the first result; the availability check lists one metric
 * ({@code GET /api/v2/metrics?pageSize=1}).
 */
final class DynatraceProvider implements MetricsProvider {
    static final String TYPE = "dynatrace";
    static final String TOKEN = "dynatrace_token";
    /** Flagger asks for ten intervals. */
    static final int WINDOWS = 10;

    private final ProviderHttp http;
    private final Clock clock;

    DynatraceProvider(ProviderHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> secretKeys() {
        return List.of(TOKEN);
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        long to = clock.instant().getEpochSecond() * 1000;
        long from = to - window.multipliedBy(WINDOWS).toMillis();
        Call call = Call.get(
                "/api/v2/metrics/query",
                Map.of(
                        "metricSelector",
                        query,
                        "resolution",
                        "Inf",
                        "from",
                        Long.toString(from),
                        "to",
                        Long.toString(to)),
                token(target));
        return http.send(TYPE, target, call, timeout)
                .map(answer -> ProviderAnswers.judge(answer, DynatraceProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        Call call = Call.get("/api/v2/metrics", Map.of("pageSize", "1"), token(target));
        return http.send(TYPE, target, call, timeout).map(ProviderAnswers::online);
    }

    /** No result, no data entry, no value or a null value is no values. */
    static QueryResult read(JsonObject body) {
        JsonArray results = body.getJsonArray("result");
        if (results == null || results.isEmpty()) {
            return new QueryResult.NoValues();
        }
        JsonArray data = results.getJsonObject(0).getJsonArray("data");
        if (data == null || data.isEmpty()) {
            return new QueryResult.NoValues();
        }
        JsonObject last = data.getJsonObject(data.size() - 1);
        return ProviderAnswers.number(last == null ? null : last.getJsonArray("values"), 0, "the value");
    }

    private static Map<String, String> token(ProviderTarget target) {
        return Map.of("Authorization", "Api-Token " + ProviderAnswers.credential(target, TOKEN));
    }
}
