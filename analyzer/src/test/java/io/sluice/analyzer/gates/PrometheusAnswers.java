package io.sluice.analyzer.gates;

/** Prometheus HTTP API bodies, as Prometheus writes them. */
final class PrometheusAnswers {
    private PrometheusAnswers() {}

    static String vector(String... values) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                items.append(',');
            }
            items.append("{\"metric\":{\"series\":\"")
                    .append(i)
                    .append("\"},\"value\":[1764150000.123,\"")
                    .append(values[i])
                    .append("\"]}");
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + items + "]}}";
    }

    static String matrix() {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
                + "\"values\":[[1764150000,\"1\"],[1764150015,\"2\"]]}]}}";
    }
}
