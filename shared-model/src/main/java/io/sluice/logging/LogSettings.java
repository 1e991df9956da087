package io.sluice.logging;

import java.util.Locale;
import java.util.Set;

/**
 * The two logging settings both services take as flags, {@code --log-format} ({@code text} or {@code json},
 * env {@code SLUICE_LOG_FORMAT}) and {@code --log-level} (env {@code SLUICE_LOG_LEVEL}), handed to
 * {@link LogConfigurator} through system properties. A service's {@code Main} calls {@link #useFormat} and
 * {@link #useLevel} before it creates its first logger, which is when logback sets itself up.
 *
 * <p>Free of logback's types, so a service can check its flags without loading the logging library.
 */
public final class LogSettings {
    public static final String FORMAT_VARIABLE = "SLUICE_LOG_FORMAT";
    public static final String LEVEL_VARIABLE = "SLUICE_LOG_LEVEL";
    static final Set<String> FORMATS = Set.of("text", "json");
    static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogSettings() {}

    /**
     * Chooses the format of every line logged from now on.
     *
     * @throws IllegalArgumentException when {@code format} is neither {@code text} nor {@code json}
     */
    public static void useFormat(String format) {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("--log-format must be text or json, not " + format);
        }
        System.setProperty(FORMAT_VARIABLE, format);
    }

    /**
     * Chooses the level of Sluice's own loggers ({@code io.sluice}); every other library logs at WARN.
     *
     * @throws IllegalArgumentException when {@code level} is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF
     *     (in any case)
     */
    public static void useLevel(String level) {
        String upper = level.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(upper)) {
            throw new IllegalArgumentException(
                    "--log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, not " + level);
        }
        System.setProperty(LEVEL_VARIABLE, upper);
    }
}
