package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the file `make plugin` builds, as kubectl would run it from the PATH. */
class LauncherIT {
    private static final Path EXECUTABLE = Path.of("target", "kubectl-sluice").toAbsolutePath();

    private record Result(int code, String out, String err) {}

    private static Result launch(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(EXECUTABLE.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Never a developer's cluster.
        pb.environment().put("KUBECONFIG", "/dev/null");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the plugin ends").isTrue();
        return new Result(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void isOneExecutableFileThatPrintsItsVersion() throws Exception {
        assertThat(Files.isExecutable(EXECUTABLE))
                .as("%s is executable", EXECUTABLE)
                .isTrue();

        Result version = launch("--version");

        assertThat(version.code()).as(version.err()).isZero();
        assertThat(version.out()).matches("kubectl-sluice \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n");
    }

    @Test
    void helpListsEveryCommandAndAWrongCommandExitsTwo() throws Exception {
        Result help = launch("--help");
        Result wrong = launch("frobnicate");

        assertThat(help.code()).isZero();
        assertThat(help.out())
                .contains("status", "promote", "abort", "retry", "pause", "resume", "wait")
                .contains("Exit codes: 0 done");
        assertThat(wrong.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(wrong.err()).contains("Unmatched argument at index 0: 'frobnicate'");
    }
}
