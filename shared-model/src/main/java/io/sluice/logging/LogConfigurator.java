package io.sluice.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.WarnStatus;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sluice's logging, set up in code when nothing else configures logback: one line per event on stdout, for the
 * container runtime to collect, as text or as logback's JSON ({@code SLUICE_LOG_FORMAT}, {@code text} or
 * {@code json}, the values of the analyzer's {@code --log-format}); {@code io.sluice} at {@code SLUICE_LOG_LEVEL}
 * (INFO by default), everything else at WARN. Both services, the admission service and the analyzer, log
 * through it. Both settings are read from system properties, then the
 * environment: a service's {@code Main} sets them from its {@code --log-format} and {@code --log-level} flags
 * through {@link LogSettings} before it creates its first logger.
 *
 * <p>Lines go to stdout through {@link BatchingConsoleAppender}, which writes what has queued every 20 ms in one
 * call (why not logback's {@code AsyncAppender} is said there).
 *
 * <p>Found by logback through {@code META-INF/services}. It steps aside, and logback reads XML as usual, when
 * {@code -Dlogback.configurationFile} is given or a {@code logback.xml} or {@code logback-test.xml} is on the
 * class path: an operator's own configuration, the tests', or that of a process that only embeds these classes.
 * Code rather than XML because reading XML loads logback's configuration model and the JDK's XML parser, about
 * 600 classes kept for the life of the process, for a configuration that never changes.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level %logger{24} %msg%n";
    static final String FORMAT_VARIABLE = LogSettings.FORMAT_VARIABLE;
    static final String LEVEL_VARIABLE = LogSettings.LEVEL_VARIABLE;

    private final Function<String, String> settings;
    private final Predicate<String> onClassPath;

    /** As logback's service loader creates it: settings from system properties, then the environment. */
    public LogConfigurator() {
        this(
                name -> System.getProperty(name, System.getenv(name)),
                resource -> LogConfigurator.class.getClassLoader().getResource(resource) != null);
    }

    LogConfigurator(Function<String, String> settings, Predicate<String> onClassPath) {
        this.settings = settings;
        this.onClassPath = onClassPath;
    }

    /**
     * Stops logback, which writes every line still queued: a service calls it last when it shuts down. Does
     * nothing when another SLF4J binding is in use.
     */
    public static void stopLogging() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext logs) {
            logs.stop();
        }
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (settings.apply("logback.configurationFile") != null
                || onClassPath.test("logback-test.xml")
                || onClassPath.test("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        BatchingConsoleAppender out = new BatchingConsoleAppender();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder(context));
        out.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(out);
        context.getLogger("io.sluice").setLevel(level(context));
        // flagger.app/v1beta1 is the API Sluice serves on purpose; the client's notice about beta versions is noise.
        context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils")
                .setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private Encoder<ILoggingEvent> encoder(LoggerContext context) {
        String format = setting(FORMAT_VARIABLE);
        Encoder<ILoggingEvent> encoder;
        if ("json".equals(format)) {
            encoder = new JsonEncoder();
        } else {
            if (!format.isEmpty() && !"text".equals(format)) {
                warn(context, FORMAT_VARIABLE + "='" + format + "' is not a log format (text, json); using text");
            }
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern(PATTERN);
            encoder = pattern;
        }
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    private Level level(LoggerContext context) {
        String value = setting(LEVEL_VARIABLE);
        if (value.isEmpty()) {
            return Level.INFO;
        }
        Level level = Level.toLevel(value, null);
        if (level == null) {
            warn(
                    context,
                    LEVEL_VARIABLE + "='" + value + "' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR, "
                            + "OFF); using INFO");
            return Level.INFO;
        }
        return level;
    }

    private String setting(String name) {
        String value = settings.apply(name);
        return value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    }

    private void warn(LoggerContext context, String message) {
        context.getStatusManager().add(new WarnStatus(message, this));
    }
}
