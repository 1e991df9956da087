package io.sluice.admission;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a handler decides about one request. Built through the factories; the endpoint adds the uid and wraps it
 * in an AdmissionReview of the request's version.
 *
 * @param allow    whether the API server may go on
 * @param code     HTTP-style code of the result, {@code 0} for a plain allow
 * @param reason   machine-readable reason ({@code Forbidden}, {@code Invalid}, {@code BadRequest}, …), may be empty
 * @param message  human-readable message, shown by kubectl after "admission webhook … denied the request:"
 * @param causes   per-field causes, the way the API server reports validation errors
 * @param patch    a JSON Patch (an array node), {@code null} when the object is not changed
 * @param warnings messages kubectl prints as {@code Warning: …}
 */
record AdmissionResponse(
        boolean allow,
        int code,
        String reason,
        String message,
        List<Cause> causes,
        JsonNode patch,
        List<String> warnings) {

    /** One field-level cause, as in {@code status.details.causes} of a Kubernetes Status. */
    record Cause(String field, String message, String reason) {}

    AdmissionResponse {
        causes = List.copyOf(causes);
        warnings = List.copyOf(warnings);
    }

    static AdmissionResponse allowed() {
        return new AdmissionResponse(true, 0, "", "", List.of(), null, List.of());
    }

    /** Denied for a reason the user can fix; {@code code} is 403 for policy, 422 for an invalid object. */
    static AdmissionResponse denied(String message, int code) {
        return new AdmissionResponse(false, code, reasonFor(code), message, List.of(), null, List.of());
    }

    /** Denied because fields are invalid: every cause in one answer, so the user fixes them all at once. */
    static AdmissionResponse invalid(String message, List<Cause> causes) {
        return new AdmissionResponse(false, 422, "Invalid", message, causes, null, List.of());
    }

    /** Allowed with a JSON Patch; an empty patch is a plain allow. */
    static AdmissionResponse patched(JsonNode jsonPatch) {
        JsonNode patch = jsonPatch == null || jsonPatch.isEmpty() ? null : jsonPatch;
        return new AdmissionResponse(true, 0, "", "", List.of(), patch, List.of());
    }

    /** The request could not be judged: malformed input ({@code 400}) or a fault of Sluice ({@code 500}). */
    static AdmissionResponse errored(int code, String message) {
        return new AdmissionResponse(false, code, reasonFor(code), message, List.of(), null, List.of());
    }

    /** The same answer with more warnings. */
    AdmissionResponse withWarnings(List<String> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(warnings);
        all.addAll(more);
        return new AdmissionResponse(allow, code, reason, message, causes, patch, all);
    }

    /** How the decision is logged and counted: {@code allowed}, {@code patched}, {@code denied} or {@code errored}. */
    String decision() {
        if (allow) {
            return patch == null ? "allowed" : "patched";
        }
        // 400 (unreadable input) and 5xx (a fault of Sluice) mean nothing was judged.
        return code == 400 || code >= 500 ? "errored" : "denied";
    }

    private static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 403 -> "Forbidden";
            case 409 -> "Conflict";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 500 -> "InternalError";
            case 504 -> "Timeout";
            default -> "";
        };
    }
}
