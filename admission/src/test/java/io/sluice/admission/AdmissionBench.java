package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.sluice.model.Revisions;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Future;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load test of the mutating endpoint ({@code make bench-admission}), not a unit test. In one JVM: the admission
 * routes over HTTPS with a Canary in the cache (each request hashes the template, records the revision through a
 * no-op status writer and patches replicas), a bare Vert.x HTTPS endpoint answering a fixed allowed review (the
 * ceiling), and a closed-loop load generator: each connection sends a review, waits for the answer, sends the next.
 *
 * <p>Arguments: {@code [seconds per endpoint] [warm-up seconds] [concurrency...]}; defaults 10, 20, 1 50 200. The
 * measured seconds are split into {@code -Dbench.rounds} (5) rounds in which the two endpoints take turns. The
 * warm-up comes once, before the first level, for each endpoint: the JIT compiler of the server keeps compiling for
 * about 20 s of load (a JFR recording shows it), and its work must not count against either endpoint.
 */
public final class AdmissionBench {
    /**
     * The server JVM's flags: {@code make bench-admission} passes ADMISSION_JAVA_OPTS of admission/module.mk, the
     * flags of the Deployment in manifests/admission, as {@code -Dbench.server.jvm}. The shipped logback.xml is
     * added, so that the server logs (asynchronously) what the service logs.
     */
    static final String SERVER_JVM = System.getProperty("bench.server.jvm", "-Xmx64m -XX:+UseSerialGC")
            + " -Dlogback.configurationFile=" + AdmissionBench.class.getResource("/logback.xml").getPath();

    /**
     * @param serverCpuMicros CPU time the server process used during the measured seconds (user and system, all
     *                        threads: event loops, GC, the log writer), from {@code /proc}; -1 where unreadable
     */
    record Result(String target, int connections, long requests, double seconds, long p50Micros, long p99Micros,
            long errors, long[] sortedMicros, long serverCpuMicros) {
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
            return new Result(first.target(), first.connections(), requests, seconds, percentile(all, 0.50),
                    percentile(all, 0.99), errors, all, cpu);
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
                ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 50, 200};
        // The servers run in their own JVM, so that its resident memory is the server's alone.
        Path dir = Files.createTempDirectory("sluice-bench");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(SERVER_JVM.trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AdmissionBench.class.getName(),
                "serve", dir.toString()));
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            Path ready = dir.resolve("ready");
            Instant deadline = Instant.now().plusSeconds(60);
            while (!Files.exists(ready)) {
                if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("bench server did not start; see " + dir.resolve("server.log"));
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            String[] ports = Files.readString(ready).trim().split(" ");
            int bare = Integer.parseInt(ports[0]);
            int admission = Integer.parseInt(ports[1]);
            String caPem = Files.readString(dir.resolve("ca.pem"));
            Buffer review = Buffer.buffer(Files.readString(dir.resolve("review.json")));
            Vertx vertx = Vertx.vertx(new VertxOptions());
            System.out.printf("review body: %d bytes; %d s per endpoint in %d alternating rounds after %d s warm-up; "
                            + "%d CPUs; server JVM: %s%n",
                    review.length(), seconds, rounds, warmup, Runtime.getRuntime().availableProcessors(),
                    SERVER_JVM);
            System.out.printf("%-10s %6s %10s %9s %9s %7s %14s%n", "endpoint", "conns", "req/s", "p50 ms", "p99 ms",
                    "errors", "server CPU µs");
            long peakRss = 0;
            // One warm-up per endpoint, at the highest concurrency asked for; nothing of it is measured.
            int busiest = Arrays.stream(levels).max().orElse(1);
            run(vertx, caPem, bare, "/mutate", review, "bare", busiest, warmup, 0, server.pid());
            run(vertx, caPem, admission, AdmissionRoutes.MUTATE, review, "admission", busiest, warmup, 0,
                    server.pid());
            for (int connections : levels) {
                // The machine is shared: a build next door can halve the throughput within a minute. The two
                // endpoints therefore take turns, in rounds that add up to the time asked for, so that both see the
                // same neighbours; each round starts with a second of unmeasured load to open its connections.
                List<Result> bareRounds = new ArrayList<>();
                List<Result> sluiceRounds = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    int warm = 1;
                    bareRounds.add(run(vertx, caPem, bare, "/mutate", review, "bare", connections, warm,
                            seconds / rounds, server.pid()));
                    peakRss = Math.max(peakRss, status(server.pid(), "VmRSS:"));
                    sluiceRounds.add(run(vertx, caPem, admission, AdmissionRoutes.MUTATE, review, "admission",
                            connections, warm, seconds / rounds, server.pid()));
                    peakRss = Math.max(peakRss, status(server.pid(), "VmRSS:"));
                }
                Result ceiling = Result.merge(bareRounds);
                Result sluice = Result.merge(sluiceRounds);
                print(ceiling);
                print(sluice);
                System.out.printf("%-10s %6d   throughput %.0f%% of bare, p99 %.2fx bare%n", "ratio", connections,
                        100.0 * sluice.throughput() / ceiling.throughput(),
                        (double) sluice.p99Micros() / Math.max(1, ceiling.p99Micros()));
            }
            System.out.printf("server resident memory: VmRSS now %d MiB, highest sampled %d MiB, VmHWM %d MiB%n",
                    status(server.pid(), "VmRSS:") / 1024, peakRss / 1024, status(server.pid(), "VmHWM:") / 1024);
            await(vertx.close());
        } finally {
            server.destroy();
        }
    }

    /** The server side: both endpoints on 127.0.0.1, announced through files in {@code dir}. */
    private static void serve(Path dir) throws Exception {
        // As many server instances per endpoint as the service runs by default: one per CPU, on the service's own
        // Vert.x settings (one event loop per CPU, shared by both endpoints as the service's routes share them).
        int instances = Integer.getInteger("bench.eventLoops", Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(Main.vertxOptions(instances));
        Instant now = Instant.now();
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("bench CA"), now);
        KeyAndCert leaf = CertificateIssuer.issueServing(ca, ServingRequest.of("sluice-admission", "sluice-system")
                .withExtraDnsNames(List.of("localhost")).withIpAddresses(List.of("127.0.0.1")), now);
        ServingTls tls = new ServingTls();
        await(tls.install(ServingCertificate.of(leaf)));

        ObjectNode reviewTree = realisticReview();
        InMemoryClusterView cluster = new InMemoryClusterView();
        cluster.canaries.add(Fixtures.canary("podinfo", "podinfo", "Succeeded",
                Revisions.ofTemplate(Revisions.templateOf(reviewTree.path("request").path("oldObject")))));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdmissionMetrics metrics = new AdmissionMetrics(registry);
        // No API server: the write lands in the cached Canary, as the informer would deliver it a moment later.
        StatusWriter noWrite = (namespace, name, patch) -> {
            CanaryStatus.AdmittedRevision admitted = new CanaryStatus.AdmittedRevision();
            admitted.revision = Fixtures.json(patch).path("status").path("admittedRevision").path("revision")
                    .asString();
            cluster.canaries.get(0).getStatus().admittedRevision = admitted;
            return Future.succeededFuture();
        };
        MutatingHandler mutate = new MutatingHandler(cluster, noWrite, SourceClassifier.withDefaults(Map.of(),
                Map.of()), "analyzer", Duration.ofSeconds(2), Clock.systemUTC(), metrics);
        ValidatingHandler validate = new ValidatingHandler(new ObjectDecoder(), c -> List.of(), t -> List.of(),
                p -> List.of(), cluster);
        io.vertx.ext.web.Router router = AdmissionRoutes.router(vertx, validate, mutate, 3 * 1024 * 1024,
                Duration.ofSeconds(4), metrics, registry, List.of());
        Buffer fixed = Buffer.buffer(AdmissionEndpoint.reviewNode(
                reviewTree.path("request").path("uid").asString(), AdmissionResponse.allowed()).toString());
        io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> bareHandler = req -> req.body()
                .onSuccess(b -> req.response().putHeader("Content-Type", "application/json").end(fixed));
        int admission = freePort();
        int bare = freePort();
        await(HttpsVerticle.deploy(vertx, tls, new HttpServerOptions().setHost("127.0.0.1").setPort(admission), router,
                instances));
        await(HttpsVerticle.deploy(vertx, tls, new HttpServerOptions().setHost("127.0.0.1").setPort(bare),
                bareHandler, instances));
        Files.writeString(dir.resolve("ca.pem"), ca.certPem());
        Files.writeString(dir.resolve("review.json"), reviewTree.toString());
        Files.writeString(dir.resolve("ready.tmp"), bare + " " + admission);
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
            ((ObjectNode) applied.path("metadata")).remove(List.of("managedFields", "annotations", "uid",
                    "resourceVersion", "generation", "creationTimestamp"));
            applied.set("spec", review.path("request").path("oldObject").path("spec").deepCopy());
            ((ObjectNode) object.path("metadata").path("annotations"))
                    .put("kubectl.kubernetes.io/last-applied-configuration", applied.toString() + "\n");
        }
        return review;
    }

    private static void print(Result r) {
        System.out.printf("%-10s %6d %10.0f %9.2f %9.2f %7d %14s%n", r.target(), r.connections(), r.throughput(),
                r.p50Micros() / 1000.0, r.p99Micros() / 1000.0, r.errors(), r.serverCpuMicros() < 0 ? "n/a"
                        : String.format("%.1f/req", (double) r.serverCpuMicros() / Math.max(1, r.requests())));
    }

    private static Result run(Vertx vertx, String caPem, int port, String path, Buffer review, String target,
            int connections, int warmup, int seconds, long serverPid) throws InterruptedException {
        WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
                        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)))
                        .setKeepAlive(true).setDefaultHost("localhost").setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(connections));
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
        client.close();
        long n;
        long errors;
        long[] sample;
        synchronized (count) {
            n = count[0];
            errors = count[1];
            sample = Arrays.copyOf(latencies, (int) Math.min(n, latencies.length));
        }
        Arrays.sort(sample);
        return new Result(target, connections, n, elapsed, percentile(sample, 0.50), percentile(sample, 0.99),
                errors, sample, cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore);
    }

    /** Lets the load run for {@code seconds} (the bench's main thread only waits; the event loops send). */
    private static void pause(int seconds) throws InterruptedException {
        Thread.sleep(seconds * 1000L);
    }

    private static void loop(WebClient client, String path, Buffer review, long[] latencies, long[] count,
            AtomicBoolean measuring, AtomicBoolean stop, Runnable finished) {
        if (stop.get()) {
            finished.run();
            return;
        }
        long sent = System.nanoTime();
        client.post(path).putHeader("Content-Type", "application/json").sendBuffer(review).onComplete(ar -> {
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
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
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
