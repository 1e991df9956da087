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
 * One of Sluice's services run unchanged as its own JVM: {@code java -cp} of the module's built
 * classes and its runtime dependencies (the classpath file {@code make} writes), configured only
 * by a kubeconfig (KUBECONFIG) and flags. Output goes to a log file in the sandbox directory.
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

  /** Why the module cannot be run yet, or null when it can. */
  public static String missing(Path repo, String module, String mainClass) {
    Path classes = repo.resolve(module).resolve("target/classes");
    Path main = classes.resolve(mainClass.replace('.', '/') + ".class");
    Path cp = repo.resolve(module).resolve("target/classpath.txt");
    if (!Files.exists(main)) {
      return mainClass + " is not built (" + main + " is missing): the " + module
          + " service has not landed in this tree yet, or `make sandbox-build` was not run";
    }
    if (!Files.exists(cp)) {
      return cp + " is missing: run `make sandbox-build`";
    }
    return null;
  }

  /** The module's classes and runtime dependencies, as {@code make sandbox-build} leaves them. */
  public static String builtClasspath(Path repo, String module, String mainClass) {
    String why = missing(repo, module, mainClass);
    if (why != null) {
      throw new IllegalStateException(why);
    }
    try {
      return repo.resolve(module).resolve("target/classes") + java.io.File.pathSeparator
          + Files.readString(repo.resolve(module).resolve("target/classpath.txt")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SluiceProcess start(String classpath, String module, String mainClass, List<String> args,
      Path kubeconfig, Path logDir) {
    return start(classpath, module, mainClass, args, kubeconfig, Map.of(), logDir);
  }

  public static SluiceProcess start(String classpath, String module, String mainClass, List<String> args,
      Path kubeconfig, Map<String, String> extraEnv, Path logDir) {
    try {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath, mainClass));
      cmd.addAll(args);
      Path log = logDir.resolve(module + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      env.put("KUBECONFIG", kubeconfig.toString());
      env.putAll(extraEnv);
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
