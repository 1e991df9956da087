package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonObject;

/** A request the API server answers with a {@code Status} failure body. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;
    final String reason;
    final transient JsonObject details;

    ApiError(int code, String reason, String message) {
        this(code, reason, message, null);
    }

    ApiError(int code, String reason, String message, JsonObject details) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    JsonObject status() {
        JsonObject s = new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", getMessage())
                .put("code", code);
        if (reason != null && !reason.isEmpty()) {
            s.put("reason", reason);
        }
        if (details != null) {
            s.put("details", details);
        }
        return s;
    }

    static ApiError notFound(ResourceType type, String name) {
        return new ApiError(
                404,
                "NotFound",
                (type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group()) + " \"" + name
                        + "\" not found",
                new JsonObject().put("name", name).put("group", type.group()).put("kind", type.plural()));
    }
}
