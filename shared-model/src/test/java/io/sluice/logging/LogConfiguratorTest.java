package io.sluice.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {
    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        context.stop();
    }

    private ExecutionStatus configure(Map<String, String> settings, Set<String> resources) {
        LogConfigurator configurator = new LogConfigurator(settings::get, resources::contains);
        configurator.setContext(context);
        return configurator.configure(context);
    }

    /** The encoder of the service's appender. */
    private Encoder<ILoggingEvent> encoderOfTheAppender() {
        Appender<ILoggingEvent> out = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT");
        assertThat(out)
                .isInstanceOfSatisfying(
                        BatchingConsoleAppender.class,
                        a -> assertThat(a.isStarted()).isTrue());
        return ((BatchingConsoleAppender) out).encoder();
    }

    @Test
    void withNothingElseConfiguredTheServiceLogsTextLinesThroughTheBatchingAppender() {
        assertThat(configure(Map.of(), Set.of())).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.sluice").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils")
                        .getLevel())
                .isEqualTo(Level.ERROR);
        assertThat(encoderOfTheAppender())
                .isInstanceOfSatisfying(
                        PatternLayoutEncoder.class,
                        e -> assertThat(e.getPattern())
                                .isEqualTo("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level %logger{24} %msg%n"));
    }

    @Test
    void sluiceLogFormatJsonWritesLogbacksJsonLines() {
        configure(Map.of("SLUICE_LOG_FORMAT", "json"), Set.of());

        assertThat(encoderOfTheAppender()).isInstanceOf(JsonEncoder.class);
    }

    @Test
    void anUnknownFormatFallsBackToTextAndSaysSo() {
        configure(Map.of("SLUICE_LOG_FORMAT", "yaml"), Set.of());

        assertThat(encoderOfTheAppender()).isInstanceOf(PatternLayoutEncoder.class);
        assertThat(context.getStatusManager().getCopyOfStatusList()).anySatisfy(s -> {
            assertThat(s.getLevel()).isEqualTo(Status.WARN);
            assertThat(s.getMessage()).contains("SLUICE_LOG_FORMAT='yaml' is not a log format");
        });
    }

    @Test
    void theFlagAcceptsTheAnalyzersTwoValuesOnly() {
        String before = System.getProperty("SLUICE_LOG_FORMAT");
        try {
            LogSettings.useFormat("json");
            assertThat(System.getProperty("SLUICE_LOG_FORMAT")).isEqualTo("json");
            LogSettings.useFormat("text");
            assertThat(System.getProperty("SLUICE_LOG_FORMAT")).isEqualTo("text");
            assertThatThrownBy(() -> LogSettings.useFormat("JSON"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--log-format must be text or json, not JSON");
            assertThat(System.getProperty("SLUICE_LOG_FORMAT")).isEqualTo("text");
        } finally {
            if (before == null) {
                System.clearProperty("SLUICE_LOG_FORMAT");
            } else {
                System.setProperty("SLUICE_LOG_FORMAT", before);
            }
        }
    }

    @Test
    void theLevelFlagAcceptsLogbacksLevelsInAnyCase() {
        String before = System.getProperty("SLUICE_LOG_LEVEL");
        try {
            LogSettings.useLevel("debug");
            assertThat(System.getProperty("SLUICE_LOG_LEVEL")).isEqualTo("DEBUG");
            assertThatThrownBy(() -> LogSettings.useLevel("loud"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, not loud");
            assertThat(System.getProperty("SLUICE_LOG_LEVEL")).isEqualTo("DEBUG");
        } finally {
            if (before == null) {
                System.clearProperty("SLUICE_LOG_LEVEL");
            } else {
                System.setProperty("SLUICE_LOG_LEVEL", before);
            }
        }
    }

    @Test
    void theLevelOfSluiceLoggersComesFromSluiceLogLevel() {
        configure(Map.of("SLUICE_LOG_LEVEL", "debug"), Set.of());

        assertThat(context.getLogger("io.sluice.analyzer.Main").getEffectiveLevel())
                .isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("io.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void anUnknownLevelFallsBackToInfoAndSaysSo() {
        configure(Map.of("SLUICE_LOG_LEVEL", "loud"), Set.of());

        assertThat(context.getLogger("io.sluice").getLevel()).isEqualTo(Level.INFO);
        List<Status> statuses = context.getStatusManager().getCopyOfStatusList();
        assertThat(statuses).anySatisfy(s -> {
            assertThat(s.getLevel()).isEqualTo(Status.WARN);
            assertThat(s.getMessage()).contains("SLUICE_LOG_LEVEL='loud' is not a log level");
        });
    }

    @Test
    void anyConfigurationOfTheOperatorsOrTheTestsWins() {
        assertThat(configure(Map.of("logback.configurationFile", "/etc/sluice/logback.xml"), Set.of()))
                .isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(configure(Map.of(), Set.of("logback.xml"))).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(configure(Map.of(), Set.of("logback-test.xml"))).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT"))
                .as("nothing was set up")
                .isNull();
    }

    @Test
    void logbackFindsItThroughItsServiceLoader() {
        assertThat(ServiceLoader.load(Configurator.class))
                .anySatisfy(c -> assertThat(c).isInstanceOf(LogConfigurator.class));
    }
}
