package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Answer;
import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * InfluxDB 2's query API, as Flagger's InfluxDB client asks it: the template's Flux query in
 * {@code POST /api/v2/query?org=<org>} with the annotated-CSV dialect, the token in {@code Authorization: Token
 * <token>}. The window is the query's own {@code range}. There is no default address. A {@code secretRef} Secret must
 * hold {@code token} and {@code org}; without one nothing is sent. The value is the {@code _value} of the first record;
 * the availability check runs {@code from(bucket: "default") |> range(start: -2h)}, which must answer 200.
 */
final class InfluxDbProvider implements MetricsProvider {
    static final String TYPE = "influxdb";
    static final String TOKEN = "token";
    static final String ORG = "org";
    static final String ONLINE_QUERY = "from(bucket: \"default\") |> range(start: -2h)";
    static final String VALUE_COLUMN = "_value";

    private final ProviderHttp http;

    InfluxDbProvider(ProviderHttp http) {
        this.http = http;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> secretKeys() {
        return List.of(TOKEN, ORG);
    }

    @Override
    public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
        return http.send(TYPE, target, call(target, query), timeout)
                .map(answer -> ProviderAnswers.judgeResponse(answer, InfluxDbProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        return http.send(TYPE, target, call(target, ONLINE_QUERY), timeout).map(ProviderAnswers::online);
    }

    /**
     * The {@code _value} of the first record, read with its table's {@code #datatype}. No table, no record, no
     * {@code _value} column, an empty cell or {@code NaN} is no values; a table of Flux errors is the query's error.
     */
    static QueryResult read(Answer.Response response) {
        List<List<String>> rows;
        try {
            rows = csv(response.body());
        } catch (IllegalArgumentException e) {
            return new QueryResult.Failed(response.unusable(e.getMessage()));
        }
        List<String> types = null;
        List<String> defaults = null;
        List<String> names = null;
        boolean annotating = false;
        boolean errors = false;
        for (List<String> row : rows) {
            if (row.size() <= 1) {
                continue;
            }
            String first = row.get(0);
            if (first.startsWith("#")) {
                if (!annotating) {
                    types = null;
                    defaults = null;
                    annotating = true;
                }
                if (first.equals("#datatype")) {
                    types = row;
                } else if (first.equals("#default")) {
                    defaults = row;
                }
                continue;
            }
            if (annotating) {
                if (types == null) {
                    return new QueryResult.Failed(response.unusable("a table has no #datatype annotation"));
                }
                annotating = false;
                names = row;
                errors = row.get(1).equals("error");
                continue;
            }
            if (names == null) {
                return new QueryResult.Failed(response.unusable("not annotated CSV"));
            }
            if (errors) {
                String reference = row.size() > 2 && !row.get(2).isEmpty() ? " (reference " + row.get(2) + ")" : "";
                return new QueryResult.Failed("influxdb query error: "
                        + PrometheusClient.abbreviate(row.get(1).isEmpty() ? "unknown query error" : row.get(1))
                        + reference);
            }
            return value(names, types, defaults, row);
        }
        if (names == null && !response.body().isBlank()) {
            return new QueryResult.Failed(response.unusable("not annotated CSV"));
        }
        return new QueryResult.NoValues();
    }

    private static QueryResult value(List<String> names, List<String> types, List<String> defaults, List<String> row) {
        int column = names.indexOf(VALUE_COLUMN);
        if (column < 0) {
            return new QueryResult.NoValues();
        }
        String cell = column < row.size() ? row.get(column) : "";
        if (cell.isEmpty() && defaults != null && column < defaults.size()) {
            cell = defaults.get(column);
        }
        if (cell.isEmpty()) {
            return new QueryResult.NoValues();
        }
        String type = column < types.size() ? types.get(column) : "";
        try {
            double v = switch (type) {
                case "double" -> parseDouble(cell);
                case "long" -> Long.parseLong(cell);
                case "unsignedLong" -> Long.parseUnsignedLong(cell);
                default -> throw new IllegalStateException();
            };
            return Double.isNaN(v) ? new QueryResult.NoValues() : new QueryResult.Value(v);
        } catch (NumberFormatException e) {
            return new QueryResult.Failed(
                    "error unmarshaling result: _value is not a " + type + ": " + PrometheusClient.abbreviate(cell));
        } catch (IllegalStateException e) {
            return new QueryResult.Failed("error unmarshaling result: _value is of type " + type + ", not a number: "
                    + PrometheusClient.abbreviate(cell));
        }
    }

    /** Flux writes infinities as {@code +Inf} and {@code -Inf}. */
    private static double parseDouble(String s) {
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /**
     * The rows of a CSV text (RFC 4180: quoted cells may hold commas, quotes doubled and line breaks).
     *
     * @throws IllegalArgumentException on a quote that is never closed
     */
    static List<List<String>> csv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quoted cell is not closed");
        }
        if (cell.length() > 0 || !row.isEmpty()) {
            row.add(cell.toString());
            rows.add(row);
        }
        return rows;
    }

    private static Call call(ProviderTarget target, String query) {
        Map<String, String> params = new HashMap<>();
        String org = target.secretValue(ORG);
        if (org != null) {
            params.put("org", org.trim());
        }
        Map<String, String> headers = new HashMap<>();
        String token = ProviderAnswers.credential(target, TOKEN);
        if (target.secretName() != null && token != null) {
            headers.put("Authorization", "Token " + token);
        }
        JsonObject body = new JsonObject()
                .put("query", query)
                .put("type", "flux")
                .put(
                        "dialect",
                        new JsonObject()
                                .put(
                                        "annotations",
                                        new JsonArray()
                                                .add("datatype")
                                                .add("group")
                                                .add("default"))
                                .put("delimiter", ",")
                                .put("header", true));
        return new Call(HttpMethod.POST, "/api/v2/query", params, headers, "application/json", body.encode());
    }
}
