package io.sluice.analyzer.decision;

/**
 * The outcome of one webhook call.
 *
 * @param hook       the webhook's name
 * @param passed     true for a 2xx answer
 * @param statusCode the last HTTP status, or 0 when no answer came
 * @param error      why it did not pass (used in Event texts such as {@code … external check <hook> failed <error>})
 */
public record HookOutcome(String hook, boolean passed, int statusCode, String error) {}
