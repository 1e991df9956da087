package io.sluice.admission;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The service's logging, set up in code when nothing else configures logback: one line per event on stdout, for
 * the container runtime to collect, through {@link BatchingConsoleAppender}; {@code io.sluice} at
 * {@code SLUICE_LOG_LEVEL} (environment or system property; INFO by default), everything else at WARN.
 *
 * <p>Code rather than a {@code logback.xml}: reading an XML configuration loads logback's configuration model and
 * the JDK's XML parser, about 600 classes that stay loaded for the life of the process (2.5 MiB of metaspace and
 * 1.5 MiB of heap, measured with JDK 17), for a configuration that never changes.
 *
 * <p>Found by logback through {@code META-INF/services}. It steps aside, and logback reads XML as usual, when
 * {@code -Dlogback.configurationFile} is given or a {@code logback.xml} or {@code logback-test.xml} is on the
 * class path: an operator's own configuration, the tests', or that of a process that only embeds these classes
 * (the sandbox).
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n";
    static final String LEVEL_VARIABLE = "SLUICE_LOG_LEVEL";

    private final Function<String, String> settings;
    private final Predicate<String> onClassPath;

    /** As logback's service loader creates it: settings from system properties, then the environment. */
    public LogConfigurator() {
        this(name -> System.getProperty(name, System.getenv(name)),
                resource -> LogConfigurator.class.getClassLoader().getResource(resource) != null);
    }

    LogConfigurator(Function<String, String> settings, Predicate<String> onClassPath) {
        this.settings = settings;
        this.onClassPath = onClassPath;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (settings.apply("logback.configurationFile") != null || onClassPath.test("logback-test.xml")
                || onClassPath.test("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        BatchingConsoleAppender out = new BatchingConsoleAppender();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(out);
        context.getLogger("io.sluice").setLevel(level(context));
        // flagger.app/v1beta1 is the API Sluice serves on purpose; the client's notice about beta versions is noise.
        context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private Level level(LoggerContext context) {
        String value = settings.apply(LEVEL_VARIABLE);
        if (value == null || value.isBlank()) {
            return Level.INFO;
        }
        Level level = Level.toLevel(value.trim(), null);
        if (level == null) {
            context.getStatusManager().add(new ch.qos.logback.core.status.WarnStatus(LEVEL_VARIABLE + "='" + value
                    + "' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); using INFO", this));
            return Level.INFO;
        }
        return level;
    }
}
