package io.sluice.analyzer.gates;

/** Reads one sample out of a Prometheus text-format scrape. */
final class Scrapes {
    private Scrapes() {}

    /** The value of the series written exactly as {@code series} (name and labels), or NaN when it is absent. */
    static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(
                        line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }
}
