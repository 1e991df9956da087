package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.sandbox.mesh.GatewayClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One run of the seed: {@code kubectl set image} on the target, optionally HTTP 500s through the
 * gateway as the seed generates them ({@code /status/500} every 200 ms), then the Canary watched
 * to a final phase while its progress and Events are printed the way {@code kubectl} shows them.
 */
public final class SeedRun {

    public static final String NAMESPACE = "test";
    public static final String CANARY = "podinfo";
    public static final String HOST = "podinfo.test.svc.cluster.local";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** What a run ended with. */
    public record Outcome(
            String phase,
            String primaryImage,
            List<String> events,
            List<Integer> canaryWeights,
            JsonObject admittedRevision,
            Map<String, Long> routed,
            Duration took) {}

    /** The seed's promotion, in order; the "no values found" warning may come or not. */
    public static final List<String> PROMOTION = List.of(
            "New revision detected! Scaling up podinfo.test",
            "Starting canary analysis for podinfo.test",
            "Pre-rollout check acceptance-test passed",
            "Advance podinfo.test canary weight 30",
            "Advance podinfo.test canary weight 60",
            "Copying podinfo.test template spec to podinfo-primary.test",
            "Routing all traffic to primary",
            "Promotion completed! Scaling down podinfo.test");

    /** The seed's rollback, in order, once the "Halt …" warnings are set aside. */
    public static final List<String> ROLLBACK = List.of(
            "New revision detected! Scaling up podinfo.test",
            "Starting canary analysis for podinfo.test",
            "Pre-rollout check acceptance-test passed",
            "Advance podinfo.test canary weight 30",
            "Rolling back podinfo.test failed checks threshold reached 5",
            "Canary failed! Scaling down podinfo.test");

    private SeedRun() {}

    /** The Canary's Event messages from the last "New revision detected!" on. */
    public static List<String> lastRunMessages(Environment env) {
        List<String> all = events(env).stream().map(SeedRun::message).toList();
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("New revision detected!")) {
                start = i;
            }
        }
        return all.subList(start, all.size());
    }

    /** Whether the last run's Events are the seed's promotion. */
    public static boolean promotedAsSeed(List<String> messages) {
        return messages.stream()
                .filter(m -> !m.startsWith("Halt advancement no values found"))
                .toList()
                .equals(PROMOTION);
    }

    /** Whether the last run's Events are the seed's rollback, with at least one success-rate halt. */
    public static boolean rolledBackAsSeed(List<String> messages) {
        return messages.stream().filter(m -> !m.startsWith("Halt")).toList().equals(ROLLBACK)
                && messages.stream()
                        .anyMatch(m -> m.matches("Halt podinfo\\.test advancement success rate \\d+\\.\\d\\d% < 99%"));
    }

    public static Outcome play(Environment env, String image, boolean faults, Duration deadline, PrintStream out) {
        return play(env, image, faults, deadline, out, (String) null);
    }

    /** A run started by {@code as} (kubectl --as, as a GitOps tool's service account would), or the admin when null. */
    public static Outcome play(
            Environment env, String image, boolean faults, Duration deadline, PrintStream out, String as) {
        List<String> setImage =
                new ArrayList<>(List.of("-n", NAMESPACE, "set", "image", "deployment/podinfo", "podinfod=" + image));
        if (as != null) {
            setImage.add("--as=" + as);
        }
        return play(env, image, faults, deadline, out, setImage);
    }

    /**
     * A run started by the kubectl command {@code change} (its arguments), which must set {@code image}
     * on the podinfo Deployment: a {@code set image}, or a server-side apply as a GitOps tool sends it.
     */
    public static Outcome play(
            Environment env, String image, boolean faults, Duration deadline, PrintStream out, List<String> change) {
        Instant started = Instant.now();
        Set<String> seenEvents = new LinkedHashSet<>(eventKeys(env));
        List<Integer> weights = new CopyOnWriteArrayList<>();
        env.sandbox().cluster().onRouteTable(table -> {
            if (table.getJsonObject("metadata").getString("name").equals("podinfo-delegate")) {
                Integer w = canaryWeight(table);
                if (w != null
                        && (weights.isEmpty()
                                || !weights.get(weights.size() - 1).equals(w))) {
                    weights.add(w);
                }
            }
        });
        Map<String, Long> routedBefore = env.sandbox().cluster().routedCounts();
        out.println("$ kubectl " + String.join(" ", change));
        out.print(env.kubectl().run(change.toArray(String[]::new)).ok().out());
        GatewayClient gateway =
                new GatewayClient(env.sandbox().vertx(), env.sandbox().cluster().gatewayPort(), HOST);
        long faultTimer = faults ? env.sandbox().vertx().setPeriodic(200, t -> gateway.get("/status/500")) : -1;
        if (faults) {
            out.println("$ watch -n .2 'curl -s <gateway>/status/500 -H \"Host: " + HOST + "\"'   (in the background)");
        }
        List<String> printed = new ArrayList<>();
        try {
            boolean[] running = {false};
            boolean announced = false;
            String last = "";
            String lastPrinted = "";
            Instant end = started.plus(deadline);
            Object lock = new Object();
            while (Instant.now().isBefore(end)) {
                env.checkAlive();
                JsonObject canary = env.canary(NAMESPACE, CANARY);
                JsonObject status =
                        canary == null ? new JsonObject() : canary.getJsonObject("status", new JsonObject());
                String phase = status.getString("phase", "");
                String line = phase + "/" + status.getValue("canaryWeight");
                if (!line.equals(last)) {
                    last = line;
                    String printedLine = env.kubectl()
                            .run("-n", NAMESPACE, "get", "canary", CANARY, "--no-headers")
                            .out();
                    if (!printedLine.equals(lastPrinted)) {
                        out.print(printedLine);
                        lastPrinted = printedLine;
                    }
                }
                JsonObject admitted = status.getJsonObject("admittedRevision");
                if (!announced
                        && admitted != null
                        && image.equals(admitted.getJsonObject("images", new JsonObject())
                                .getString("podinfod"))) {
                    announced = true;
                    out.println("  admitted revision " + admitted.getString("revision") + " (" + image + ") from "
                            + admitted.getString("user") + " via " + admitted.getString("source") + " at "
                            + admitted.getString("admittedAt"));
                }
                for (String e : newEvents(env, seenEvents)) {
                    out.println("  event  " + e);
                    printed.add(e);
                }
                if (phase.equals("Progressing") || phase.equals("Promoting") || phase.equals("Finalising")) {
                    running[0] = true;
                }
                if (running[0] && (phase.equals("Succeeded") || phase.equals("Failed"))) {
                    for (String e : newEvents(env, seenEvents)) {
                        out.println("  event  " + e);
                        printed.add(e);
                    }
                    String primaryImage = primaryImage(env);
                    Map<String, Long> routed = new java.util.TreeMap<>();
                    env.sandbox()
                            .cluster()
                            .routedCounts()
                            .forEach((k, v) -> routed.put(k, v - routedBefore.getOrDefault(k, 0L)));
                    return new Outcome(
                            phase,
                            primaryImage,
                            printed,
                            List.copyOf(weights),
                            status.getJsonObject("admittedRevision"),
                            routed,
                            Duration.between(started, Instant.now()));
                }
                synchronized (lock) {
                    try {
                        lock.wait(500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
            throw new IllegalStateException("the run of " + image + " did not finish within " + deadline.toSeconds()
                    + " s (last canary status " + last + ")");
        } finally {
            if (faultTimer >= 0) {
                env.sandbox().vertx().cancelTimer(faultTimer);
            }
            gateway.close();
        }
    }

    /** The image the primary Deployment runs, or "" when there is none. */
    public static String primaryImage(Environment env) {
        return image(env, NAMESPACE, "podinfo-primary");
    }

    /** The first container's image of the Deployment {@code name}, or "" when there is no such Deployment. */
    public static String image(Environment env, String namespace, String name) {
        Deployment d = env.admin()
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName(name)
                .get();
        return d == null
                ? ""
                : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    static Integer canaryWeight(JsonObject table) {
        for (Object o : table.getJsonObject("spec", new JsonObject()).getJsonArray("http", new JsonArray())) {
            JsonObject route = (JsonObject) o;
            if (!"weighted-route".equals(route.getString("name")) || route.getJsonObject("forwardTo") == null) {
                continue;
            }
            for (Object d : route.getJsonObject("forwardTo").getJsonArray("destinations", new JsonArray())) {
                JsonObject dest = (JsonObject) d;
                if (dest.getJsonObject("ref", new JsonObject())
                        .getString("name", "")
                        .endsWith("-canary")) {
                    return dest.getInteger("weight", 0);
                }
            }
            return 0;
        }
        return null;
    }

    /** The Canary's Events from both Event APIs, oldest first, as {@code type reason from: message}. */
    public static List<JsonObject> events(Environment env) {
        return events(env, NAMESPACE, CANARY);
    }

    /** The Events of the Canary {@code canary} in {@code namespace}, oldest first. */
    public static List<JsonObject> events(Environment env, String namespace, String canary) {
        List<JsonObject> all = new ArrayList<>();
        for (String api : List.of("v1", "events.k8s.io/v1")) {
            for (GenericKubernetesResource r : env.admin()
                    .genericKubernetesResources(api, "Event")
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                JsonObject e = new JsonObject(JSON.asJson(r));
                JsonObject about = e.getJsonObject("involvedObject", e.getJsonObject("regarding", new JsonObject()));
                if ("Canary".equals(about.getString("kind")) && canary.equals(about.getString("name"))) {
                    all.add(e);
                }
            }
        }
        // Event times have a second's precision; within a second the store's write order decides.
        all.sort(Comparator.comparing((JsonObject e) -> time(e).length() >= 19 ? time(e).substring(0, 19) : time(e))
                .thenComparingLong(SeedRun::resourceVersion));
        return all;
    }

    private static long resourceVersion(JsonObject e) {
        try {
            return Long.parseLong(e.getJsonObject("metadata").getString("resourceVersion", "0"));
        } catch (NumberFormatException x) {
            return 0;
        }
    }

    /** When the Event last happened: a repeated Event is counted on one object, so its latest time counts. */
    static String time(JsonObject e) {
        Object series = e.getJsonObject("series", new JsonObject()).getValue("lastObservedTime");
        if (series instanceof String s && !s.isEmpty()) {
            return s;
        }
        for (String k : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            Object v = e.getValue(k);
            if (v instanceof String s && !s.isEmpty()) {
                return s;
            }
        }
        return e.getJsonObject("metadata").getString("creationTimestamp", "");
    }

    public static String message(JsonObject e) {
        return e.getString("message", e.getString("note", ""));
    }

    static String render(JsonObject e) {
        String from = e.getJsonObject("source", new JsonObject())
                .getString("component", e.getString("reportingController", e.getString("reportingComponent", "")));
        return String.format("%-7s %-7s %-8s %s", e.getString("type", ""), e.getString("reason", ""), from, message(e));
    }

    private static List<String> eventKeys(Environment env) {
        return events(env).stream().map(SeedRun::key).toList();
    }

    private static String key(JsonObject e) {
        return e.getJsonObject("metadata").getString("uid", "") + "/" + e.getValue("count", e.getValue("series"));
    }

    private static List<String> newEvents(Environment env, Set<String> seen) {
        List<String> out = new ArrayList<>();
        for (JsonObject e : events(env)) {
            if (seen.add(key(e))) {
                out.add(render(e));
            }
        }
        return out;
    }
}
