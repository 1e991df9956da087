package io.sluice.model.control;

import java.util.Objects;

/**
 * A request as written in the {@code sluice.io/request} annotation: {@code <action>} or
 * {@code <action>@<revision>}. Without a revision, the request applies to the run in progress when it is admitted
 * (the admission service records which one); with one, it applies only to that revision, so a request written for
 * one run can never act on a later one.
 *
 * @param action what is asked
 * @param revision the revision it applies to; {@code null} for "the current run"
 */
public record RuntimeRequest(RuntimeAction action, String revision) {

    /** Separates the action from the revision in the annotation's value. */
    public static final char REVISION_SEPARATOR = '@';

    public RuntimeRequest {
        Objects.requireNonNull(action, "action");
        if (revision != null && revision.isBlank()) {
            revision = null;
        }
    }

    /**
     * Reads the annotation's value.
     *
     * @throws IllegalArgumentException naming what is wrong, for a message the requester sees
     */
    public static RuntimeRequest parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("is empty; expected <action> or <action>@<revision>, where <action> is"
                    + " one of " + RuntimeAction.wireNames());
        }
        String trimmed = value.strip();
        int at = trimmed.indexOf(REVISION_SEPARATOR);
        String actionPart = at < 0 ? trimmed : trimmed.substring(0, at);
        String revisionPart = at < 0 ? null : trimmed.substring(at + 1);
        RuntimeAction action = RuntimeAction.parse(actionPart);
        if (action == null) {
            throw new IllegalArgumentException(
                    "names no known action \"" + actionPart + "\"; expected one of " + RuntimeAction.wireNames());
        }
        if (revisionPart != null
                && (revisionPart.isEmpty() || !revisionPart.chars().allMatch(RuntimeRequest::revisionChar))) {
            throw new IllegalArgumentException("has no valid revision after '" + REVISION_SEPARATOR + "': \""
                    + revisionPart + "\" (a revision is the one `kubectl get canary -o yaml` shows in"
                    + " status.currentRun.revision or status.lastAppliedSpec)");
        }
        return new RuntimeRequest(action, revisionPart);
    }

    /** The annotation value that asks for this request. */
    public String annotationValue() {
        return revision == null ? action.wireName() : action.wireName() + REVISION_SEPARATOR + revision;
    }

    private static boolean revisionChar(int c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.';
    }
}
