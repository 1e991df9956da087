package io.sluice.analyzer.gates;

/** What one Prometheus query returned. */
sealed interface QueryResult {
    /** The sample value (the last one when several series matched). */
    record Value(double value) implements QueryResult {}

    /** No sample, or NaN (e.g. 0/0 without traffic). */
    record NoValues() implements QueryResult {}

    /** Prometheus could not be asked, or answered with an error or something that is not a query result. */
    record Failed(String error) implements QueryResult {}
}
