package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Answer;
import io.sluice.analyzer.gates.ProviderHttp.Call;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splunk Observability (SignalFx), as Flagger asks it: the template's SignalFlow program run over the last ten metric
 * intervals with {@code immediate=true}, the token from {@code sf_token_key} in {@code X-SF-Token}. Flagger's client
 * speaks SignalFlow over a WebSocket; Sluice uses the same computation's HTTP transport, {@code POST
 * /v2/signalflow/execute} on the stream host with the program as the body, whose Server-Sent Events end once the
 * bounded window is computed. The template's address is the realm's API ({@code https://api.<realm>.signalfx.com});
 * queries go to its {@code stream.} host, as in Flagger. The value is the last non-null value published; values of
 * more than one time series are an error. The availability check is {@code GET /v2/metric?limit=1} on the API host.
 */
final class SplunkProvider implements MetricsProvider {
    static final String TYPE = "splunk";
    static final String TOKEN = "sf_token_key";
    /** Flagger asks for ten intervals. */
    static final int WINDOWS = 10;

    private final ProviderHttp http;
    private final Clock clock;

    SplunkProvider(ProviderHttp http, Clock clock) {
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
        long stop = clock.instant().toEpochMilli();
        long start = stop - window.multipliedBy(WINDOWS).toMillis();
        Call call = new Call(
                HttpMethod.POST,
                "/v2/signalflow/execute",
                Map.of("start", Long.toString(start), "stop", Long.toString(stop), "immediate", "true"),
                Map.of("X-SF-Token", ProviderAnswers.credential(target, TOKEN), "Accept", "text/event-stream"),
                "text/plain",
                query);
        return http.send(TYPE, at(target, host(target.address(), "api", "stream")), call, timeout)
                .map(answer -> ProviderAnswers.judgeResponse(answer, SplunkProvider::read));
    }

    @Override
    public Future<String> online(ProviderTarget target, Duration timeout) {
        Call call = Call.get(
                "/v2/metric", Map.of("limit", "1"), Map.of("X-SF-Token", ProviderAnswers.credential(target, TOKEN)));
        return http.send(TYPE, at(target, host(target.address(), "stream", "api")), call, timeout)
                .map(ProviderAnswers::online);
    }

    /**
     * {@code address} with a first host label {@code from} replaced by {@code to}: SignalFx serves its REST API on
     * {@code api.<realm>} and computations on {@code stream.<realm>}. Any other host is kept.
     */
    static String host(String address, String from, String to) {
        URI uri = URI.create(address.trim());
        String host = uri.getHost();
        if (host == null || !host.startsWith(from + ".")) {
            return address;
        }
        int at = address.indexOf(host);
        return address.substring(0, at) + to + host.substring(from.length()) + address.substring(at + host.length());
    }

    private static ProviderTarget at(ProviderTarget target, String address) {
        return new ProviderTarget(
                address, target.secretName(), target.secret(), target.headers(), target.insecureSkipVerify());
    }

    /**
     * Reads the events of a computation: {@code data} events carry {@code {"data":[{"tsId":..,"value":..}]}},
     * {@code error} events the program's errors; the other events (metadata, control and info messages) say nothing
     * about the value.
     */
    static QueryResult read(Answer.Response response) {
        String[] blocks = response.body().replace("\r\n", "\n").split("\n\n");
        boolean events = false;
        Set<String> series = new HashSet<>();
        QueryResult last = new QueryResult.NoValues();
        for (String block : blocks) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            boolean hasData = false;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (hasData) {
                        data.append('\n');
                    }
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    hasData = true;
                }
            }
            if (!hasData) {
                continue;
            }
            events = true;
            if (!event.equals("data") && !event.equals("error")) {
                continue;
            }
            JsonObject payload;
            try {
                payload = new JsonObject(data.toString());
            } catch (DecodeException e) {
                return new QueryResult.Failed(response.unusable("a " + event + " event is not a JSON object"));
            }
            if (event.equals("error")) {
                return new QueryResult.Failed("splunk error: " + PrometheusClient.abbreviate(errors(payload)));
            }
            try {
                JsonArray values = payload.getJsonArray("data");
                for (int i = 0; values != null && i < values.size(); i++) {
                    JsonObject point = values.getJsonObject(i);
                    Object value = point == null ? null : point.getValue("value");
                    if (value == null) {
                        continue;
                    }
                    if (!(value instanceof Number n)) {
                        return new QueryResult.Failed("error unmarshaling result: a published value is not a number: "
                                + PrometheusClient.abbreviate(String.valueOf(value)));
                    }
                    series.add(String.valueOf(point.getValue("tsId")));
                    last = new QueryResult.Value(n.doubleValue());
                }
            } catch (ClassCastException e) {
                return new QueryResult.Failed(response.unusable("a data event has a field of the wrong type"));
            }
        }
        if (!events && !response.body().isBlank()) {
            return new QueryResult.Failed(response.unusable("not a SignalFlow event stream"));
        }
        if (series.size() > 1) {
            return new QueryResult.Failed("invalid response: the program published " + series.size()
                    + " time series; a metric needs one (aggregate it, for example with sum() or mean())");
        }
        return last;
    }

    private static String errors(JsonObject payload) {
        Object errors = payload.getValue("errors");
        if (errors instanceof JsonArray list && !list.isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (Object e : list) {
                if (text.length() > 0) {
                    text.append("; ");
                }
                text.append(
                        e instanceof JsonObject o && o.getValue("message") != null
                                ? String.valueOf(o.getValue("message"))
                                : String.valueOf(e));
            }
            return text.toString();
        }
        return payload.encode();
    }
}
