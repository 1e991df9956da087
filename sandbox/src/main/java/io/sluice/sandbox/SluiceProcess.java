package io.sluice.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of Sluice's services run unchanged as its own JVM, from its packaged jar and runtime
 * dependencies, with the flags and environment of its installed Deployment ({@link Installed}) and a
 * kubeconfig (KUBECONFIG) in place of the pod's service account. Output goes to a log file in the
 * sandbox directory.
 */
public final class SluiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private SluiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Why the module cannot be run as packaged, or null when it can. */
    public static String missing(Path repo, String module, String mainClass) {
        Path target = repo.resolve(module).resolve("target");
        if (jar(target, module) == null) {
            return module + "/target/" + module + "-<version>.jar is missing: run `make sandbox-build`";
        }
        if (!Files.isDirectory(target.resolve("lib")) && !Files.exists(target.resolve(RUNTIME_CLASSPATH))) {
            return module + "/target/" + RUNTIME_CLASSPATH + " is missing: run `make sandbox-build`";
        }
        return null;
    }

    static final String RUNTIME_CLASSPATH = "runtime-classpath.txt";

    /**
     * The module as packaged: {@code -jar} of its jar when the build laid its runtime dependencies
     * into {@code target/lib} (the jar's manifest names them), else its jar with the runtime class
     * path {@code make sandbox-build} writes (never test-scoped libraries).
     */
    public static List<String> packaged(Path repo, String module, String mainClass) {
        String why = missing(repo, module, mainClass);
        if (why != null) {
            throw new IllegalStateException(why);
        }
        Path target = repo.resolve(module).resolve("target");
        Path jar = jar(target, module);
        if (Files.isDirectory(target.resolve("lib"))) {
            return List.of("-jar", jar.toString());
        }
        try {
            return List.of(
                    "-cp",
                    jar
                            + java.io.File.pathSeparator
                            + Files.readString(target.resolve(RUNTIME_CLASSPATH))
                                    .strip(),
                    mainClass);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path jar(Path target, String module) {
        try (var files = Files.list(target)) {
            return files.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.startsWith(module + "-")
                                && n.endsWith(".jar")
                                && !n.endsWith("-sources.jar")
                                && !n.endsWith("-tests.jar");
                    })
                    .sorted()
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Starts the service: {@code java}, a memory ceiling of the container's limit ({@code -XX:MaxRAM}, what
     * the JVM reads from the cgroup in a pod), the launch arguments and the flags; the environment is the
     * container's (JAVA_TOOL_OPTIONS included) plus KUBECONFIG.
     */
    public static SluiceProcess start(
            List<String> launch,
            String module,
            List<String> args,
            Path kubeconfig,
            Map<String, String> extraEnv,
            long memoryLimit,
            Path logDir) {
        try {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            if (memoryLimit > 0) {
                cmd.add("-XX:MaxRAM=" + memoryLimit);
            }
            cmd.addAll(launch);
            cmd.addAll(args);
            Path log = logDir.resolve(module + ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.putAll(extraEnv);
            env.put("KUBECONFIG", kubeconfig.toString());
            Process process = pb.start();
            // Even if this JVM dies without closing the sandbox (a killed test run), the service goes too.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-" + module));
            return new SluiceProcess(module, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    public String name() {
        return name;
    }

    /** The last lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Freezes the process (SIGSTOP), the way a wedged service looks from outside: it holds its sockets and its
     * state, and answers nothing.
     */
    public void freeze() {
        try {
            Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -STOP " + process.pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while freezing " + name, e);
        }
    }

    /** Kills the process (SIGKILL, what the kubelet does to a container whose liveness probe fails) and waits. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the service as a rolling update does: SIGTERM, then up to 15 s for its shutdown hooks, then SIGKILL if it
     * is still running.
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
