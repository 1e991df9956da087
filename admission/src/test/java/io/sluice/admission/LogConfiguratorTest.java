package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.Appender;
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

    @Test
    void withNothingElseConfiguredTheServiceLogsThroughTheBatchingAppender() {
        assertThat(configure(Map.of(), Set.of())).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.sluice").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils").getLevel())
                .isEqualTo(Level.ERROR);
        Appender<?> out = root.getAppender("OUT");
        assertThat(out).isInstanceOfSatisfying(BatchingConsoleAppender.class, a -> {
            assertThat(a.isStarted()).isTrue();
        });
        assertThat(((PatternLayoutEncoder) ((BatchingConsoleAppender) out).encoder()).getPattern())
                .isEqualTo(LogConfigurator.PATTERN);
    }

    @Test
    void theLevelOfSluiceLoggersComesFromSluiceLogLevel() {
        configure(Map.of("SLUICE_LOG_LEVEL", "debug"), Set.of());

        assertThat(context.getLogger("io.sluice.admission.Main").getEffectiveLevel()).isEqualTo(Level.DEBUG);
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

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT")).as("nothing was set up").isNull();
    }

    @Test
    void logbackFindsItThroughItsServiceLoader() {
        assertThat(ServiceLoader.load(Configurator.class)).anySatisfy(c ->
                assertThat(c).isInstanceOf(LogConfigurator.class));
    }
}
