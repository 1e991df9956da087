package io.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark starts (the analyzer, the baseline watcher) and measures from outside: CPU from
 * {@code /proc/<pid>/stat}, resident memory from {@code /proc/<pid>/status}, the live heap from a class histogram,
 * which the JVM takes after a full collection ({@code jcmd <pid> GC.class_histogram}).
 */
final class ChildJvm implements AutoCloseable {
    /** Clock ticks per second of {@code /proc/<pid>/stat}'s times (USER_HZ, 100 on Linux). */
    private static final long USER_HZ = 100;

    final String name;
    final Process process;
    final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(String name, List<String> command, Map<String, String> env, Path log) {
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            return new ChildJvm(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** User plus system CPU time of the whole process so far, in milliseconds. */
    long cpuMs() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            // The command name may hold spaces: fields are counted after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000 / USER_HZ;
        } catch (IOException e) {
            throw new UncheckedIOException(name + " is gone", e);
        }
    }

    /** A field of {@code /proc/<pid>/status} in KiB ({@code VmRSS}, {@code VmHWM}). */
    long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException(field + " not in /proc/" + pid() + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException(name + " is gone", e);
        }
    }

    /** The class histogram after a full collection: its total line first, then its largest {@code top} rows. */
    Histogram liveHeap(int top) {
        List<String> out = jcmd("GC.class_histogram");
        Histogram h = Histogram.parse(out, top);
        if (h == null) {
            throw new IllegalStateException("no class histogram from " + name + ": " + out);
        }
        return h;
    }

    /**
     * A class histogram: its total live bytes, its largest {@code top} rows as printed, and the live bytes of every
     * class by name (summed when one name is loaded more than once).
     */
    record Histogram(long totalBytes, List<String> top, Map<String, Long> bytesByClass) {
        /** The histogram {@code jcmd GC.class_histogram} printed; null without its total line. */
        static Histogram parse(List<String> out, int top) {
            long total = -1;
            List<String> rows = new ArrayList<>();
            Map<String, Long> byClass = new HashMap<>();
            for (String line : out) {
                String t = line.trim();
                if (t.startsWith("Total")) {
                    total = Long.parseLong(t.split("\\s+")[2]);
                } else if (t.matches("^\\d+:\\s+\\d+.*")) {
                    // num:  #instances  #bytes  class name (module)
                    String[] f = t.split("\\s+");
                    byClass.merge(f[3], Long.parseLong(f[2]), Long::sum);
                    if (rows.size() < top) {
                        rows.add(t);
                    }
                }
            }
            return total < 0 ? null : new Histogram(total, List.copyOf(rows), Map.copyOf(byClass));
        }
    }

    List<String> jcmd(String... args) {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid())));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> lines =
                    new String(p.getInputStream().readAllBytes()).lines().toList();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + lines);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
