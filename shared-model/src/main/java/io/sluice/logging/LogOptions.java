package io.sluice.logging;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The logging flags of both services' command lines, mixed into each {@code Main} with {@code @Mixin}. */
public final class LogOptions {
    @Option(
            names = "--log-format",
            defaultValue = "${env:SLUICE_LOG_FORMAT:-text}",
            description = "Log lines as text or json (env SLUICE_LOG_FORMAT). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--log-level",
            defaultValue = "${env:SLUICE_LOG_LEVEL:-INFO}",
            description = "Level of Sluice's own log lines: TRACE, DEBUG, INFO, WARN, ERROR or OFF; other "
                    + "libraries log at WARN (env SLUICE_LOG_LEVEL). Default: ${DEFAULT-VALUE}.")
    String level;

    /** Sets up logging with these flags; an unknown format or level is a usage error of {@code command}. */
    public void apply(Object command) {
        try {
            LogSettings.useFormat(format);
            LogSettings.useLevel(level);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(command), e.getMessage());
        }
    }
}
