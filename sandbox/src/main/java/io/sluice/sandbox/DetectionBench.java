package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make bench-detection}: the time from a Deployment update to the analyzer's {@code New revision
 * detected!} Event, against a baseline measured on the same updates in the same run — a bare watcher
 * ({@link DetectionBaseline}) that creates an Event the moment the pod template changes. Absolute figures
 * differ about twofold between machines; the ratio of the two is what the goal is stated in.
 */
@Command(
        name = "bench-detection",
        description = "Time from a Deployment update to 'New revision detected!', against a bare watcher's.")
final class DetectionBench extends Main.Common implements Callable<Integer> {
    /** Sluice's p99 may be at most this many times the baseline's. */
    static final double GOAL_RATIO = 1.25;

    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--revisions", defaultValue = "50", description = "Revisions measured.")
    int revisions;

    @Option(
            names = "--warmup",
            defaultValue = "30",
            description = "Revisions sent first and not counted (JIT warm-up).")
    int warmup;

    /** When each watcher's Event arrived, in nanoseconds of this JVM's clock. */
    private final BlockingQueue<Long> sluice = new LinkedBlockingQueue<>();

    private final BlockingQueue<Long> baseline = new LinkedBlockingQueue<>();

    @Override
    public Integer call() {
        preflight(true);
        try (Environment env = Environment.start(options(true, true))) {
            env.applySeed();
            Environment.await("the Canary to be Initialized", Duration.ofSeconds(120), () -> {
                env.checkAlive();
                return "Initialized".equals(phase(env));
            });
            env.startBaseline(SeedRun.NAMESPACE);
            SharedIndexInformer<GenericKubernetesResource> events = env.admin()
                    .genericKubernetesResources("v1", "Event")
                    .inNamespace(SeedRun.NAMESPACE)
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(GenericKubernetesResource e) {
                            note(e);
                        }

                        @Override
                        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource e) {
                            note(e);
                        }

                        @Override
                        public void onDelete(GenericKubernetesResource e, boolean unknownFinalState) {}
                    });
            Samples detected = new Samples();
            Samples noticed = new Samples();
            Samples answered = new Samples();
            try {
                for (int i = 0; i < warmup + revisions; i++) {
                    sluice.clear();
                    baseline.clear();
                    String image = "ghcr.io/stefanprodan/podinfo:6.1." + i;
                    long sent = System.nanoTime();
                    update(env, image);
                    long answer = System.nanoTime();
                    long sluiceAt = arrival(sluice, "'New revision detected!'", image);
                    long baselineAt = arrival(baseline, "the baseline's " + DetectionBaseline.REASON, image);
                    if (i >= warmup) {
                        detected.add(sluiceAt - sent);
                        noticed.add(baselineAt - sent);
                        answered.add(answer - sent);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            } finally {
                events.close();
                env.keepLogs(repo.resolve("sandbox/target/bench-logs"));
            }
            return report(env, detected, noticed, answered);
        }
    }

    private void note(GenericKubernetesResource event) {
        long now = System.nanoTime();
        Object message = event.getAdditionalProperties().get("message");
        Object reason = event.getAdditionalProperties().get("reason");
        if (message != null && message.toString().startsWith("New revision detected!")) {
            sluice.add(now);
        } else if (DetectionBaseline.REASON.equals(reason)) {
            baseline.add(now);
        }
    }

    /** The image change {@code kubectl set image} makes: a strategic-merge patch of the pod template. */
    private static void update(Environment env, String image) {
        env.admin()
                .apps()
                .deployments()
                .inNamespace(SeedRun.NAMESPACE)
                .withName("podinfo")
                .patch(
                        PatchContext.of(PatchType.STRATEGIC_MERGE),
                        "{\"spec\":{\"template\":{\"spec\":{\"containers\":" + "[{\"name\":\"podinfod\",\"image\":\""
                                + image + "\"}]}}}}");
    }

    private static long arrival(BlockingQueue<Long> arrivals, String what, String image) throws InterruptedException {
        Long at = arrivals.poll(EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (at == null) {
            throw new IllegalStateException(
                    "no " + what + " Event within " + EVENT_TIMEOUT.toSeconds() + " s for " + image);
        }
        return at;
    }

    private int report(Environment env, Samples detected, Samples noticed, Samples answered) {
        String interval = env.canary(SeedRun.NAMESPACE, SeedRun.CANARY)
                .getJsonObject("spec")
                .getJsonObject("analysis")
                .getString("interval", "60s");
        System.out.printf(
                "update answered by the API server (admission included): p50 %.1f ms, p99 %.1f ms%n",
                answered.percentile(0.50), answered.percentile(0.99));
        System.out.printf(
                "Sluice, 'New revision detected!' over %d revisions: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                detected.size(), detected.percentile(0.50), detected.percentile(0.99), detected.max());
        System.out.printf(
                "baseline, a bare watcher's Event on the same updates: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                noticed.percentile(0.50), noticed.percentile(0.99), noticed.max());
        double p50Ratio = detected.percentile(0.50) / noticed.percentile(0.50);
        double p99Ratio = detected.percentile(0.99) / noticed.percentile(0.99);
        boolean met = p99Ratio <= GOAL_RATIO;
        System.out.printf(
                "ratio Sluice / baseline: p50 %.2fx, p99 %.2fx (goal: p99 at most %.2fx) -> %s%n",
                p50Ratio, p99Ratio, GOAL_RATIO, met ? "met" : "missed");
        System.out.printf(
                "a controller polling at the Canary's interval %s notices a change %s later on average "
                        + "(half the interval), %s at worst%n",
                interval, halfOf(interval), interval);
        return met ? 0 : 1;
    }

    private static String phase(Environment env) {
        JsonObject c = env.canary(SeedRun.NAMESPACE, SeedRun.CANARY);
        return c == null ? null : c.getJsonObject("status", new JsonObject()).getString("phase");
    }

    static String halfOf(String interval) {
        try {
            return io.sluice.model.Durations.parse(interval)
                    .map(d -> (d.toMillis() / 2) + " ms")
                    .orElse("half of " + interval);
        } catch (RuntimeException e) {
            return "half of " + interval;
        }
    }

    /** Latencies in milliseconds, with the nearest-rank percentile. */
    static final class Samples {
        private final List<Double> millis = new ArrayList<>();
        private boolean sorted = true;

        void add(long nanos) {
            millis.add(nanos / 1e6);
            sorted = false;
        }

        int size() {
            return millis.size();
        }

        double percentile(double q) {
            sort();
            return millis.get((int) Math.ceil(q * millis.size()) - 1);
        }

        double max() {
            sort();
            return millis.get(millis.size() - 1);
        }

        private void sort() {
            if (!sorted) {
                Collections.sort(millis);
                sorted = true;
            }
        }
    }
}
