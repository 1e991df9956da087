package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonObject;

/**
 * Field selectors ({@code involvedObject.name=podinfo,type!=Normal}): comma-separated terms, each
 * {@code path=value}, {@code path==value} or {@code path!=value} over the object's dotted fields.
 */
final class FieldSelectors {

    private FieldSelectors() {}

    static boolean matches(String selector, JsonObject object) {
        for (String term : selector.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            boolean negate = term.contains("!=");
            String[] parts = negate ? term.split("!=", 2) : term.split("==?", 2);
            if (parts.length != 2) {
                throw new ApiError(400, "BadRequest", "invalid field selector term \"" + term + "\"");
            }
            Object actual = JsonPaths.read(object, "." + parts[0].trim());
            boolean equal = parts[1].trim().equals(actual == null ? "" : String.valueOf(actual));
            if (equal == negate) {
                return false;
            }
        }
        return true;
    }
}
