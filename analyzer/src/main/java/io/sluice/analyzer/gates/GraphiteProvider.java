package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Graphite's render API, as Flagger asks it: the template's query is the query string of {@code GET /render} (for
 * example {@code target=...&from=-{{ interval }}}), runs of white space folded to one space and {@code format=json}
 * forced, so the window is the query's own {@code from}. There is no default address. A {@code secretRef} Secret must
 * hold {@code username} and {@code password}, sent as Basic authentication. The value is the last non-null datapoint
 * over all the series returned; the availability check renders {@code target=test}, for which no values is fine.
 */
final class GraphiteProvider implements MetricsProvider {
    static final String TYPE = "graphite";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String ONLINE_QUERY = "target=test";

    private final ProviderHttp http;

    GraphiteProvider(ProviderHttp http) {
        this.http = http;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> secretKeys() {
        return List.of(USERNAME, PASSWORD);
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        return http.send(TYPE, target, call(target, query), timeout)
                .map(answer -> ProviderAnswers.judgeResponse(answer, GraphiteProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        return query(target, ONLINE_QUERY, Duration.ZERO, timeout)
                .map(result -> result instanceof QueryResult.Failed f ? "running query failed: " + f.error() : null);
    }

    /** The template's query as the render call's query string, with {@code format=json}; repeated keys are kept. */
    static String renderQuery(String query) {
        List<String> pairs = new ArrayList<>();
        for (String pair : query.trim().replaceAll("\\s+", " ").split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals("format")) {
                continue;
            }
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            pairs.add(encode(key) + "=" + encode(value));
        }
        pairs.add("format=json");
        return String.join("&", pairs);
    }

    /** The last non-null datapoint of all series, in the order Graphite returns them; none is no values. */
    static QueryResult read(ProviderHttp.Answer.Response response) {
        JsonArray series;
        try {
            series = new JsonArray(response.body());
        } catch (DecodeException e) {
            return new QueryResult.Failed(response.unusable("not a JSON array of series"));
        }
        QueryResult last = new QueryResult.NoValues();
        try {
            for (int s = 0; s < series.size(); s++) {
                JsonObject one = series.getJsonObject(s);
                JsonArray points = one == null ? null : one.getJsonArray("datapoints");
                for (int p = 0; points != null && p < points.size(); p++) {
                    JsonArray point = points.getJsonArray(p);
                    if (point == null || point.size() != 2) {
                        return new QueryResult.Failed(
                                response.unusable("a datapoint is not a [value, timestamp] pair"));
                    }
                    QueryResult value = value(point.getValue(0));
                    if (value instanceof QueryResult.Failed) {
                        return value;
                    }
                    if (value instanceof QueryResult.Value) {
                        last = value;
                    }
                }
            }
        } catch (ClassCastException e) {
            return new QueryResult.Failed(response.unusable("a field has the wrong type"));
        }
        return last;
    }

    /** Graphite writes a value as a number, a numeric string or null (no data in that step). */
    private static QueryResult value(Object v) {
        if (v == null) {
            return new QueryResult.NoValues();
        }
        if (v instanceof Number n) {
            return new QueryResult.Value(n.doubleValue());
        }
        if (v instanceof String text) {
            try {
                return new QueryResult.Value(Double.parseDouble(text.trim()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        return new QueryResult.Failed("error unmarshaling result: a datapoint value is not a number: "
                + PrometheusClient.abbreviate(String.valueOf(v)));
    }

    private static Call call(ProviderTarget target, String query) {
        Map<String, String> headers = Map.of();
        String user = ProviderAnswers.credential(target, USERNAME);
        String password = ProviderAnswers.credential(target, PASSWORD);
        if (target.secretName() != null && user != null && password != null) {
            String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            headers = Map.of("Authorization", "Basic " + basic);
        }
        return Call.get("/render?" + renderQuery(query), Map.of(), headers);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
