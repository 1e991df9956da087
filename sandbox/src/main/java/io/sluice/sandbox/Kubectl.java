package io.sluice.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against a sandbox kubeconfig (tests skip when kubectl is absent). */
public final class Kubectl {

    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new IllegalStateException("kubectl failed (" + exit + "): " + err + out);
            }
            return this;
        }
    }

    private final Path kubeconfig;
    /** A directory put first on kubectl's PATH, where it finds plugins ({@code kubectl-<name>}); null: none. */
    private final Path plugins;

    /** kubectl against {@code kubeconfig}; null for commands that reach no server ({@code kubectl kustomize}). */
    public Kubectl(Path kubeconfig) {
        this(kubeconfig, null);
    }

    private Kubectl(Path kubeconfig, Path plugins) {
        this.kubeconfig = kubeconfig;
        this.plugins = plugins;
    }

    /**
     * The same kubectl, finding its plugins in {@code dir} first ({@code kubectl sluice} runs {@code
     * dir/kubectl-sluice}). kubectl refuses global flags before a plugin's name, so the kubeconfig is handed over in
     * {@code KUBECONFIG}, which the plugin reads too.
     */
    public Kubectl withPlugins(Path dir) {
        return new Kubectl(kubeconfig, dir);
    }

    private List<String> command() {
        return kubeconfig == null || plugins != null
                ? new ArrayList<>(List.of("kubectl"))
                : new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    }

    private ProcessBuilder process(List<String> cmd) {
        ProcessBuilder builder = new ProcessBuilder(cmd);
        if (plugins != null) {
            Map<String, String> env = builder.environment();
            String path = env.get("PATH");
            env.put("PATH", plugins + (path == null || path.isEmpty() ? "" : java.io.File.pathSeparator + path));
            if (kubeconfig != null) {
                env.put("KUBECONFIG", kubeconfig.toString());
            }
        }
        return builder;
    }

    public static boolean available() {
        return Tools.onPath("kubectl");
    }

    /**
     * kubectl before 1.27 validates client-side against an OpenAPI v2 download, which the sandbox
     * does not serve (newer ones learn from the OpenAPI v3 index that the server validates); with
     * such a kubectl (Debian's kubernetes-client is 1.20) writes are sent with --validate=false.
     */
    private static volatile Boolean oldClient;

    static boolean oldClient() {
        if (oldClient == null) {
            try {
                Process p = new ProcessBuilder("kubectl", "version", "--client", "-o", "json")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(30, TimeUnit.SECONDS);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"minor\"\\s*:\\s*\"(\\d+)")
                        .matcher(out);
                oldClient = m.find() && Integer.parseInt(m.group(1)) < 27;
            } catch (IOException e) {
                oldClient = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                oldClient = false;
            }
        }
        return oldClient;
    }

    /** A kubectl left running (a watch, a wait): its output so far, its end. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path out;

        Running(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        /** What it printed so far, stdout and stderr together. */
        public String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        /** Its exit code once it ended within {@code seconds}, else null. */
        public Integer exitWithin(long seconds) {
            try {
                return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
                Files.deleteIfExists(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // a temporary file left behind
            }
        }
    }

    /** Starts kubectl and leaves it running. */
    public Running start(String... args) {
        List<String> cmd = command();
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Process p = process(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            return new Running(p, out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl: " + e.getMessage(), e);
        }
    }

    public Result run(String... args) {
        List<String> cmd = command();
        cmd.addAll(List.of(args));
        boolean fromFile = List.of(args).contains("-f");
        if (args.length > 0 && List.of("apply", "create", "replace").contains(args[0]) && fromFile && oldClient()) {
            cmd.add("--validate=false");
        }
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                Process p = process(cmd)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            "kubectl " + String.join(" ", args) + " did not finish within 60 s");
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
