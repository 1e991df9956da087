package io.sluice.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tick lateness the analyzers measure themselves ({@code sluice_tick_lateness_seconds}, from due time to the start
 * of the tick's reconcile), over the window: the histogram's counts at its end less those at its start, summed over the
 * replicas. The stand-in's lateness is taken from the status writes it receives, so a pause of the benchmark's own
 * process (its garbage collector, the mock server's event loop) counts there and not here; the two side by side tell
 * whose stall a late tick was. A histogram tells a percentile only up to its bucket: each figure is the upper bound of
 * the bucket the percentile falls in.
 */
final class OwnLateness {
    private static final Pattern BUCKET =
            Pattern.compile("^sluice_tick_lateness_seconds_bucket\\{(?:.*,)?le=\"([^\"]+)\"[^}]*}\\s+(\\S+)");

    /** Cumulative counts by upper bound ({@code +Inf} as infinity). */
    private final TreeMap<Double, Long> cumulative;

    private OwnLateness(TreeMap<Double, Long> cumulative) {
        this.cumulative = cumulative;
    }

    static final OwnLateness NONE = new OwnLateness(new TreeMap<>());

    /** The histogram in one Prometheus text exposition; empty when it has none. */
    static OwnLateness parse(List<String> exposition) {
        TreeMap<Double, Long> counts = new TreeMap<>();
        for (String line : exposition) {
            Matcher m = BUCKET.matcher(line);
            if (m.find()) {
                double le = "+Inf".equals(m.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                counts.merge(le, (long) Double.parseDouble(m.group(2)), Long::sum);
            }
        }
        return new OwnLateness(counts);
    }

    /** This histogram and {@code other} summed bucket by bucket (two replicas' histograms). */
    OwnLateness plus(OwnLateness other) {
        TreeMap<Double, Long> sum = new TreeMap<>(cumulative);
        other.cumulative.forEach((le, n) -> sum.merge(le, n, Long::sum));
        return new OwnLateness(sum);
    }

    /** What was counted after {@code earlier} was read. */
    OwnLateness since(OwnLateness earlier) {
        TreeMap<Double, Long> d = new TreeMap<>();
        cumulative.forEach((le, n) -> d.put(le, n - earlier.cumulative.getOrDefault(le, 0L)));
        return new OwnLateness(d);
    }

    long ticks() {
        return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    }

    /** The upper bound of the bucket holding the {@code p}-th percentile (100: the latest tick); NaN with no ticks. */
    double atMost(double p) {
        long n = ticks();
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100 * n));
        for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** The share of the ticks that started within {@code seconds} (a bucket bound). */
    double within(double seconds) {
        Long n = cumulative.get(seconds);
        return n == null || ticks() == 0 ? Double.NaN : (double) n / ticks();
    }

    /** For the results table: {@code ≤ p50 / ≤ p99 / ≤ max} in seconds, or "not read". */
    String cell() {
        if (ticks() == 0) {
            return "not read";
        }
        return String.format("≤ %s / ≤ %s / ≤ %s", bound(atMost(50)), bound(atMost(99)), bound(atMost(100)));
    }

    private static String bound(double le) {
        return Double.isInfinite(le) ? "+Inf" : String.format("%.3f", le);
    }

    /** One line for the details: the ticks and the share within each bucket bound. */
    String describe() {
        if (ticks() == 0) {
            return "the analyzer's own tick lateness: not read";
        }
        StringBuilder s = new StringBuilder("the analyzer's own tick lateness over the window: " + ticks() + " ticks;");
        cumulative.forEach((le, n) -> {
            if (!Double.isInfinite(le)) {
                s.append(String.format(" %.1f%% ≤ %s s;", 100.0 * n / ticks(), bound(le)));
            }
        });
        return s.substring(0, s.length() - 1);
    }
}
