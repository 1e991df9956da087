package io.sluice.analyzer.gates;

/**
 * Writes Istio's request series in Prometheus's text format, for an exporter that {@link RealPrometheus} scrapes.
 * Counters are the caller's: grow them by a fixed step per scrape and every rate and ratio comes out exact.
 */
public final class IstioSeries {
    /** The upper bounds of the duration buckets {@link #durations} writes, in milliseconds. */
    public static final String[] BUCKETS = {"100", "250", "500", "1000", "2500", "+Inf"};

    private final StringBuilder out = new StringBuilder();
    private boolean requestsTyped;
    private boolean durationsTyped;

    /** One {@code istio_requests_total} series of a workload, as the destination's sidecar reports it. */
    public IstioSeries requests(String namespace, String workload, String cluster, String code, long total) {
        if (!requestsTyped) {
            out.append("# TYPE istio_requests_total counter\n");
            requestsTyped = true;
        }
        out.append("istio_requests_total{")
                .append(labels(namespace, workload, cluster))
                .append(",response_code=\"")
                .append(code)
                .append("\"} ")
                .append(total)
                .append('\n');
        return this;
    }

    /** The {@code istio_request_duration_milliseconds_bucket} series of a workload, one cumulative count per bucket. */
    public IstioSeries durations(String namespace, String workload, String cluster, long... cumulative) {
        if (cumulative.length != BUCKETS.length) {
            throw new IllegalArgumentException("expected " + BUCKETS.length + " cumulative counts, one per bucket");
        }
        if (!durationsTyped) {
            out.append("# TYPE istio_request_duration_milliseconds histogram\n");
            durationsTyped = true;
        }
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append("istio_request_duration_milliseconds_bucket{")
                    .append(labels(namespace, workload, cluster))
                    .append(",le=\"")
                    .append(BUCKETS[i])
                    .append("\"} ")
                    .append(cumulative[i])
                    .append('\n');
        }
        return this;
    }

    private static String labels(String namespace, String workload, String cluster) {
        return "reporter=\"destination\",destination_workload_namespace=\"" + namespace + "\",destination_workload=\""
                + workload + "\",destination_cluster=\"" + cluster + "\"";
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
