package io.sluice.analyzer.decision;

/**
 * The outcome of one metric check.
 *
 * @param metric  the metric's name
 * @param verdict pass, fail, no data, or provider error
 * @param value   the measured value, when there is one
 * @param message for anything but a pass: the Event text, byte for byte as Flagger writes it
 *                (e.g. {@code Halt podinfo.test advancement success rate 89.02% < 99%})
 */
public record MetricOutcome(String metric, Verdict verdict, Double value, String message) {

    /** Three outcomes, not two: no data and provider errors are told apart from a failed threshold. */
    public enum Verdict {
        PASS,
        FAIL,
        /** The query ran but returned no sample (empty result or NaN), or too little traffic. */
        NO_DATA,
        /** The provider could not be asked or answered badly (timeout, HTTP error, garbage). */
        ERROR
    }

    public boolean passed() {
        return verdict == Verdict.PASS;
    }
}
