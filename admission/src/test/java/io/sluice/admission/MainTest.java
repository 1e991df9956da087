package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

class MainTest {

    @Test
    void everyFlagIsDocumentedWithItsEnvironmentVariable() {
        int flags = 0;
        // The command's options, so that flags mixed in (LogOptions) are held to the same rule.
        for (CommandLine.Model.OptionSpec option :
                new CommandLine(new Main()).getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            flags++;
            String name = option.names()[0];
            String description = String.join(" ", option.description());
            // The default as declared (the spec's is already interpolated).
            String declared =
                    ((Field) option.userObject()).getAnnotation(Option.class).defaultValue();
            assertThat(declared).as(name + " reads an environment variable").startsWith("${env:");
            String variable = declared.substring("${env:".length(), declared.indexOf(":-"));
            assertThat(description).as(name + " names " + variable).contains("env " + variable);
        }
        assertThat(flags)
                .as("flags besides --help and --version")
                .isEqualTo(
                        new CommandLine(new Main()).getCommandSpec().options().size() - 2);
    }

    @Test
    void aDurationThatDoesNotParseIsAClearError() {
        assertThatThrownBy(() -> Main.duration("--status-write-budget", "two seconds"))
                .hasMessage("--status-write-budget: 'two seconds' is not a duration (e.g. 500ms, 2s, 10m)");
    }

    @Test
    void sourcePairsMustBeNameEqualsSource() {
        assertThat(Main.pairs("--source-manager", List.of("pulumi=other", " "))).containsEntry("pulumi", "other");
        assertThatThrownBy(() -> Main.pairs("--source-manager", List.of("pulumi")))
                .hasMessage("--source-manager: 'pulumi' is not name=source");
    }

    @Test
    void noCrossNamespaceRefsIsOffByDefaultAndTakesFlaggersSpellings() {
        assertThat(parsed().noCrossNamespaceRefs).isFalse();
        assertThat(parsed("--no-cross-namespace-refs").noCrossNamespaceRefs).isTrue();
        assertThat(parsed("--no-cross-namespace-refs=true").noCrossNamespaceRefs)
                .isTrue();
        assertThat(parsed("--no-cross-namespace-refs=false").noCrossNamespaceRefs)
                .isFalse();
    }

    private static Main parsed(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main;
    }

    @Test
    void versionNamesTheServiceAndItsBuild() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new java.io.PrintWriter(out));

        assertThat(cli.execute("--version")).isZero();
        // From the test class path there is no jar manifest; a packaged jar reports its version (ImageIT).
        assertThat(out.toString().strip()).isEqualTo("sluice-admission dev");
    }
}
