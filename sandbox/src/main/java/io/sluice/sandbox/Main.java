package io.sluice.sandbox;

import io.sluice.sandbox.mesh.Prometheus;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sandbox's command line: {@code demo}, {@code up} (make sandbox) and {@code bench-detection}. */
@Command(
        name = "sluice-sandbox",
        mixinStandardHelpOptions = true,
        description =
                "A local stand-in for the cluster around Sluice, with Sluice in it. Development and test tool only.",
        subcommands = {Main.Demo.class, Main.Up.class, DetectionBench.class})
public final class Main {

    static class Common {
        @Option(names = "--repo", defaultValue = ".", description = "Sluice checkout (manifests and built modules).")
        Path repo;

        @Option(
                names = "--analyzer-arg",
                description = "A flag for the analyzer (--flag=value) on top of those of its "
                        + "Deployment in manifests/, replacing the same flag; {prometheus} is replaced by the sandbox Prometheus URL, "
                        + "{port} by the analyzer's loopback port.")
        List<String> analyzerArgs;

        @Option(names = "--scrape-interval", defaultValue = "2s", description = "Prometheus scrape interval.")
        String scrape;

        Environment.Options options(boolean admission, boolean analyzer) {
            List<String> args = analyzerArgs == null ? Environment.NO_EXTRA_ARGS : analyzerArgs;
            Path root = repo.toAbsolutePath().normalize();
            return new Environment.Options(
                    root,
                    Duration.ofSeconds(Long.parseLong(scrape.replace("s", ""))),
                    args,
                    admission,
                    analyzer,
                    (module, mainClass) -> SluiceProcess.packaged(root, module, mainClass));
        }

        /** Stops at once, naming what is missing and how to get it. */
        void preflight(boolean needSluice) {
            List<String> missing = new ArrayList<>();
            for (String[] tool : new String[][] {
                {"kubectl", "apt-get install -y kubectl (or kubernetes-client)"},
                {"prometheus", "apt-get install -y prometheus"},
                {"hey", "apt-get install -y hey"},
                {"curl", "apt-get install -y curl"},
                {"bash", "apt-get install -y bash"}
            }) {
                if (!Tools.onPath(tool[0])) {
                    missing.add(tool[0] + " (" + tool[1] + ")");
                }
            }
            if (needSluice) {
                for (String[] m : new String[][] {
                    {"admission", Environment.ADMISSION_MAIN}, {"analyzer", Environment.ANALYZER_MAIN}
                }) {
                    String why = SluiceProcess.missing(repo, m[0], m[1]);
                    if (why != null) {
                        missing.add(why);
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        "cannot start the sandbox, missing:\n  - " + String.join("\n  - ", missing));
            }
        }
    }

    @Command(name = "demo", description = "Plays the seed: promotion of 6.0.1, rollback of 6.0.2 under HTTP 500s.")
    static final class Demo extends Common implements Callable<Integer> {
        @Option(names = "--run-timeout", defaultValue = "600", description = "Seconds one run may take.")
        long runTimeout;

        @Override
        public Integer call() {
            preflight(true);
            PrintStream out = System.out;
            try (Environment env = Environment.start(options(true, true))) {
                out.println("Sandbox up: API server " + env.sandbox().api().url() + ", Prometheus "
                        + env.sandbox().prometheus().map(Prometheus::url).orElse("-"));
                out.println("Sandbox log: " + logFile() + "; Sluice's logs: "
                        + repo.resolve(DEMO_LOGS).toAbsolutePath());
                try {
                    return play(env, out);
                } finally {
                    env.keepLogs(repo.resolve(DEMO_LOGS));
                }
            }
        }

        private int play(Environment env, PrintStream out) {
            out.println("$ kubectl apply -f manifests/examples/podinfo/");
            env.applySeed();
            Environment.await("the Canary to be Initialized", Duration.ofSeconds(120), () -> {
                env.checkAlive();
                JsonObject c = env.canary(SeedRun.NAMESPACE, SeedRun.CANARY);
                return c != null
                        && "Initialized"
                                .equals(c.getJsonObject("status", new JsonObject())
                                        .getString("phase"));
            });
            out.print(env.kubectl().run("-n", "test", "get", "canary").ok().out());
            out.println();
            SeedRun.Outcome promoted =
                    SeedRun.play(env, "ghcr.io/stefanprodan/podinfo:6.0.1", false, Duration.ofSeconds(runTimeout), out);
            boolean events1 = SeedRun.promotedAsSeed(SeedRun.lastRunMessages(env));
            out.println();
            SeedRun.Outcome rolledBack =
                    SeedRun.play(env, "ghcr.io/stefanprodan/podinfo:6.0.2", true, Duration.ofSeconds(runTimeout), out);
            boolean events2 = SeedRun.rolledBackAsSeed(SeedRun.lastRunMessages(env));
            boolean ok1 = promoted.phase().equals("Succeeded")
                    && promoted.primaryImage().endsWith(":6.0.1")
                    && events1;
            boolean ok2 = rolledBack.phase().equals("Failed")
                    && rolledBack.primaryImage().endsWith(":6.0.1")
                    && events2;
            out.println();
            out.println("Summary");
            summary(out, "6.0.1", promoted, ok1, events1, "promoted, as in the seed");
            summary(out, "6.0.2", rolledBack, ok2, events2, "rolled back, as in the seed");
            return ok1 && ok2 ? 0 : 1;
        }
    }

    static final String DEMO_LOGS = "sandbox/target/demo-logs";

    /** One line of the demo's summary: how the run of {@code version} ended and whether that is the seed's. */
    private static void summary(
            PrintStream out, String version, SeedRun.Outcome run, boolean ok, boolean seedEvents, String asSeed) {
        out.printf(
                "  %s: %s in %ds, canary weights %s, primary runs %s, started by %s  -> %s%n",
                version,
                run.phase(),
                run.took().toSeconds(),
                run.canaryWeights(),
                run.primaryImage(),
                who(run.admittedRevision()),
                ok ? asSeed : "NOT as in the seed" + (seedEvents ? "" : " (Events differ from the seed's sequence)"));
    }

    static String who(JsonObject admitted) {
        return admitted == null
                ? "(no admittedRevision)"
                : admitted.getString("user", "?") + " via " + admitted.getString("source", "?");
    }

    @Command(name = "up", description = "Starts the sandbox with Sluice and the seed's objects and keeps it up.")
    static final class Up extends Common implements Callable<Integer> {
        @Option(names = "--without-sluice", description = "Start only the cluster stand-ins.")
        boolean withoutSluice;

        @Override
        public Integer call() throws InterruptedException {
            preflight(!withoutSluice);
            Environment env = Environment.start(options(!withoutSluice, !withoutSluice));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                env.close();
                stopped.countDown();
            }));
            env.applySeed();
            Path kubeconfig = env.sandbox().adminKubeconfig();
            System.out.println("Sandbox up. In another shell:");
            System.out.println("  export KUBECONFIG=" + kubeconfig);
            System.out.println("  kubectl -n test get canary,deploy,svc,routetables");
            System.out.println("  curl -H 'Host: " + SeedRun.HOST + "' http://127.0.0.1:"
                    + env.sandbox().cluster().gatewayPort() + "/");
            System.out.println("  Prometheus: "
                    + env.sandbox().prometheus().map(Prometheus::url).orElse("-"));
            System.out.println("Sandbox log: " + logFile() + "; Sluice's logs: "
                    + env.sandbox().dir());
            System.out.println(
                    "Ctrl-C stops everything and removes " + env.sandbox().dir());
            stopped.await();
            return 0;
        }
    }

    /**
     * Where the sandbox's own log goes ({@code -Dsandbox.log.file} or {@code sandbox/target/sandbox.log}
     * under the working directory); set before anything logs, since logback reads it when it starts.
     */
    static Path logFile() {
        Path file = Path.of(System.getProperty("sandbox.log.file", "sandbox/target/sandbox.log"))
                .toAbsolutePath();
        try {
            java.nio.file.Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the directory of the sandbox log " + file, e);
        }
        System.setProperty("sandbox.log.file", file.toString());
        return file;
    }

    public static void main(String[] args) {
        logFile();
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }
}
