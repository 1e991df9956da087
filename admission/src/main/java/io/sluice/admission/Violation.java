package io.sluice.admission;

/** One thing wrong with an object: the field path ({@code spec.analysis.threshold}) and what is wrong with it. */
record Violation(String field, String message) {
    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
