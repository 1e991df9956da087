package io.sluice.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench-scale}: for each size, one analyzer (its packaged jar, its own JVM) and, in the same run, a
 * baseline watcher (its own JVM), against an API server stand-in holding that many Canaries plus untargeted
 * Deployments, and a stand-in Prometheus and webhook receiver. See bench/README.md for what is measured and how.
 */
@Command(
        name = "bench-scale",
        mixinStandardHelpOptions = true,
        description = "Many progressing Canaries on one analyzer: heap, RSS, tick lateness, API and metric load, CPU.")
public final class ScaleBench implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "The repository's root.")
    Path repo;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "1000,5000,10000",
            description = "Canary counts, one run each. Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(
            names = "--duration",
            defaultValue = "10m",
            converter = Durations.class,
            description = "Measured time per size, after warm-up (90s, 3m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--interval",
            defaultValue = "60s",
            converter = Durations.class,
            description = "The Canaries' analysis.interval. Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(
            names = "--other-deployments",
            defaultValue = "20000",
            description = "Deployments no Canary targets. Default: ${DEFAULT-VALUE}.")
    int others;

    @Option(
            names = "--per-namespace",
            defaultValue = "10",
            description = "Canaries per namespace. Default: ${DEFAULT-VALUE}.")
    int perNamespace;

    @Option(
            names = "--step-weight",
            defaultValue = "5",
            description = "analysis.stepWeight (the seed's is 30: runs would end within the measurement)."
                    + " Default: ${DEFAULT-VALUE}.")
    int stepWeight;

    @Option(names = "--max-weight", defaultValue = "50", description = "analysis.maxWeight. Default: ${DEFAULT-VALUE}.")
    int maxWeight;

    @Option(
            names = "--analyzer-java-opts",
            defaultValue = "-XX:+UseSerialGC -Xmx2g -XX:+ExitOnOutOfMemoryError",
            description = "The analyzer's JVM options (and the baseline's: a log file named here needs %p, the process"
                    + " id, in its name). Default: ${DEFAULT-VALUE}.")
    String javaOpts;

    @Option(
            names = "--analyzer-args",
            defaultValue = "",
            description = "Extra analyzer flags, e.g. --kube-qps=1000. Default: none (the analyzer's defaults).")
    String analyzerArgs;

    @Option(
            names = "--jfr",
            split = ",",
            description = "Sizes whose measured window is recorded with JFR (settings=profile) into --out.")
    List<Integer> jfrSizes = List.of();

    @Option(
            names = "--soak",
            description = "Also take each analyzer's live heap (a class histogram, after a full GC) when the window"
                    + " starts and every --heap-every during it, and report the samples, their least-squares slope over"
                    + " the window and over its second half, and the classes that grew most.")
    boolean soak;

    @Option(
            names = "--heap-every",
            defaultValue = "5m",
            converter = Durations.class,
            description = "With --soak: how often the live heap is sampled during the window; each sample is a full"
                    + " GC, whose pause the tick lateness includes. Default: ${DEFAULT-VALUE}.")
    Duration heapEvery;

    @Option(
            names = "--init-timeout",
            defaultValue = "20m",
            converter = Durations.class,
            description = "How long every Canary may take to be Initialized. Default: ${DEFAULT-VALUE}.")
    Duration initTimeout;

    @Option(
            names = "--analyzer-replicas",
            defaultValue = "1",
            description = "Analyzer replicas, each its own JVM: above 1, with leader election and one shard each"
                    + " (--shards=N --replicas=N); figures per replica and summed. Default: ${DEFAULT-VALUE} (no leader"
                    + " election).")
    int replicas;

    @Option(names = "--no-admission", description = "Do not start the admission service next to the analyzer.")
    boolean noAdmission;

    @Option(
            names = "--admission-reviews",
            defaultValue = "300",
            description = "AdmissionReviews (kubectl set image on targets) sent to the admission service after the"
                    + " window. Default: ${DEFAULT-VALUE}.")
    int admissionReviews;

    @Option(
            names = "--admission-connections",
            defaultValue = "4",
            description =
                    "Connections the reviews are sent over, each waiting for its answer. Default: ${DEFAULT-VALUE}.")
    int admissionConnections;

    @Option(
            names = "--admission-java-opts",
            defaultValue = "",
            description = "JVM options after the installed JAVA_TOOL_OPTIONS, so they win (e.g. -Xmx512m)."
                    + " Default: none (as installed).")
    String admissionJavaOpts;

    @Option(names = "--out", description = "Where logs, recordings and results go. Default: bench/target/scale-<time>.")
    Path out;

    public static void main(String[] args) {
        // The mock web server logs every request through java.util.logging at INFO.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        for (var h : java.util.logging.Logger.getLogger("").getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        System.exit(new CommandLine(new ScaleBench()).execute(args));
    }

    static final class Durations implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            return parse(v);
        }
    }

    /** {@code 90s}, {@code 3m}, {@code 1h}, {@code 500ms}. */
    static Duration parse(String v) {
        String t = v.trim();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a duration: '" + v + "' (use e.g. 90s, 3m, 1h)");
        }
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("not a duration: '" + v + "' (use e.g. 90s, 3m, 1h)");
        };
    }

    @Override
    public Integer call() throws Exception {
        if (out == null) {
            out = repo.resolve("bench/target/scale-" + Instant.now().toString().replace(':', '-'));
        }
        if (heapEvery.isNegative() || heapEvery.isZero()) {
            throw new IllegalArgumentException("--heap-every must be positive: " + heapEvery);
        }
        Files.createDirectories(out);
        Replicas.electionFlags(replicas);
        List<String> rows = new ArrayList<>();
        List<String> replicaRows = new ArrayList<>();
        List<String> admissionRows = new ArrayList<>();
        for (int size : sizes) {
            Rows r = run(size);
            rows.add(r.analyzer());
            replicaRows.addAll(r.replicas());
            if (r.admission() != null) {
                admissionRows.add(r.admission());
            }
            Files.write(out.resolve("results.md"), tables(rows, replicaRows, admissionRows));
        }
        System.out.println();
        tables(rows, replicaRows, admissionRows).forEach(System.out::println);
        System.out.println("\nresults, logs and recordings: " + out);
        return 0;
    }

    /**
     * One size's rows: the analyzers' (summed over the replicas), each replica's and their sum's (none for one
     * replica), and the admission service's (null with --no-admission).
     */
    record Rows(String analyzer, List<String> replicas, String admission) {}

    private static List<String> tables(List<String> rows, List<String> replicaRows, List<String> admissionRows) {
        List<String> t = new ArrayList<>(table(rows));
        if (!replicaRows.isEmpty()) {
            t.add("");
            t.addAll(Replicas.table(replicaRows));
        }
        if (!admissionRows.isEmpty()) {
            t.add("");
            t.addAll(AdmissionFigures.table(admissionRows));
        }
        return t;
    }

    private static List<String> table(List<String> rows) {
        List<String> t = new ArrayList<>();
        t.add("| Canaries | time to all Initialized | heap after full GC, analyzer / baseline (MiB) | RSS analyzer /"
                + " baseline (MiB) | ticks | tick lateness p50 / p99 / max (s) | the analyzer's own lateness p50 / p99 /"
                + " max (s, bucket bounds) | API req/s | API req per tick |"
                + " reconciles per tick | metric queries/s | CPU ms per tick | CPU analyzer / baseline (cores) |"
                + " phases at the end |");
        t.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        t.addAll(rows);
        return t;
    }

    private Rows run(int size) throws Exception {
        say("size %d: load average %s", size, load());
        Vertx vertx = Vertx.vertx();
        Ticks ticks = new Ticks(interval.toMillis());
        StandInGates gates = new StandInGates(ticks);
        int gatesPort = gates.start(vertx).await();
        StandInApi api = new StandInApi();
        KubernetesMockServer server =
                new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        String apiUrl = "http://127.0.0.1:" + server.getPort();
        try (KubernetesClient client = server.createClient()) {
            registerCrds(client);
        }
        Cluster cluster = new Cluster(
                api,
                repo,
                new Cluster.Settings(perNamespace, interval, stepWeight, maxWeight, "http://127.0.0.1:" + gatesPort));
        long seedStart = System.nanoTime();
        cluster.seed(size, others);
        say(
                "size %d: %d Canaries with targets and parents, %d other Deployments written in %.1f s",
                size, size, others, (System.nanoTime() - seedStart) / 1e9);

        Path dir = Files.createDirectories(out.resolve("size-" + size));
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfig(apiUrl));
        List<String> opts = List.of(javaOpts.trim().split("\\s+"));
        List<Integer> ports = new ArrayList<>();
        List<List<String>> analyzerCmds = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            int port = freePort();
            ports.add(port);
            List<String> analyzerCmd = new ArrayList<>(List.of("java"));
            analyzerCmd.addAll(opts);
            analyzerCmd.addAll(List.of("-jar", analyzerJar().toString(), "--kubeconfig=" + kubeconfig));
            analyzerCmd.addAll(Replicas.electionFlags(replicas));
            analyzerCmd.addAll(List.of(
                    "--metrics-server=http://127.0.0.1:" + gatesPort,
                    "--listen-address=127.0.0.1",
                    "--port=" + port,
                    "--log-format=json"));
            if (!analyzerArgs.isBlank()) {
                analyzerCmd.addAll(List.of(analyzerArgs.trim().split("\\s+")));
            }
            analyzerCmds.add(analyzerCmd);
        }
        List<String> baselineCmd = new ArrayList<>(List.of("java"));
        baselineCmd.addAll(opts);
        baselineCmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Baseline.class.getName(), apiUrl));
        AdmissionFigures admissionFigures = noAdmission ? null : new AdmissionFigures(size);
        long started = System.currentTimeMillis();
        try (AdmissionService admission = startAdmission(admissionFigures, dir, kubeconfig);
                Analyzers analyzers = Analyzers.start(analyzerCmds, dir, replicas);
                ChildJvm baseline = ChildJvm.start("baseline", baselineCmd, Map.of(), dir.resolve("baseline.log"))) {
            if (replicas > 1) {
                Map<String, List<Integer>> held = awaitSpread(api, analyzers);
                say(
                        "size %d: every replica holds a shard %.1f s after the analyzers started: %s",
                        size, (System.currentTimeMillis() - started) / 1e3, held);
            }
            Duration toInitialized = awaitInitialized(api, size, started, analyzers);
            List<String> failedStart = failedStart(api);
            String initialized = String.format("%.1f s", toInitialized.toMillis() / 1e3)
                    + (failedStart.isEmpty() ? "" : " (" + failedStart.size() + " failed their start)");
            say("size %d: all Initialized %s after the analyzer started", size, initialized);
            if (!failedStart.isEmpty()) {
                say(
                        "size %d: %d Canaries failed before they were Initialized (the release starts them again): %s",
                        size, failedStart.size(), failedStart.subList(0, Math.min(10, failedStart.size())));
            }

            cluster.release(size, "6.0.1");
            long released = System.currentTimeMillis();
            say("size %d: new revision on every target; warming up for one interval and a half", size);
            Thread.sleep(interval.toMillis() * 3 / 2);
            analyzers.ensureAlive();

            // With --soak, each analyzer's live heap over the window, and its classes' live bytes at the start.
            List<List<HeapTrend.Sample>> heaps = new ArrayList<>();
            List<Map<String, Long>> startClasses = new ArrayList<>();
            if (soak) {
                for (ChildJvm a : analyzers.jvms()) {
                    ChildJvm.Histogram h = a.liveHeap(0);
                    heaps.add(new ArrayList<>(List.of(new HeapTrend.Sample(0, h.totalBytes()))));
                    startClasses.add(h.bytesByClass());
                }
            }
            ticks.measure();
            Pauses pauses = Pauses.count();
            Snapshot before = new Snapshot(api, gates, analyzers, baseline, ports);
            if (jfrSizes.contains(size)) {
                for (int i = 0; i < replicas; i++) {
                    analyzers
                            .jvms()
                            .get(i)
                            .jcmd(
                                    "JFR.start",
                                    "name=bench",
                                    "settings=profile",
                                    "filename="
                                            + dir.resolve(Replicas.file(i, replicas, "jfr"))
                                                    .toAbsolutePath());
                }
            }
            List<String> rss = new ArrayList<>();
            long windowStart = System.nanoTime();
            long end = windowStart + duration.toNanos();
            long nextHeap = windowStart + heapEvery.toNanos();
            while (System.nanoTime() < end) {
                long until = soak ? Math.min(end, nextHeap) : end;
                Thread.sleep(Math.min(30_000, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                analyzers.ensureAlive();
                if (soak && System.nanoTime() >= nextHeap && System.nanoTime() < end) {
                    for (int i = 0; i < replicas; i++) {
                        long bytes = analyzers.jvms().get(i).liveHeap(0).totalBytes();
                        heaps.get(i).add(new HeapTrend.Sample((System.nanoTime() - windowStart) / 60e9, bytes));
                    }
                    nextHeap += heapEvery.toNanos();
                    say(
                            "size %d: live heap %s MiB",
                            size,
                            heaps.stream()
                                    .map(h -> String.format(
                                            "%.1f", h.get(h.size() - 1).mib()))
                                    .collect(Collectors.joining(" + ")));
                }
                rss.add(String.format(
                        "%.0f s: analyzer VmRSS %s MiB, baseline VmRSS %d MiB,%s phases %s",
                        (System.nanoTime() - windowStart) / 1e9,
                        analyzers.jvms().stream()
                                .map(a -> Long.toString(a.statusKib("VmRSS") / 1024))
                                .collect(Collectors.joining(" + ")),
                        baseline.statusKib("VmRSS") / 1024,
                        admissionRss(admission),
                        phases(api)));
                say("size %d: %s", size, rss.get(rss.size() - 1));
            }
            Ticks.Result result = ticks.stop();
            Snapshot after = new Snapshot(api, gates, analyzers, baseline, ports);
            pauses.close();
            OwnLateness own = after.lateness.since(before.lateness);
            say("size %d: %s", size, own.describe());
            say("size %d: %s", size, result.spread());
            say("size %d: %s", size, pauses.describe());
            if (jfrSizes.contains(size)) {
                for (ChildJvm a : analyzers.jvms()) {
                    a.jcmd("JFR.stop", "name=bench");
                }
            }
            double secs = (System.nanoTime() - windowStart) / 1e9;
            List<ChildJvm.Histogram> aHeaps = new ArrayList<>();
            List<Replicas.Figures> figures = new ArrayList<>();
            List<String> hwm = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                ChildJvm a = analyzers.jvms().get(i);
                ChildJvm.Histogram h = a.liveHeap(25);
                aHeaps.add(h);
                if (soak) {
                    heaps.get(i).add(new HeapTrend.Sample((System.nanoTime() - windowStart) / 60e9, h.totalBytes()));
                }
                hwm.add(Long.toString(a.statusKib("VmHWM")));
                figures.add(new Replicas.Figures(
                        h.totalBytes(),
                        a.statusKib("VmRSS"),
                        after.cpuMs.get(i) - before.cpuMs.get(i),
                        after.reconciles.get(i) < 0 || before.reconciles.get(i) < 0
                                ? -1
                                : after.reconciles.get(i) - before.reconciles.get(i)));
            }
            Replicas.Figures summed = Replicas.Figures.sum(figures);
            ChildJvm.Histogram bHeap = baseline.liveHeap(15);
            long aHeapBytes = summed.heapBytes();
            long aRss = summed.rssKib();
            long bRss = baseline.statusKib("VmRSS");
            long t = Math.max(1, result.ticks());
            long apiRequests = after.apiRequests - before.apiRequests;
            long aCpu = summed.cpuMs();
            long bCpu = after.baselineCpuMs - before.baselineCpuMs;
            List<String> replicaRows = new ArrayList<>();
            List<String> histograms = new ArrayList<>();
            if (replicas > 1) {
                Map<String, List<Integer>> held = held(api, analyzers);
                for (int i = 0; i < replicas; i++) {
                    String id = Replicas.identity(i, replicas);
                    replicaRows.add(Replicas.row(size, id, shards(held.get(id)), figures.get(i), result.ticks(), secs));
                    say("size %d: %s", size, replicaRows.get(i));
                }
                replicaRows.add(Replicas.row(size, "all", "all", summed, result.ticks(), secs));
            }
            List<String> heapTrend = new ArrayList<>();
            if (!soak) {
                heapTrend.add("heap slope: not measured (--soak)");
            } else {
                for (int i = 0; i < replicas; i++) {
                    heapTrend.addAll(HeapTrend.report(
                            replicas == 1 ? "analyzer" : Replicas.identity(i, replicas),
                            heaps.get(i),
                            HeapTrend.grewMost(
                                    startClasses.get(i), aHeaps.get(i).bytesByClass(), 10)));
                }
                if (replicas > 1) {
                    heapTrend.addAll(HeapTrend.report("all replicas", HeapTrend.sum(heaps), null));
                }
                heapTrend.forEach(l -> say("size %d: %s", size, l));
            }
            for (int i = 0; i < replicas; i++) {
                histograms.add(
                        replicas == 1
                                ? "analyzer heap histogram:"
                                : Replicas.identity(i, replicas) + " heap histogram:");
                histograms.addAll(aHeaps.get(i).top());
            }
            Files.write(
                    dir.resolve("details.txt"),
                    Stream.of(
                                    List.of(
                                            "size " + size,
                                            "released at " + Instant.ofEpochMilli(released),
                                            "window " + secs + " s",
                                            "API requests by method: " + diff(before.byMethod, after.byMethod),
                                            "watches opened: " + api.watches.sum(),
                                            "stand-in API busy: " + (after.apiBusyMs - before.apiBusyMs) + " ms",
                                            "webhook calls: " + (after.webhooks - before.webhooks),
                                            "reconciles: " + summed.reconciles(),
                                            "analyzer VmHWM KiB: " + String.join(" + ", hwm),
                                            own.describe(),
                                            pauses.describe()),
                                    List.of(result.spread().toString()),
                                    result.describeLate(100),
                                    heapTrend,
                                    histograms,
                                    List.of("baseline heap histogram:"),
                                    bHeap.top(),
                                    List.of("RSS samples:"),
                                    rss)
                            .flatMap(List::stream)
                            .toList());
            String row = String.format(
                    "| %s | %s | %.0f / %.0f (%.1fx) | %d / %d | %d | %.2f / %.2f / %.2f | %s | %.1f | %.2f | %s |"
                            + " %.1f | %.2f | %.3f / %.3f (%.1fx) | %s |",
                    replicas == 1 ? Integer.toString(size) : size + " (" + replicas + " replicas)",
                    initialized,
                    aHeapBytes / 1048576.0,
                    bHeap.totalBytes() / 1048576.0,
                    (double) aHeapBytes / bHeap.totalBytes(),
                    aRss / 1024,
                    bRss / 1024,
                    result.ticks(),
                    result.percentile(50) / 1e3,
                    result.percentile(99) / 1e3,
                    result.percentile(100) / 1e3,
                    own.cell(),
                    apiRequests / secs,
                    (double) apiRequests / t,
                    Replicas.perTick(summed.reconciles(), t),
                    (after.queries - before.queries) / secs,
                    (double) aCpu / t,
                    aCpu / 1000.0 / secs,
                    bCpu / 1000.0 / secs,
                    bCpu == 0 ? 0.0 : (double) aCpu / bCpu,
                    phases(api));
            say("size %d: %s", size, row);
            String admissionRow = null;
            if (admissionFigures != null) {
                // After the analyzer's figures: whatever happens to the admission service, those are kept.
                admissionRow = admissionFigures.measure(
                        admission, api, cluster, vertx, admissionReviews, admissionConnections, dir);
                say("size %d: admission %s", size, admissionRow);
            }
            return new Rows(row, replicaRows, admissionRow);
        } finally {
            try {
                server.destroy();
            } catch (RuntimeException e) {
                // The mock server's shutdown waits a fixed time for its watch connections; the results are in.
                say("size %d: the stand-in API server did not stop cleanly: %s", size, e);
            }
            gates.close();
            vertx.close().await();
        }
    }

    /** The admission service as installed, or null (with --no-admission, or when it cannot be started). */
    private AdmissionService startAdmission(AdmissionFigures figures, Path dir, Path kubeconfig) {
        if (figures == null) {
            return null;
        }
        try {
            return AdmissionService.start(repo, dir, kubeconfig, freePort(), admissionJavaOpts);
        } catch (IOException | RuntimeException e) {
            figures.notStarted(e);
            say("the admission service could not be started, the analyzer runs alone: %s", e);
            return null;
        }
    }

    private static String admissionRss(AdmissionService admission) {
        if (admission == null) {
            return "";
        }
        try {
            return " admission VmRSS " + admission.jvm.statusKib("VmRSS") / 1024 + " MiB,";
        } catch (UncheckedIOException | IllegalStateException e) {
            return " admission " + admission.deathCell() + ",";
        }
    }

    /** Counters at one moment. */
    private static final class Snapshot {
        final long apiRequests;
        final Map<String, Long> byMethod;
        final long apiBusyMs;
        final long queries;
        final long webhooks;
        /** Each analyzer replica's CPU so far (ms) and reconciles so far. */
        final List<Long> cpuMs;

        final List<Long> reconciles;
        /** The replicas' own tick lateness histograms, summed. */
        final OwnLateness lateness;

        final long baselineCpuMs;

        Snapshot(StandInApi api, StandInGates gates, Analyzers analyzers, ChildJvm baseline, List<Integer> ports) {
            apiRequests = api.requestCount();
            byMethod = api.requests.entrySet().stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().sum()));
            apiBusyMs = api.busyNanos.sum() / 1_000_000;
            queries = gates.queries.sum();
            webhooks = gates.webhooks.sum();
            cpuMs = analyzers.jvms().stream().map(ChildJvm::cpuMs).toList();
            List<List<String>> expositions =
                    ports.stream().map(ScaleBench::exposition).toList();
            reconciles = expositions.stream().map(ScaleBench::reconciles).toList();
            lateness = expositions.stream()
                    .map(e -> e == null ? OwnLateness.NONE : OwnLateness.parse(e))
                    .reduce(OwnLateness.NONE, OwnLateness::plus);
            baselineCpuMs = baseline.cpuMs();
        }
    }

    private static Map<String, Long> diff(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> d = new java.util.TreeMap<>();
        b.forEach((k, v) -> d.put(k, v - a.getOrDefault(k, 0L)));
        return d;
    }

    /** The Canaries whose phase is Failed and that were never Initialized, sorted. */
    static List<String> failedStart(StandInApi api) {
        return api.phases.entrySet().stream()
                .filter(e -> "Failed".equals(e.getValue()) && !api.initializedAt.containsKey(e.getKey()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private static String phases(StandInApi api) {
        return new java.util.TreeMap<>(
                        api.phases.values().stream().collect(Collectors.groupingBy(p -> p, Collectors.counting())))
                .toString();
    }

    /** Reconciles so far in one exposition: the count of {@code sluice_reconcile_duration_seconds}; -1 unread. */
    private static long reconciles(List<String> exposition) {
        if (exposition == null) {
            return -1;
        }
        return exposition.stream()
                .filter(l -> l.startsWith("sluice_reconcile_duration_seconds_count"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** An analyzer's {@code /metrics}, by line; null when it cannot be read. */
    private static List<String> exposition(Integer port) {
        try {
            // HTTP/1.1 and a generous timeout: at 10,000 Canaries the exposition is tens of megabytes.
            HttpResponse<String> r = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(Duration.ofMinutes(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.body().lines().toList();
        } catch (IOException e) {
            System.err.println("the metrics of the analyzer on port " + port + " not read: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Duration awaitInitialized(StandInApi api, int size, long started, Analyzers analyzers)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + initTimeout.toMillis();
        long lastSay = 0;
        // A Canary that failed its start (Failed before it was ever Initialized) is not waited for: it is counted
        // and named, and the release starts it again, so a few such on a starved machine do not void the run.
        while (api.initializedAt.size() + failedStart(api).size() < size) {
            analyzers.ensureAlive();
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(api.initializedAt.size() + " of " + size
                        + " Canaries Initialized after " + initTimeout + "; see "
                        + analyzers.jvms().get(0).log);
            }
            if (System.currentTimeMillis() - lastSay > 15_000) {
                lastSay = System.currentTimeMillis();
                say(
                        "size %d: %d Initialized, %d API requests so far, %s",
                        size, api.initializedAt.size(), api.requestCount(), phases(api));
            }
            Thread.sleep(200);
        }
        long last = api.initializedAt.values().stream()
                .mapToLong(Long::longValue)
                .max()
                .orElse(started);
        return Duration.ofMillis(last - started);
    }

    /** Waits, within --init-timeout, until every replica holds at least one shard's Lease; returns who holds what. */
    private Map<String, List<Integer>> awaitSpread(StandInApi api, Analyzers analyzers) throws InterruptedException {
        long deadline = System.currentTimeMillis() + initTimeout.toMillis();
        Map<String, List<Integer>> held = held(api, analyzers);
        while (!Replicas.spread(held)) {
            analyzers.ensureAlive();
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(
                        "the shards are not spread over the replicas after " + initTimeout + ": " + held);
            }
            Thread.sleep(200);
            held = held(api, analyzers);
        }
        return held;
    }

    /** The shards each replica holds now, from the shards' Leases in the stand-in. */
    private static Map<String, List<Integer>> held(StandInApi api, Analyzers analyzers) {
        int n = analyzers.jvms().size();
        List<String> holders = new ArrayList<>();
        for (int shard = 0; shard < n; shard++) {
            holders.add(Replicas.holder(api.read(Replicas.leasePath(shard))));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Replicas.identity(i, n));
        }
        return Replicas.held(ids, holders);
    }

    private static String shards(List<Integer> held) {
        return held.isEmpty() ? "none" : held.stream().map(i -> "shard-" + i).collect(Collectors.joining(", "));
    }

    private static void ensureAlive(ChildJvm jvm) {
        if (!jvm.alive()) {
            throw new IllegalStateException(jvm.name + " exited with " + jvm.process.exitValue() + "; see " + jvm.log);
        }
    }

    /** The analyzer replicas' JVMs, each under its own identity and log, stopped together. */
    private record Analyzers(List<ChildJvm> jvms) implements AutoCloseable {
        static Analyzers start(List<List<String>> commands, Path dir, int n) {
            List<ChildJvm> started = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    started.add(ChildJvm.start(
                            n == 1 ? "analyzer" : Replicas.identity(i, n),
                            commands.get(i),
                            Map.of("HOSTNAME", Replicas.identity(i, n)),
                            dir.resolve(Replicas.file(i, n, "log"))));
                }
            } catch (RuntimeException e) {
                started.forEach(ChildJvm::close);
                throw e;
            }
            return new Analyzers(List.copyOf(started));
        }

        void ensureAlive() {
            jvms.forEach(ScaleBench::ensureAlive);
        }

        @Override
        public void close() {
            jvms.forEach(ChildJvm::close);
        }
    }

    private void registerCrds(KubernetesClient client) throws IOException {
        List<Path> crds = new ArrayList<>();
        try (Stream<Path> s = Files.list(repo.resolve("manifests/crds"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).forEach(crds::add);
        }
        crds.add(repo.resolve("manifests/test-crds/routetables.networking.gloo.solo.io.yaml"));
        for (Path p : crds) {
            try (InputStream in = Files.newInputStream(p)) {
                client.apiextensions().v1().customResourceDefinitions().load(in).create();
            }
        }
    }

    private Path analyzerJar() throws IOException {
        Path target = repo.resolve("analyzer/target");
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("analyzer-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("tests"))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("no analyzer jar in " + target + ": make bench-build"));
        }
    }

    private static String kubeconfig(String url) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: " + url
                + "\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n    namespace: default\n"
                + "current-context: bench\nusers:\n- name: bench\n  user:\n    token: bench\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf("%s %s%n", Instant.now().toString().substring(11, 19), String.format(format, args));
    }
}
