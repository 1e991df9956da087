package io.sluice.model.validation;

import io.sluice.model.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Collects violations while a validator walks an object; the building blocks every validator shares. */
final class Checks {
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern IANA_SVC_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private final List<Violation> violations = new ArrayList<>();
    private final List<Violation> warnings = new ArrayList<>();

    List<Violation> violations() {
        return List.copyOf(violations);
    }

    /** What Flagger accepts and runs but is probably a mistake: admitted, with a warning. */
    List<Violation> warnings() {
        return List.copyOf(warnings);
    }

    void warn(String field, String message) {
        warnings.add(new Violation(field, message));
    }

    void add(String field, String message) {
        violations.add(new Violation(field, message));
    }

    boolean required(String field, Object value) {
        if (value == null || value instanceof String s && s.isEmpty()) {
            add(field, "is required");
            return false;
        }
        return true;
    }

    void range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            add(field, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    void atLeast(String field, Integer value, int min) {
        if (value != null && value < min) {
            add(field, "must be at least " + min + ", got " + value);
        }
    }

    void oneOf(String field, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            add(field, "must be one of " + String.join(", ", allowed) + ", got \"" + value + "\"");
        }
    }

    /** A positive Go-style duration such as {@code 30s} or {@code 1m30s}; absent is fine. */
    Optional<Duration> duration(String field, String value) {
        if (value == null) {
            return Optional.empty();
        }
        Optional<Duration> d = Durations.parse(value);
        if (d.isEmpty()) {
            add(field, "\"" + value + "\" is not a duration; use a number with a unit, such as 30s, 1m or 1m30s");
        } else if (d.get().isNegative() || d.get().isZero()) {
            add(field, "must be a positive duration, got \"" + value + "\"");
            return Optional.empty();
        }
        return d;
    }

    /** An absolute http or https URL with a host; absent is fine. */
    void httpUrl(String field, String value) {
        if (value == null) {
            return;
        }
        String problem = null;
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute() || uri.getScheme() == null) {
                problem = "is not an absolute URL";
            } else if (!uri.getScheme().equalsIgnoreCase("http")
                    && !uri.getScheme().equalsIgnoreCase("https")) {
                problem = "must use http or https, got " + uri.getScheme();
            } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                problem = "has no host";
            }
        } catch (URISyntaxException e) {
            problem = "is not a valid URL (" + e.getReason() + ")";
        }
        if (problem != null) {
            add(field, "\"" + value + "\" " + problem);
        }
    }

    /** A DNS-1123 label: what a Service, a label value or a generated name must be. */
    void dnsLabel(String field, String value, String what) {
        if (value == null || value.isEmpty()) {
            return;
        }
        if (value.length() > 63) {
            add(
                    field,
                    what + " \"" + value + "\" is " + value.length()
                            + " characters long; it must be a DNS-1123 label of at most 63 characters");
        } else if (!DNS_1123_LABEL.matcher(value).matches()) {
            add(
                    field,
                    what + " \"" + value + "\" must be a DNS-1123 label: lower-case letters, digits and '-', "
                            + "starting and ending with a letter or digit");
        }
    }

    /** A container port name (IANA service name): at most 15 characters, with at least one letter. */
    void portName(String field, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        if (value.length() > 15
                || !IANA_SVC_NAME.matcher(value).matches()
                || value.contains("--")
                || value.chars().noneMatch(Character::isLetter)) {
            add(
                    field,
                    "\"" + value + "\" is not a valid port name: at most 15 lower-case letters, digits and "
                            + "single '-', with at least one letter");
        }
    }

    static String index(String field, int i) {
        return field + "[" + i + "]";
    }
}
