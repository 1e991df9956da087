package io.sluice.model.validation;

/**
 * One reason an object is invalid.
 *
 * @param field   the JSON path of the offending field, e.g. {@code spec.analysis.stepWeights[2]}
 * @param message what is wrong, in words a user can act on
 */
public record Violation(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
