package io.sluice.bench;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The admission service's figures of one size, taken after the analyzer's: time to ready, the reviews' latencies,
 * the live heap after a full collection, resident memory against the container's limit. Every step that fails is
 * written down and the rest still measured; nothing here throws into the run.
 */
final class AdmissionFigures {
    private final int size;
    private final List<String> details = new ArrayList<>();
    private String notStarted;

    AdmissionFigures(int size) {
        this.size = size;
    }

    static List<String> table(List<String> rows) {
        List<String> t = new ArrayList<>();
        t.add("| Canaries | admission JVM options | time to ready | live heap after full GC (MiB) | RSS MiB (% of"
                + " limit) | VmHWM MiB (% of limit) | reviews / connections | reviews/s | latency p50 / p99 / max"
                + " (ms) | denied / errors | state |");
        t.add("|---|---|---|---|---|---|---|---|---|---|---|");
        t.addAll(rows);
        return t;
    }

    void notStarted(Exception e) {
        notStarted = e.toString();
    }

    /** Sends the reviews, then takes the heap and memory figures: one table row; details into admission.txt. */
    String measure(
            AdmissionService s, StandInApi api, Cluster cluster, Vertx vertx, int reviews, int connections, Path dir)
            throws InterruptedException {
        if (s == null) {
            return String.format("| %d | | | | | | | | | | not started: %s |", size, notStarted);
        }
        long limit = s.install.memoryLimitBytes();
        String opts = s.javaOpts.isBlank() ? "as installed" : "installed + `" + s.javaOpts.trim() + "`";
        details.add("command: see admission-command.txt; environment: " + s.install.env());
        details.add("container memory limit: " + limit + " bytes (-XX:MaxRAM)");
        AdmissionReviews.Summary sent = null;
        ChildJvm.Histogram heap = null;
        long rss = -1;
        long hwm = -1;
        try {
            if (s.awaitReady(Duration.ofMinutes(2))) {
                details.add("ready " + s.readyAfterMs() + " ms after its start");
                sent = s.send(vertx, reviews(api, cluster, reviews), connections);
                details.add("reviews: " + sent);
            } else {
                details.add(
                        s.jvm.alive()
                                ? "not ready two minutes after the window; no reviews sent"
                                : "exited before it was ready; no reviews sent");
            }
        } catch (RuntimeException e) {
            details.add("reviews failed: " + e);
        }
        try {
            if (s.jvm.alive()) {
                heap = s.jvm.liveHeap(20);
                rss = s.jvm.statusKib("VmRSS");
                hwm = s.jvm.statusKib("VmHWM");
            }
        } catch (RuntimeException e) {
            details.add("memory figures failed: " + e);
        }
        String death = s.death();
        if (death != null) {
            details.add(death);
            System.out.println(death);
        }
        if (heap != null) {
            details.add("admission heap histogram:");
            details.addAll(heap.top());
        }
        if (death == null) {
            details.add("admission log, last lines:");
            details.addAll(s.tail(5));
        }
        try {
            Files.write(dir.resolve("admission.txt"), details);
        } catch (IOException e) {
            System.out.println("cannot write admission.txt: " + e);
        }
        String state = death != null
                ? s.deathCell()
                : hwm < 0 ? "running" : hwm * 1024 <= limit ? "within its limit" : "**over its limit** (VmHWM)";
        return String.format(
                "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                size,
                opts,
                s.readyAfterMs() < 0 ? "not ready" : String.format("%.1f s", s.readyAfterMs() / 1e3),
                heap == null ? "–" : String.format("%.1f", heap.totalBytes() / 1048576.0),
                ofLimit(rss, limit),
                ofLimit(hwm, limit),
                sent == null ? "–" : sent.requests() + " / " + connections,
                sent == null ? "–" : String.format("%.0f", sent.perSecond()),
                sent == null ? "–" : String.format("%.1f / %.1f / %.1f", sent.p50Ms(), sent.p99Ms(), sent.maxMs()),
                sent == null ? "–" : sent.denied() + " / " + sent.errors(),
                state);
    }

    private static String ofLimit(long kib, long limitBytes) {
        return kib < 0 ? "–" : String.format("%d (%.0f %%)", kib / 1024, kib * 1024 * 100.0 / limitBytes);
    }

    /** {@code kubectl set image} on the targets in turn, each to an image none of them runs yet. */
    private static List<AdmissionReview> reviews(StandInApi api, Cluster cluster, int n) {
        List<AdmissionReview> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int target = i % cluster.canaries;
            String path = "/apis/apps/v1/namespaces/" + Cluster.namespace(target, cluster.perNamespace)
                    + "/deployments/" + Cluster.canaryName(target);
            String json = api.read(path);
            if (json == null) {
                throw new IllegalStateException("no Deployment at " + path);
            }
            Deployment stored = AdmissionReviews.deployment(json);
            String container = stored.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getName();
            out.add(AdmissionReviews.setImage(
                    stored,
                    container,
                    "ghcr.io/stefanprodan/podinfo:7.0." + i,
                    UUID.nameUUIDFromBytes(("bench-review-" + i).getBytes(StandardCharsets.UTF_8))
                            .toString()));
        }
        return out;
    }
}
