package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;

import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.sluice.model.Revisions;
import io.sluice.model.flagger.Canary;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load test of the mutating endpoint ({@code make bench-admission}), not a unit test. The service itself
 * ({@link Main}) runs in a JVM of its own against fabric8's mock API server (over HTTPS, in this JVM) holding the
 * seed's Canary; a bare Vert.x HTTPS endpoint answering a fixed allowed review (the ceiling) runs in another; this
 * JVM is a closed-loop load generator: each connection sends a review, waits for the answer, sends the next.
 *
 * <p>Arguments: {@code [seconds per endpoint] [warm-up seconds] [concurrency...]}; defaults 10, 20, 1 50 200. The
 * measured seconds are split into {@code -Dbench.rounds} (5) rounds in which the two endpoints take turns. The
 * warm-up comes once, before the first level, for each endpoint: the JIT compiler of the server keeps compiling for
 * about 20 s of load (a JFR recording shows it), and its work must not count against either endpoint.
 */
public final class AdmissionBench {
    /**
     * The server JVMs' flags: {@code make bench-admission} passes ADMISSION_JAVA_OPTS of admission/module.mk, the
     * flags of the Deployment in manifests/admission, as {@code -Dbench.server.jvm}.
     */
    static final String SERVER_JVM = System.getProperty("bench.server.jvm", "-Xmx64m -XX:+UseSerialGC");

    /**
     * Flags for the service's JVM only, after the shared ones: {@code -Dbench.service.jvm="-XX:NativeMemoryTracking=summary"}
     * to look into the service's memory without changing the bare endpoint's.
     */
    static final String SERVICE_EXTRA = System.getProperty("bench.service.jvm", "");

    /**
     * The mock API server logs every request it answers through java.util.logging: the informers' watches and the
     * status writes are not the bench's output. Held here, as java.util.logging keeps its loggers weakly.
     */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    /**
     * @param serverCpuMicros CPU time the server process used during the measured seconds (user and system, all
     *                        threads: event loops, GC, the log writer), from {@code /proc}; -1 where unreadable
     */
    record Result(
            String target,
            int connections,
            long requests,
            double seconds,
            long p50Micros,
            long p99Micros,
            long errors,
            long[] sortedMicros,
            long serverCpuMicros) {
        double throughput() {
            return requests / seconds;
        }

        /** All rounds of one endpoint as one measurement: requests over measured time, percentiles of all samples. */
        static Result merge(List<Result> rounds) {
            long requests = 0;
            long errors = 0;
            long cpu = 0;
            double seconds = 0;
            long[] all = new long[0];
            for (Result r : rounds) {
                requests += r.requests();
                errors += r.errors();
                seconds += r.seconds();
                cpu = cpu < 0 || r.serverCpuMicros() < 0 ? -1 : cpu + r.serverCpuMicros();
                int from = all.length;
                all = Arrays.copyOf(all, from + r.sortedMicros().length);
                System.arraycopy(r.sortedMicros(), 0, all, from, r.sortedMicros().length);
            }
            Arrays.sort(all);
            Result first = rounds.get(0);
            return new Result(
                    first.target(),
                    first.connections(),
                    requests,
                    seconds,
                    percentile(all, 0.50),
                    percentile(all, 0.99),
                    errors,
                    all,
                    cpu);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(Path.of(args[1]));
            return;
        }
        // The load generator's event loops would keep a failed bench alive, still sending: exit either way.
        try {
            bench(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void bench(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = Math.max(1, Math.min(seconds, Integer.getInteger("bench.rounds", 5)));
        int[] levels = args.length > 2
                ? Arrays.stream(args, 2, args.length)
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {1, 50, 200};
        Path dir = Files.createTempDirectory("sluice-bench");
        Instant now = Instant.now();
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("bench CA"), now);
        KeyAndCert leaf = CertificateIssuer.issueServing(
                ca,
                ServingRequest.of("sluice-admission", "sluice-system")
                        .withExtraDnsNames(List.of("localhost"))
                        .withIpAddresses(List.of("127.0.0.1")),
                now);
        Files.writeString(dir.resolve("tls.crt"), leaf.certPem());
        Files.writeString(dir.resolve("tls.key"), leaf.keyPem());
        ObjectNode reviewTree = realisticReview();
        Buffer review = Buffer.buffer(reviewTree.toString());

        // The service's API server: the Canary targets the review's Deployment and last promoted its old template,
        // so every request hashes the new template, and the first one records it on the status.
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        // Over HTTPS, as the service talks to an API server in a cluster (trusting the mock's self-signed certificate
        // instead of checking it against a CA bundle).
        try (MockApiServer api = new MockApiServer(true)) {
            api.storeSeedCanary(Revisions.ofTemplate(
                    Revisions.templateOf(reviewTree.path("request").path("oldObject"))));
            // Each endpoint runs in a JVM of its own with the service's flags, so that resident memory and CPU time
            // are the endpoint's alone: the admission endpoint is the service itself (Main, with its informers,
            // status writes, metrics and request log), the bare one a Vert.x HTTPS server and nothing else.
            int port = freePort();
            List<String> serviceArgs =
                    new ArrayList<>(List.of(SERVICE_EXTRA.trim().split("\\s+")));
            serviceArgs.removeIf(String::isEmpty);
            serviceArgs.addAll(List.of(
                    "-Dkubernetes.master=" + api.client.getMasterUrl(),
                    "-Dkubernetes.trust.certificates=true",
                    "-Dkubernetes.auth.tryKubeConfig=false",
                    "-Dkubernetes.auth.tryServiceAccount=false",
                    "-Dkubernetes.namespace=sluice-system",
                    Main.class.getName(),
                    "--bind-address=127.0.0.1",
                    "--port=" + port,
                    "--tls-cert-file=" + dir.resolve("tls.crt"),
                    "--tls-key-file=" + dir.resolve("tls.key")));
            // The service runs on its own class path, as in its image: without the test classes, whose
            // logback-test.xml would replace the service's logging.
            Process service = start(dir, "service.log", serviceClassPath(), serviceArgs);
            Process bareServer = start(
                    dir,
                    "bare.log",
                    System.getProperty("java.class.path"),
                    List.of(AdmissionBench.class.getName(), "serve", dir.toString()));
            Vertx vertx = Vertx.vertx(new VertxOptions());
            try {
                String caPem = ca.certPem();
                awaitReady(vertx, caPem, port, service, dir);
                int bare = awaitBare(bareServer, dir);
                measure(
                        vertx,
                        caPem,
                        bare,
                        port,
                        review,
                        seconds,
                        warmup,
                        rounds,
                        levels,
                        bareServer.pid(),
                        service.pid());
                Canary recorded = api.client
                        .resources(Canary.class)
                        .inNamespace("test")
                        .withName("podinfo")
                        .get();
                System.out.printf(
                        "status.admittedRevision on the API server: %s (service log: %s)%n",
                        recorded.getStatus().admittedRevision == null
                                ? "none"
                                : recorded.getStatus().admittedRevision.revision,
                        dir.resolve("service.log"));
            } finally {
                await(vertx.close());
                service.destroy();
                bareServer.destroy();
            }
        }
    }

    private static void measure(
            Vertx vertx,
            String caPem,
            int bare,
            int admission,
            Buffer review,
            int seconds,
            int warmup,
            int rounds,
            int[] levels,
            long barePid,
            long servicePid)
            throws InterruptedException {
        System.out.printf(
                "review body: %d bytes; %d s per endpoint in %d alternating rounds after %d s warm-up; "
                        + "%d CPUs; server JVMs: %s%n",
                review.length(), seconds, rounds, warmup, Runtime.getRuntime().availableProcessors(), SERVER_JVM);
        System.out.printf(
                "%-10s %6s %10s %9s %9s %7s %14s%n",
                "endpoint", "conns", "req/s", "p50 ms", "p99 ms", "errors", "server CPU µs");
        // Before anything is warm: the service's first requests, one at a time on one connection, as a webhook that
        // is called now and then sees them (the JIT compiles a method only after many calls).
        long[] cold = cold(vertx, caPem, admission, review, COLD_REQUESTS);
        System.out.printf(
                "%-10s %6d   first %d requests, one at a time: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                "cold",
                1,
                cold.length,
                percentile(cold, 0.50) / 1000.0,
                percentile(cold, 0.99) / 1000.0,
                cold[cold.length - 1] / 1000.0);
        long peakRss = 0;
        // One warm-up per endpoint, at the highest concurrency asked for; nothing of it is measured.
        int busiest = Arrays.stream(levels).max().orElse(1);
        WebClient warmBare = client(vertx, caPem, bare, busiest);
        run(warmBare, "/mutate", review, "bare", busiest, warmup, 0, barePid);
        warmBare.close();
        WebClient warmService = client(vertx, caPem, admission, busiest);
        run(warmService, AdmissionRoutes.MUTATE, review, "admission", busiest, warmup, 0, servicePid);
        warmService.close();
        for (int connections : levels) {
            // The machine is shared: a build next door can halve the throughput within a minute. The two
            // endpoints therefore take turns, in rounds that add up to the time asked for, so that both see the
            // same neighbours; each round starts with a second of unmeasured load. Each endpoint keeps its
            // connections from round to round, as the API server keeps its connections to a webhook: opening
            // 200 new TLS connections every two seconds measured handshakes, and the garbage of the connections
            // closed was most of what filled the service's old generation.
            WebClient bareClient = client(vertx, caPem, bare, connections);
            WebClient serviceClient = client(vertx, caPem, admission, connections);
            List<Result> bareRounds = new ArrayList<>();
            List<Result> sluiceRounds = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                int warm = 1;
                bareRounds.add(
                        run(bareClient, "/mutate", review, "bare", connections, warm, seconds / rounds, barePid));
                peakRss = Math.max(peakRss, status(servicePid, "VmRSS:"));
                sluiceRounds.add(run(
                        serviceClient,
                        AdmissionRoutes.MUTATE,
                        review,
                        "admission",
                        connections,
                        warm,
                        seconds / rounds,
                        servicePid));
                peakRss = Math.max(peakRss, status(servicePid, "VmRSS:"));
            }
            bareClient.close();
            serviceClient.close();
            Result ceiling = Result.merge(bareRounds);
            Result sluice = Result.merge(sluiceRounds);
            print(ceiling);
            print(sluice);
            System.out.printf(
                    "%-10s %6d   throughput %.0f%% of bare, p99 %.2fx bare%n",
                    "ratio",
                    connections,
                    100.0 * sluice.throughput() / ceiling.throughput(),
                    (double) sluice.p99Micros() / Math.max(1, ceiling.p99Micros()));
        }
        System.out.printf(
                "service resident memory: VmRSS now %d MiB, highest sampled %d MiB, VmHWM %d MiB "
                        + "(bare endpoint's JVM: VmHWM %d MiB)%n",
                status(servicePid, "VmRSS:") / 1024,
                peakRss / 1024,
                status(servicePid, "VmHWM:") / 1024,
                status(barePid, "VmHWM:") / 1024);
    }

    /** This JVM's class path without the test classes of this module. */
    private static String serviceClassPath() {
        String tests = Path.of(AdmissionBench.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .toString();
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(tests))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** A server JVM with the service's flags and {@code classPath}, its output in {@code dir/log}. */
    private static Process start(Path dir, String log, String classPath, List<String> mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(SERVER_JVM.trim().split("\\s+")));
        command.addAll(List.of("-cp", classPath));
        command.addAll(mainAndArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile());
        // As the Deployment runs it: fewer glibc malloc arenas (README, JVM flags).
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        return builder.start();
    }

    /** Waits until the service answers {@code /readyz} with 200: certificate loaded, caches synced. */
    private static void awaitReady(Vertx vertx, String caPem, int port, Process service, Path dir)
            throws InterruptedException {
        WebClient client = client(vertx, caPem, port, 1);
        Instant deadline = Instant.now().plusSeconds(60);
        try {
            while (true) {
                if (!service.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "the service did not become ready; see " + dir.resolve("service.log"));
                }
                try {
                    if (await(client.get("/readyz").send(), Duration.ofSeconds(5))
                                    .statusCode()
                            == 200) {
                        return;
                    }
                } catch (IllegalStateException e) {
                    // not listening yet
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
        } finally {
            client.close();
        }
    }

    /** Waits for the bare server's port, which it announces in {@code dir/ready}. */
    private static int awaitBare(Process server, Path dir) throws IOException {
        Path ready = dir.resolve("ready");
        Instant deadline = Instant.now().plusSeconds(60);
        while (!Files.exists(ready)) {
            if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("bare server did not start; see " + dir.resolve("bare.log"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        return Integer.parseInt(Files.readString(ready).trim());
    }

    /** The bare endpoint: a fixed allowed review over HTTPS, with the service's TLS and Vert.x settings. */
    private static void serve(Path dir) throws Exception {
        // As many server instances as the service runs by default: one per CPU, on the service's own Vert.x
        // settings (one event loop per CPU).
        int instances =
                Integer.getInteger("bench.eventLoops", Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(Main.vertxOptions(instances));
        ServingTls tls = new ServingTls();
        await(tls.install(ServingCertificate.of(KeyAndCert.fromPem(
                Files.readString(dir.resolve("tls.crt")), Files.readString(dir.resolve("tls.key"))))));
        Buffer fixed = Buffer.buffer(AdmissionEndpoint.reviewNode(
                        realisticReview().path("request").path("uid").asString(), AdmissionResponse.allowed())
                .toString());
        io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> bareHandler = req -> req.body()
                .onSuccess(b -> req.response()
                        .putHeader("Content-Type", "application/json")
                        .end(fixed));
        int bare = freePort();
        await(HttpsVerticle.deploy(
                vertx, tls, new HttpServerOptions().setHost("127.0.0.1").setPort(bare), bareHandler, instances));
        Files.writeString(dir.resolve("ready.tmp"), Integer.toString(bare));
        Files.move(dir.resolve("ready.tmp"), dir.resolve("ready"));
    }

    /**
     * Flux's apply of the seed's Deployment (replicas changed, new image), with the last-applied annotation a
     * kubectl-managed object carries: about 10 KB of JSON, as the API server sends it.
     */
    private static ObjectNode realisticReview() {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        for (String which : new String[] {"object", "oldObject"}) {
            ObjectNode object = (ObjectNode) review.path("request").path(which);
            ObjectNode applied = object.objectNode();
            applied.put("apiVersion", "apps/v1").put("kind", "Deployment");
            applied.set("metadata", object.path("metadata").deepCopy());
            ((ObjectNode) applied.path("metadata"))
                    .remove(List.of(
                            "managedFields",
                            "annotations",
                            "uid",
                            "resourceVersion",
                            "generation",
                            "creationTimestamp"));
            applied.set(
                    "spec",
                    review.path("request").path("oldObject").path("spec").deepCopy());
            ((ObjectNode) object.path("metadata").path("annotations"))
                    .put("kubectl.kubernetes.io/last-applied-configuration", applied.toString() + "\n");
        }
        return review;
    }

    private static void print(Result r) {
        System.out.printf(
                "%-10s %6d %10.0f %9.2f %9.2f %7d %14s%n",
                r.target(),
                r.connections(),
                r.throughput(),
                r.p50Micros() / 1000.0,
                r.p99Micros() / 1000.0,
                r.errors(),
                r.serverCpuMicros() < 0
                        ? "n/a"
                        : String.format("%.1f/req", (double) r.serverCpuMicros() / Math.max(1, r.requests())));
    }

    /** A keep-alive HTTPS client of up to {@code connections} connections to {@code port}, checking the host name. */
    private static WebClient client(Vertx vertx, String caPem, int port, int connections) {
        return WebClient.create(
                vertx,
                new WebClientOptions()
                        .setSsl(true)
                        .setVerifyHost(true)
                        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)))
                        .setKeepAlive(true)
                        .setDefaultHost("localhost")
                        .setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(connections));
    }

    private static Result run(
            WebClient client,
            String path,
            Buffer review,
            String target,
            int connections,
            int warmup,
            int seconds,
            long serverPid)
            throws InterruptedException {
        long[] latencies = new long[4_000_000];
        long[] count = new long[2];
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        Promise<Void> done = Promise.promise();
        int[] running = {connections};
        for (int i = 0; i < connections; i++) {
            loop(client, path, review, latencies, count, measuring, stop, () -> {
                synchronized (running) {
                    if (--running[0] == 0) {
                        done.complete();
                    }
                }
            });
        }
        pause(warmup);
        long start = System.nanoTime();
        long cpuBefore = cpuMicros(serverPid);
        measuring.set(true);
        pause(seconds);
        measuring.set(false);
        long cpuAfter = cpuMicros(serverPid);
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        await(done.future());
        long n;
        long errors;
        long[] sample;
        synchronized (count) {
            n = count[0];
            errors = count[1];
            sample = Arrays.copyOf(latencies, (int) Math.min(n, latencies.length));
        }
        Arrays.sort(sample);
        return new Result(
                target,
                connections,
                n,
                elapsed,
                percentile(sample, 0.50),
                percentile(sample, 0.99),
                errors,
                sample,
                cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore);
    }

    /** How many requests the cold measurement sends. */
    private static final int COLD_REQUESTS = 200;

    /** Latencies of {@code n} requests sent one after the other on one connection, sorted, in microseconds. */
    private static long[] cold(Vertx vertx, String caPem, int port, Buffer review, int n) {
        WebClient client = client(vertx, caPem, port, 1);
        long[] micros = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                long sent = System.nanoTime();
                int status = await(client.post(AdmissionRoutes.MUTATE)
                                .putHeader("Content-Type", "application/json")
                                .sendBuffer(review))
                        .statusCode();
                if (status != 200) {
                    throw new IllegalStateException("cold request " + i + " answered " + status);
                }
                micros[i] = (System.nanoTime() - sent) / 1000;
            }
        } finally {
            client.close();
        }
        Arrays.sort(micros);
        return micros;
    }

    /** Lets the load run for {@code seconds} (the bench's main thread only waits; the event loops send). */
    private static void pause(int seconds) throws InterruptedException {
        Thread.sleep(seconds * 1000L);
    }

    private static void loop(
            WebClient client,
            String path,
            Buffer review,
            long[] latencies,
            long[] count,
            AtomicBoolean measuring,
            AtomicBoolean stop,
            Runnable finished) {
        if (stop.get()) {
            finished.run();
            return;
        }
        long sent = System.nanoTime();
        client.post(path)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(review)
                .onComplete(ar -> {
                    long micros = (System.nanoTime() - sent) / 1000;
                    if (measuring.get()) {
                        synchronized (count) {
                            if (ar.succeeded() && ar.result().statusCode() == 200) {
                                if (count[0] < latencies.length) {
                                    latencies[(int) count[0]] = micros;
                                }
                                count[0]++;
                            } else {
                                count[1]++;
                            }
                        }
                    }
                    loop(client, path, review, latencies, count, measuring, stop, finished);
                });
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** A port free on 127.0.0.1 a moment ago; the bench servers then share it across their event loops. */
    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** User plus system CPU time of a process so far, in microseconds; -1 when unreadable (not Linux). */
    private static long cpuMicros(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are
            // the 14th and 15th fields of the line, in clock ticks (100 per second on Linux).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A field of {@code /proc/<pid>/status}, in KiB; -1 when unreadable (not Linux). */
    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
