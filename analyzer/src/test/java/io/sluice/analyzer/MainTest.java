package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {

    @Test
    @DisplayName("--help documents every flag with its environment variable")
    void everyFlagIsDocumented() {
        CommandLine cli = new CommandLine(new Main());
        for (CommandLine.Model.OptionSpec o : cli.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            assertThat(String.join(" ", o.description()))
                    .as(o.longestName())
                    .isNotBlank()
                    .contains("env ");
        }
        assertThat(cli.getUsageMessage())
                .contains(
                        "wait-for-route-acceptance",
                        "leader-election",
                        "--no-data-policy",
                        "--kube-qps",
                        "--selector-labels");
    }

    @Test
    @DisplayName("--max-ticks-per-second defaults to half of --kube-qps, at least one, and 0 turns the cap off")
    void ticksPerSecondDefaultsToHalfTheApiBudget() {
        assertThat(Main.ticksPerSecond(null, 100)).isEqualTo(50);
        assertThat(Main.ticksPerSecond(null, 1)).isEqualTo(1);
        assertThat(Main.ticksPerSecond(0, 100)).isZero();
        assertThat(Main.ticksPerSecond(400, 100)).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GATES.md", "README.md"})
    @DisplayName("every flag a document names is an option of Main, documented with its environment variable")
    void documentedFlagsExist(String document) throws Exception {
        java.util.Set<String> options = new java.util.HashSet<>();
        CommandLine cli = new CommandLine(new Main());
        cli.getCommandSpec().options().forEach(o -> options.addAll(List.of(o.names())));
        List<String> named = flagsInTables(Files.readString(Path.of(document)));
        assertThat(named).as("flags found in " + document).hasSizeGreaterThan(10);
        for (String flag : named) {
            assertThat(options).as(document + " names " + flag).contains(flag);
            assertThat(String.join(" ", cli.getCommandSpec().findOption(flag).description()))
                    .as(flag)
                    .contains("(env ");
        }
    }

    @Test
    @DisplayName("README's flag table lists every option of Main")
    void readmeListsEveryFlag() throws Exception {
        List<String> named = flagsInTables(Files.readString(Path.of("README.md")));
        for (CommandLine.Model.OptionSpec o :
                new CommandLine(new Main()).getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                assertThat(named).as("README.md documents " + o.longestName()).contains(o.longestName());
            }
        }
    }

    /** Flags in the first column of markdown table rows; {@code --[no-]x} names {@code --x}. */
    private static List<String> flagsInTables(String markdown) {
        Matcher m = Pattern.compile("--(?:\\[no-])?([a-z][a-z-]*[a-z])").matcher("");
        return markdown.lines()
                .filter(l -> l.startsWith("| `--"))
                .flatMap(l -> {
                    String first = l.substring(1, l.indexOf('|', 1));
                    return m.reset(first).results().map(r -> "--" + r.group(1)).toList().stream();
                })
                .distinct()
                .toList();
    }

    @Test
    @DisplayName("defaults are Flagger's where Flagger has the flag")
    void defaults() {
        Main m = new Main();
        new CommandLine(m).parseArgs();
        assertThat(m.selectorLabels).containsExactly("app", "name", "app.kubernetes.io/name");
        assertThat(m.qps).isEqualTo(100);
        assertThat(m.burst).isEqualTo(250);
        assertThat(m.leaderElection).isTrue();
        assertThat(m.leaseDuration).isEqualTo(Duration.ofSeconds(60));
        assertThat(m.waitForAcceptance).isFalse();
        assertThat(m.meshProvider).isEqualTo("gloo-mesh");
        assertThat(m.maxConcurrentReconciles).isEqualTo(Settings.MAX_CONCURRENT_RECONCILES);
    }

    @Test
    @DisplayName("--max-concurrent-reconciles below one is refused")
    void noRoomForReconcilesIsRefused() {
        // Main reports its own checks through a CommandLine of its own, which prints to System.err.
        java.io.PrintStream was = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = new CommandLine(new Main()).execute("--max-concurrent-reconciles=0", "--no-leader-election");
        } finally {
            System.setErr(was);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("--max-concurrent-reconciles must be 1 or more, not 0");
    }

    @Test
    @DisplayName("a malformed duration is refused with an example of a good one")
    void badDuration() {
        assertThatThrownBy(() -> new CommandLine(new Main()).parseArgs("--lease-duration=soon"))
                .hasMessageContaining("'soon' is not a duration such as 15s, 1m or 1m30s");
    }

    @Test
    @DisplayName("an unknown no-data policy is refused")
    void badPolicy() {
        int code = new CommandLine(new Main()).execute("--no-data-policy=maybe", "--no-leader-election");
        assertThat(code).isEqualTo(2);
    }

    @Test
    @DisplayName("a negative concurrency budget is refused")
    void badBudget() {
        int code = new CommandLine(new Main()).execute("--max-progressing-canaries=-1", "--no-leader-election");
        assertThat(code).isEqualTo(2);
    }

    @Test
    void versionNamesTheServiceAndItsBuild() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new java.io.PrintWriter(out));

        assertThat(cli.execute("--version")).isZero();
        // From the test class path there is no jar manifest; a packaged jar reports its version (ImageIT).
        assertThat(out.toString().strip()).isEqualTo("sluice-analyzer dev");
    }
}
