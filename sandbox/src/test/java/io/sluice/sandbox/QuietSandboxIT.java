package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.mesh.Prometheus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's command line keeps its terminal for what a user reads: its own INFO log goes to a
 * file it names. Runs {@code make sandbox}'s command as its own JVM on the main classes and
 * configuration (not the tests' logging), then uses the kubeconfig it prints.
 */
class QuietSandboxIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();

    @Test
    void upPrintsWhereItLogsAndKeepsItsInfoLinesOffTheTerminal(@TempDir Path dir) throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        require(Prometheus.installed(), "prometheus", "prometheus");
        require(Tools.onPath("hey"), "hey", "hey");
        String testClasspath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String classpath = Arrays.stream(testClasspath.split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Path log = dir.resolve("sandbox.log");
        Path terminal = dir.resolve("terminal.txt");
        Process up = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dsandbox.log.file=" + log,
                        "-cp",
                        classpath,
                        Main.class.getName(),
                        "up",
                        "--without-sluice",
                        "--repo",
                        REPO.toString())
                .redirectErrorStream(true)
                .redirectOutput(terminal.toFile())
                .start();
        try {
            String printed = Wait.until("the sandbox to be up", Duration.ofSeconds(90), () -> {
                String out = read(terminal);
                if (!up.isAlive()) {
                    throw new AssertionError("the sandbox exited:\n" + out);
                }
                return out.contains("Ctrl-C stops everything") ? out : null;
            });
            Matcher kubeconfig = Pattern.compile("export KUBECONFIG=(\\S+)").matcher(printed);
            assertThat(kubeconfig.find()).as(printed).isTrue();
            String namespaces = new Kubectl(Path.of(kubeconfig.group(1)))
                    .run("get", "namespaces")
                    .ok()
                    .out();
            assertThat(namespaces).contains("test");
            assertThat(printed).contains("Sandbox log: " + log);
            assertThat(printed.lines().filter(l -> l.contains(" INFO ")))
                    .as(printed)
                    .isEmpty();
            assertThat(read(log)).contains("sandbox API server listening on");
        } finally {
            up.destroy();
            if (!up.waitFor(30, TimeUnit.SECONDS)) {
                up.destroyForcibly();
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
