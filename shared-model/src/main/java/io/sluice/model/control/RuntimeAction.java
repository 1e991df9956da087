package io.sluice.model.control;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a person can ask of a Canary's run through the {@code sluice.io/request} annotation. */
public enum RuntimeAction {
    /** Finish the run now: skip the remaining steps and checks, then promote as usual. */
    PROMOTE,
    /** Roll the run back now, as a failed run. */
    ABORT,
    /** Run the last failed revision again, without a change to the target. */
    RETRY,
    /** Hold the run at its current weight. */
    PAUSE,
    /** Continue a paused run. */
    RESUME;

    /** The name as written in the annotation and the status: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every action's wire name, for messages: {@code promote, abort, retry, pause, resume}. */
    public static String wireNames() {
        return Arrays.stream(values()).map(RuntimeAction::wireName).collect(Collectors.joining(", "));
    }

    /** The action named {@code value} (case-insensitive); {@code null} when none is. */
    public static RuntimeAction parse(String value) {
        for (RuntimeAction action : values()) {
            if (action.wireName().equalsIgnoreCase(value)) {
                return action;
            }
        }
        return null;
    }
}
