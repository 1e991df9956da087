package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
            assertThat(String.join(" ", o.description())).as(o.longestName()).isNotBlank().contains("env ");
        }
        assertThat(cli.getUsageMessage()).contains("wait-for-route-acceptance", "leader-election",
                "--no-data-policy", "--kube-qps", "--selector-labels");
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
}
