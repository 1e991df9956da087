package io.sluice.bench;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The admission service of one run, as {@link AdmissionInstall} packages it, serving a certificate from a CA of the
 * benchmark's own ({@link CertificateIssuer}). Its death (an {@code OutOfMemoryError} ends it, as
 * {@code -XX:+ExitOnOutOfMemoryError} is installed) is recorded, not thrown: the analyzer's run goes on.
 */
final class AdmissionService implements AutoCloseable {
    final ChildJvm jvm;
    final AdmissionInstall install;
    final String javaOpts;
    final int port;
    private final KeyAndCert ca;
    private final long startedMs;
    private volatile long readyAfterMs = -1;
    private volatile long exitedAfterMs = -1;

    private AdmissionService(ChildJvm jvm, AdmissionInstall install, String javaOpts, int port, KeyAndCert ca) {
        this.jvm = jvm;
        this.install = install;
        this.javaOpts = javaOpts;
        this.port = port;
        this.ca = ca;
        this.startedMs = System.currentTimeMillis();
        jvm.process.onExit().thenRun(() -> exitedAfterMs = System.currentTimeMillis() - startedMs);
    }

    /** Starts the service from {@code admission/target} against the API server of {@code kubeconfig}. */
    static AdmissionService start(Path repo, Path dir, Path kubeconfig, int port, String javaOpts) throws IOException {
        AdmissionInstall install = AdmissionInstall.fromRepo(repo);
        Instant now = Instant.now();
        String service = install.arg("--service-name");
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of(service + " bench CA"), now);
        KeyAndCert leaf = CertificateIssuer.issueServing(
                ca, ServingRequest.of(service, install.namespace()).withIpAddresses(List.of("127.0.0.1")), now);
        Path cert = Files.writeString(dir.resolve("admission-tls.crt"), leaf.certPem());
        Path key = Files.writeString(dir.resolve("admission-tls.key"), leaf.keyPem());
        List<String> cmd = install.command(classpath(repo), port, cert, key, javaOpts);
        Files.writeString(dir.resolve("admission-command.txt"), String.join(" ", cmd) + "\n");
        ChildJvm jvm = ChildJvm.start("admission", cmd, install.environment(kubeconfig), dir.resolve("admission.log"));
        AdmissionService s = new AdmissionService(jvm, install, javaOpts, port, ca);
        Thread t = new Thread(s::awaitReady, "admission-readyz");
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** The image's class path: the module's jar and its runtime dependencies ({@code make bench-build}). */
    private static String classpath(Path repo) throws IOException {
        Path target = repo.resolve("admission/target");
        Path jar;
        try (Stream<Path> s = Files.list(target)) {
            jar = s.filter(p -> p.getFileName().toString().matches("admission-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("tests"))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("no admission jar in " + target + ": make bench-build"));
        }
        return jar + ":"
                + Files.readString(target.resolve("runtime-classpath.txt")).trim();
    }

    /** Polls {@code /readyz} (a certificate loaded, every cache synced) until it answers 200 or the JVM is gone. */
    private void awaitReady() {
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .sslContext(trusting(ca))
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            while (jvm.alive()) {
                try {
                    if (client.send(readyz, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        readyAfterMs = System.currentTimeMillis() - startedMs;
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SSLContext trusting(KeyAndCert ca) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca.cert());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Milliseconds from the start to the first 200 of {@code /readyz}; -1 while not ready. */
    long readyAfterMs() {
        return readyAfterMs;
    }

    /** Waits up to {@code timeout} for {@code /readyz}; false when it is not ready by then or has exited. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (readyAfterMs < 0 && jvm.alive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        return readyAfterMs >= 0;
    }

    /** Null while it runs; else how it ended, plainly: exit code, when, and the last lines of its log. */
    String death() {
        if (jvm.alive()) {
            return null;
        }
        return String.format(
                "admission exited with code %d %.1f s after its start%s; last log lines:%n%s",
                jvm.process.exitValue(),
                Math.max(exitedAfterMs, 0) / 1e3,
                jvm.process.exitValue() == 3 ? " (3 is -XX:+ExitOnOutOfMemoryError's code)" : "",
                String.join("\n", tail(12)));
    }

    /** One cell: "died: exit 3 at 45 s" once it has exited, else "running". */
    String deathCell() {
        return jvm.alive()
                ? "running"
                : String.format("died: exit %d at %.0f s", jvm.process.exitValue(), Math.max(exitedAfterMs, 0) / 1e3);
    }

    List<String> tail(int lines) {
        try {
            List<String> all = Files.readAllLines(jvm.log);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(no log: " + e + ")");
        }
    }

    /**
     * Sends every review to {@code /mutate} over at most {@code connections} keep-alive HTTPS connections, each
     * connection's next review once the previous one is answered (a closed loop, as the API server's calls are).
     */
    AdmissionReviews.Summary send(Vertx vertx, List<AdmissionReview> reviews, int connections) {
        List<String> uids = reviews.stream().map(r -> r.getRequest().getUid()).toList();
        List<Buffer> bodies = reviews.stream()
                .map(r -> Buffer.buffer(AdmissionReviews.json(r)))
                .toList();
        HttpClient client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setSsl(true)
                        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.certPem())))
                        .setVerifyHost(true)
                        .setKeepAlive(true)
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(connections));
        long[] latencies = new long[bodies.size()];
        List<AdmissionReviews.Outcome> outcomes =
                Collections.synchronizedList(new ArrayList<>(Collections.nCopies(bodies.size(), null)));
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<Void>> loops = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Promise<Void> done = Promise.promise();
            sendNext(client, bodies, uids, latencies, outcomes, next, done);
            loops.add(done.future());
        }
        Future.join(loops).await();
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close().await();
        return AdmissionReviews.Summary.of(latencies, outcomes, seconds);
    }

    private static void sendNext(
            HttpClient client,
            List<Buffer> bodies,
            List<String> uids,
            long[] latencies,
            List<AdmissionReviews.Outcome> outcomes,
            AtomicInteger next,
            Promise<Void> done) {
        int i = next.getAndIncrement();
        if (i >= bodies.size()) {
            done.complete();
            return;
        }
        long t0 = System.nanoTime();
        client.request(new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setURI("/mutate")
                        .putHeader("Content-Type", "application/json")
                        .setIdleTimeout(30_000))
                .compose(req -> req.send(bodies.get(i)))
                .compose(resp ->
                        resp.body().map(b -> AdmissionReviews.outcome(uids.get(i), resp.statusCode(), b.toString())))
                .onComplete(r -> {
                    latencies[i] = System.nanoTime() - t0;
                    outcomes.set(i, r.succeeded() ? r.result() : AdmissionReviews.Outcome.ERROR);
                    sendNext(client, bodies, uids, latencies, outcomes, next, done);
                });
    }

    @Override
    public void close() {
        jvm.close();
    }
}
