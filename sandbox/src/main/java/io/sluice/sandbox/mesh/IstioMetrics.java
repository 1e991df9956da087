package io.sluice.sandbox.mesh;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The series an Istio sidecar reports for the requests its workload served
 * ({@code reporter="destination"}), in Prometheus' text format. Names, labels and histogram
 * buckets are Istio's, so the queries Flagger and Sluice send work unchanged.
 */
public final class IstioMetrics {

    /** Istio's default buckets for request durations, in milliseconds. */
    static final double[] BUCKETS = {
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000
    };

    private final Map<String, String> destination;
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();

    /** {@code destination} holds the labels fixed for this sidecar (workload, namespace, service, …). */
    public IstioMetrics(Map<String, String> destination) {
        this.destination = new LinkedHashMap<>(destination);
    }

    private static final class Histogram {
        final AtomicLong[] counts = new AtomicLong[BUCKETS.length];
        final AtomicLong count = new AtomicLong();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new AtomicLong();
            }
        }

        void observe(double ms) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (ms <= BUCKETS[i]) {
                    counts[i].incrementAndGet();
                }
            }
            count.incrementAndGet();
            sum.add(ms);
        }
    }

    public void record(String sourceWorkload, String sourceNamespace, int responseCode, double millis) {
        Map<String, String> labels = new TreeMap<>(destination);
        labels.put("reporter", "destination");
        labels.put("source_workload", sourceWorkload);
        labels.put("source_workload_namespace", sourceNamespace);
        labels.put("response_code", Integer.toString(responseCode));
        labels.put("request_protocol", "http");
        labels.put("response_flags", "-");
        labels.put("connection_security_policy", "mutual_tls");
        String key = render(labels);
        requests.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        durations.computeIfAbsent(key, k -> new Histogram()).observe(millis);
    }

    public String scrape() {
        StringBuilder out = new StringBuilder();
        out.append("# TYPE istio_requests_total counter\n");
        requests.forEach((labels, n) -> out.append("istio_requests_total{")
                .append(labels)
                .append("} ")
                .append(n.get())
                .append('\n'));
        out.append("# TYPE istio_request_duration_milliseconds histogram\n");
        durations.forEach((labels, h) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append("istio_request_duration_milliseconds_bucket{")
                        .append(labels)
                        .append(",le=\"")
                        .append(format(BUCKETS[i]))
                        .append("\"} ")
                        .append(h.counts[i].get())
                        .append('\n');
            }
            out.append("istio_request_duration_milliseconds_bucket{")
                    .append(labels)
                    .append(",le=\"+Inf\"} ")
                    .append(h.count.get())
                    .append('\n');
            out.append("istio_request_duration_milliseconds_sum{")
                    .append(labels)
                    .append("} ")
                    .append(h.sum.sum())
                    .append('\n');
            out.append("istio_request_duration_milliseconds_count{")
                    .append(labels)
                    .append("} ")
                    .append(h.count.get())
                    .append('\n');
        });
        return out.toString();
    }

    private static String format(double bucket) {
        return bucket == Math.rint(bucket) ? Long.toString((long) bucket) : Double.toString(bucket);
    }

    private static String render(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        labels.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k)
                    .append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        });
        return sb.toString();
    }
}
