package io.sluice.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The analyzer's live heap over a soak, sampled every few minutes: its least-squares slope over every sample and over
 * the window's second half (a one-time fill at the start bends the first, a leak keeps both), and the classes whose
 * live bytes grew most between the first sample and the last.
 */
final class HeapTrend {
    private static final double MIB = 1024 * 1024;

    private HeapTrend() {}

    /** The live heap, {@code bytes}, {@code minute} minutes into the window. */
    record Sample(double minute, long bytes) {
        double mib() {
            return bytes / MIB;
        }
    }

    /** A class's live bytes at the first sample and at the last. */
    record Growth(String className, long firstBytes, long lastBytes) {
        long grownBytes() {
            return lastBytes - firstBytes;
        }
    }

    /** The least-squares slope of the samples in MiB per minute; NaN with fewer than two distinct minutes. */
    static double slope(List<Sample> samples) {
        int n = samples.size();
        if (n < 2) {
            return Double.NaN;
        }
        double meanX = samples.stream().mapToDouble(Sample::minute).average().orElseThrow();
        double meanY = samples.stream().mapToDouble(Sample::mib).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            double dx = s.minute() - meanX;
            sxy += dx * (s.mib() - meanY);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** The samples from half the window on, the window ending at the last sample. */
    static List<Sample> secondHalf(List<Sample> samples) {
        if (samples.isEmpty()) {
            return List.of();
        }
        double first = samples.get(0).minute();
        double half = first + (samples.get(samples.size() - 1).minute() - first) / 2;
        return samples.stream().filter(s -> s.minute() >= half).toList();
    }

    /**
     * The {@code n} classes whose live bytes grew most from {@code first} to {@code last} (bytes by class name), the
     * most first, ties by name; classes that did not grow are left out. A class in one histogram only has zero bytes
     * in the other.
     */
    static List<Growth> grewMost(Map<String, Long> first, Map<String, Long> last, int n) {
        Set<String> names = new HashSet<>(first.keySet());
        names.addAll(last.keySet());
        return names.stream()
                .map(c -> new Growth(c, first.getOrDefault(c, 0L), last.getOrDefault(c, 0L)))
                .filter(g -> g.grownBytes() > 0)
                .sorted(Comparator.comparingLong(Growth::grownBytes).reversed().thenComparing(Growth::className))
                .limit(n)
                .toList();
    }

    /** Sums series sampled at the same moments (one per replica) into one, at the first series' minutes. */
    static List<Sample> sum(List<List<Sample>> series) {
        List<Sample> summed = new ArrayList<>();
        for (int i = 0; i < series.get(0).size(); i++) {
            int at = i;
            summed.add(new Sample(
                    series.get(0).get(i).minute(),
                    series.stream().mapToLong(s -> s.get(at).bytes()).sum()));
        }
        return summed;
    }

    /** What details.txt says of one series: its samples, both slopes and, when given, the classes that grew most. */
    static List<String> report(String who, List<Sample> samples, List<Growth> grew) {
        List<String> lines = new ArrayList<>();
        StringBuilder s = new StringBuilder(who + " live heap samples (minute: MiB):");
        for (Sample x : samples) {
            s.append(String.format(" %.1f: %.1f;", x.minute(), x.mib()));
        }
        lines.add(s.substring(0, s.length() - 1));
        lines.add(String.format(
                "%s live heap slope: %s MiB per minute over all %d samples, %s over the window's second half (%d"
                        + " samples)",
                who,
                perMinute(slope(samples)),
                samples.size(),
                perMinute(slope(secondHalf(samples))),
                secondHalf(samples).size()));
        if (grew != null) {
            lines.add(who + " classes whose live bytes grew most from the first sample to the last:");
            for (Growth g : grew) {
                lines.add(String.format(
                        "  %+.2f MiB  %s (%.2f -> %.2f MiB)",
                        g.grownBytes() / MIB, g.className(), g.firstBytes() / MIB, g.lastBytes() / MIB));
            }
        }
        return lines;
    }

    private static String perMinute(double slope) {
        return Double.isNaN(slope) ? "n/a" : String.format("%+.3f", slope);
    }
}
