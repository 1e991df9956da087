package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.apiserver.ApiCall;
import io.sluice.sandbox.mesh.GatewayClient;
import io.sluice.sandbox.mesh.Prometheus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed end to end, with Sluice's admission and analyzer as separate processes: 6.0.1 promoted,
 * 6.0.2 rolled back under HTTP 500s, and a revision found by the watch while admission is down.
 *
 * <p>Test-only override: the seed's Canary is applied with a 5 s analysis interval, 15 s metric
 * windows and a 1 m load test instead of 20 s / 1 m / 30 s / 2 m ({@link ShortSeed}), so both runs
 * finish in about two minutes; everything else is the seed's manifest as written.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedEndToEndIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static Environment env;
    static GatewayClient gateway;
    static final Path LOGS = REPO.resolve("sandbox/target/e2e-logs");

    @BeforeAll
    static void start() throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        require(Prometheus.installed(), "prometheus", "prometheus");
        require(Tools.onPath("hey"), "hey", "hey");
        require(Tools.onPath("curl"), "curl", "curl");
        env = Environment.start(new Environment.Options(
                REPO, Duration.ofSeconds(1), Environment.NO_EXTRA_ARGS, true, true, TestLaunchers.of(REPO)));
        ShortSeed.apply(env, REPO);
        gateway =
                new GatewayClient(env.sandbox().vertx(), env.sandbox().cluster().gatewayPort(), SeedRun.HOST);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (env != null) {
            env.keepLogs(LOGS);
            Path dir = env.sandbox().dir();
            env.close();
            assertThat(dir).doesNotExist();
        }
    }

    /** Sends user traffic through the gateway during a run and counts canary answers per canary weight. */
    static final class Traffic implements AutoCloseable {
        final Map<Integer, AtomicLong> total = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> canary = new ConcurrentHashMap<>();
        final AtomicInteger weight = new AtomicInteger(0);
        final long timer;

        Traffic() {
            env.sandbox().cluster().onRouteTable(t -> {
                if (t.getJsonObject("metadata").getString("name").equals("podinfo-delegate")) {
                    Integer w = SeedRun.canaryWeight(t);
                    if (w != null) {
                        weight.set(w);
                    }
                }
            });
            timer = env.sandbox().vertx().setPeriodic(25, t -> {
                int w = weight.get();
                gateway.get("/").onSuccess(a -> {
                    if (a.status() == 200 && weight.get() == w) {
                        total.computeIfAbsent(w, k -> new AtomicLong()).incrementAndGet();
                        // Attributed by the pod that answered, not by version: after the promotion copy the
                        // primary serves the canary's version too.
                        if (!new JsonObject(a.body()).getString("hostname", "").startsWith("podinfo-primary")) {
                            canary.computeIfAbsent(w, k -> new AtomicLong()).incrementAndGet();
                        }
                    }
                });
            });
        }

        double share(int w) {
            long n = total.getOrDefault(w, new AtomicLong()).get();
            return n == 0
                    ? Double.NaN
                    : canary.getOrDefault(w, new AtomicLong()).get() / (double) n;
        }

        long samples(int w) {
            return total.getOrDefault(w, new AtomicLong()).get();
        }

        @Override
        public void close() {
            env.sandbox().vertx().cancelTimer(timer);
        }
    }

    static SeedRun.Outcome play(String image, boolean faults) {
        return play(image, faults, null);
    }

    static SeedRun.Outcome play(String image, boolean faults, String as) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            return SeedRun.play(env, image, faults, Duration.ofMinutes(3), print, as);
        } finally {
            System.out.println(out.toString(StandardCharsets.UTF_8));
        }
    }

    static List<String> messages() {
        return SeedRun.events(env).stream().map(SeedRun::message).toList();
    }

    static List<String> lastRun() {
        return SeedRun.lastRunMessages(env);
    }

    static String primaryImage() {
        return SeedRun.primaryImage(env);
    }

    @Test
    @Order(1)
    void newVersionIsPromotedStepByStep() {
        SeedRun.Outcome outcome;
        Traffic traffic = new Traffic();
        try (traffic) {
            outcome = play("ghcr.io/stefanprodan/podinfo:6.0.1", false);
        }
        assertThat(outcome.phase()).isEqualTo("Succeeded");
        assertThat(lastRun())
                .filteredOn(m -> !m.startsWith("Halt advancement no values found"))
                .containsExactlyElementsOf(SeedRun.PROMOTION);
        assertThat(outcome.canaryWeights()).containsSubsequence(30, 60, 0);
        assertThat(primaryImage()).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        assertThat(outcome.admittedRevision()).isNotNull();
        assertThat(outcome.admittedRevision().getString("user")).isEqualTo(Sandbox.ADMIN);
        assertThat(outcome.admittedRevision().getString("source")).isEqualTo("kubectl");
        assertThat(outcome.admittedRevision().getJsonObject("images").getString("podinfod"))
                .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        // The gateway's split follows the weight Sluice wrote: with ~200 samples a step, a binomial
        // share stays well within 0.15 of the weight.
        for (int w : new int[] {30, 60}) {
            assertThat(traffic.samples(w)).as("requests at weight %d", w).isGreaterThan(50);
            assertThat(traffic.share(w))
                    .as("canary share at weight %d", w)
                    .isBetween(w / 100.0 - 0.15, w / 100.0 + 0.15);
        }
        assertThat(traffic.share(0)).as("canary share at weight 0").isLessThan(0.01);
    }

    @Test
    @Order(2)
    void faultyVersionIsRolledBack() {
        SeedRun.Outcome outcome = play("ghcr.io/stefanprodan/podinfo:6.0.2", true);
        assertThat(outcome.phase()).isEqualTo("Failed");
        List<String> run = lastRun();
        assertThat(run).filteredOn(m -> !m.startsWith("Halt")).containsExactlyElementsOf(SeedRun.ROLLBACK);
        assertThat(run).anyMatch(m -> m.matches("Halt podinfo\\.test advancement success rate \\d+\\.\\d\\d% < 99%"));
        assertThat(outcome.canaryWeights()).containsSubsequence(30, 0);
        assertThat(primaryImage()).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        JsonObject status = env.canary("test", "podinfo").getJsonObject("status");
        assertThat(status.getInteger("failedChecks")).isEqualTo(5);
    }

    @Test
    @Order(3)
    void aRevisionSetByFluxsServiceAccountIsRecordedAsFlux() {
        String flux = Environment.FLUX_USER;
        env.installFluxIdentity();
        SeedRun.Outcome outcome = play("ghcr.io/stefanprodan/podinfo:6.0.4", false, flux);
        assertThat(outcome.phase()).isEqualTo("Succeeded");
        assertThat(primaryImage()).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.4");
        assertThat(outcome.admittedRevision().getString("user")).isEqualTo(flux);
        assertThat(outcome.admittedRevision().getString("source")).isEqualTo("flux");
        assertThat(outcome.admittedRevision().getJsonObject("images").getString("podinfod"))
                .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.4");
    }

    /**
     * Flux as it reconciles: a server-side apply of the Deployment from Git (a new image, and the
     * replica count Git holds) as kustomize-controller with its service account, forcing conflicts as
     * Flux does. The revision is promoted and recorded as Flux's, and the replica count stays the
     * analyzer's: Sluice's webhook keeps it and records Git's wish.
     */
    @Test
    @Order(4)
    void aServerSideApplyByFluxIsPromotedAndLeavesTheReplicasToTheAnalyzer() throws Exception {
        String flux = Environment.FLUX_USER;
        String image = "ghcr.io/stefanprodan/podinfo:6.0.5";
        String manifest = Files.readString(REPO.resolve("manifests/examples/podinfo/deployment.yaml"))
                .replace("ghcr.io/stefanprodan/podinfo:6.0.0", image)
                .replace("spec:\n  minReadySeconds", "spec:\n  replicas: 2\n  minReadySeconds");
        assertThat(manifest).contains(image, "replicas: 2");
        Path file = Files.createTempFile(env.sandbox().dir(), "podinfo-from-git", ".yaml");
        Files.writeString(file, manifest);
        SeedRun.Outcome outcome;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            outcome = SeedRun.play(
                    env,
                    image,
                    false,
                    Duration.ofMinutes(3),
                    print,
                    List.of(
                            "apply",
                            "--server-side",
                            "--field-manager=kustomize-controller",
                            "--force-conflicts",
                            "--as=" + flux,
                            "-f",
                            file.toString()));
        } finally {
            System.out.println(out.toString(StandardCharsets.UTF_8));
        }
        assertThat(outcome.phase()).isEqualTo("Succeeded");
        assertThat(primaryImage()).isEqualTo(image);
        assertThat(outcome.admittedRevision().getString("user")).isEqualTo(flux);
        assertThat(outcome.admittedRevision().getString("source")).isEqualTo("flux");
        assertThat(outcome.admittedRevision().getJsonObject("images").getString("podinfod"))
                .isEqualTo(image);
        JsonObject live = new JsonObject(env.kubectl()
                .run("-n", "test", "get", "deployment", "podinfo", "-o", "json", "--show-managed-fields")
                .ok()
                .out());
        assertThat(live.getJsonObject("spec").getInteger("replicas"))
                .as("the analyzer's count after promotion")
                .isZero();
        assertThat(live.getJsonObject("metadata").getJsonObject("annotations").getString("sluice.io/desired-replicas"))
                .isEqualTo("2");
        assertThat(live.getJsonObject("metadata").getJsonArray("managedFields").stream()
                        .map(o -> (JsonObject) o)
                        .filter(e -> e.getString("manager").equals("kustomize-controller"))
                        .map(e -> e.getString("operation")))
                .containsExactly("Apply");
    }

    @Test
    @Order(5)
    void revisionIsFoundByTheWatchWhileAdmissionIsDown() {
        int eventsBefore = (int) messages().stream()
                .filter(m -> m.startsWith("New revision detected!"))
                .count();
        env.stopAdmission();
        env.kubectl()
                .run("-n", "test", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.3")
                .ok();
        Environment.await("a run started by the watch", Duration.ofSeconds(60), () -> {
            env.checkAlive();
            return messages().stream()
                            .filter(m -> m.startsWith("New revision detected!"))
                            .count()
                    > eventsBefore;
        });
        JsonObject after = env.canary("test", "podinfo").getJsonObject("status").getJsonObject("admittedRevision");
        String audited = after == null
                ? null
                : after.getJsonObject("images", new JsonObject()).getString("podinfod");
        assertThat(audited)
                .as("no admission, no audit record of 6.0.3")
                .isNotEqualTo("ghcr.io/stefanprodan/podinfo:6.0.3");
        assertThat(env.admin()
                        .apps()
                        .deployments()
                        .inNamespace("test")
                        .withName("podinfo")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.3");
    }

    /**
     * revertOnDeletion with garbage collection on: deleting the Canary hands the app back to its own
     * Deployment, and what serves it afterwards (the delegate RouteTable's destinations) still exists.
     */
    @Test
    @Order(6)
    void deletingTheCanaryWithRevertOnDeletionLeavesTheAppServing() {
        Environment.await("the run before to finish", Duration.ofMinutes(3), () -> {
            String phase = env.canary("test", "podinfo").getJsonObject("status").getString("phase");
            return List.of("Succeeded", "Failed", "Initialized").contains(phase);
        });
        env.kubectl()
                .run(
                        "-n",
                        "test",
                        "patch",
                        "canary",
                        "podinfo",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"revertOnDeletion\":true}}")
                .ok();
        Environment.await(
                "the analyzer's finalizer on the Canary",
                Duration.ofSeconds(60),
                () -> env.canary("test", "podinfo")
                        .getJsonObject("metadata")
                        .getJsonArray("finalizers", new JsonArray())
                        .contains("finalizer.flagger.app"));
        env.kubectl()
                .run("-n", "test", "delete", "canary", "podinfo", "--timeout=120s")
                .ok();
        assertThat(env.canary("test", "podinfo")).isNull();
        JsonObject delegate = Environment.await("garbage collection to settle", Duration.ofSeconds(30), () -> {
            Kubectl.Result r = env.kubectl().run("-n", "test", "get", "routetable", "podinfo-delegate", "-o", "json");
            return r.exit() == 0 ? new JsonObject(r.out()) : null;
        });
        for (String destination : destinations(delegate)) {
            assertThat(env.kubectl()
                            .run("-n", "test", "get", "service", destination)
                            .exit())
                    .as("service %s the delegate routes to", destination)
                    .isZero();
        }
        assertThat(env.admin()
                        .apps()
                        .deployments()
                        .inNamespace("test")
                        .withName("podinfo")
                        .get()
                        .getSpec()
                        .getReplicas())
                .as("the target is scaled back up")
                .isPositive();
        assertThat(Environment.await(
                        "the app to answer through the gateway",
                        Duration.ofSeconds(30),
                        () -> gateway.get("/")
                                .toCompletionStage()
                                .toCompletableFuture()
                                .handle((a, e) -> a != null && a.status() == 200)
                                .join()))
                .isTrue();
    }

    /**
     * After every scenario above, with both services held to the RBAC of {@code manifests/}: no call either
     * made was denied, and every verb on every resource the manifests grant was used by some call — a
     * permission no path needs is one an attacker who takes the pod gets for free. The grants the seed's
     * scenarios cannot reach are listed with the path that needs them; a listed grant that the run did use
     * fails too, so the list cannot go stale.
     */
    @Test
    @Order(7)
    void everyCallIsGrantedAndEveryGrantIsUsed() {
        List<JsonObject> manifests = Installed.render(REPO);
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, Map<String, String>> service : UNREACHED_GRANTS.entrySet()) {
            String account = service.getKey();
            Set<ApiCall> calls = env.sandbox().api().calls("system:serviceaccount:sluice-system:" + account);
            softly.assertThat(calls.stream().filter(c -> !c.allowed()))
                    .as("calls of %s that manifests/ does not grant", account)
                    .isEmpty();
            Set<String> granted = Grants.of(manifests, Environment.SYSTEM_NAMESPACE, account);
            Set<String> used = Grants.used(calls);
            Set<String> unused = new TreeSet<>(granted);
            unused.removeAll(used);
            unused.removeAll(service.getValue().keySet());
            Map<String, String> timing = TIMING_GRANTS.getOrDefault(account, Map.of());
            unused.removeAll(timing.keySet());
            softly.assertThat(granted)
                    .as("grants of %s listed as reached or not by timing", account)
                    .containsAll(timing.keySet());
            softly.assertThat(unused)
                    .as("grants of %s that no call used (calls: %s)", account, used)
                    .isEmpty();
            Set<String> reached = new TreeSet<>(service.getValue().keySet());
            reached.retainAll(used);
            softly.assertThat(reached)
                    .as("grants of %s listed as unreached that the run did use", account)
                    .isEmpty();
            softly.assertThat(granted)
                    .as("grants of %s listed as unreached", account)
                    .containsAll(service.getValue().keySet());
        }
        softly.assertAll();
    }

    /**
     * Per service account: the grants the seed's scenarios reach or not depending on the order of watch events, each
     * with the path that needs it. The analyzer holds a Deployment's or Service's text only if a Canary needs it when
     * the object's event arrives; one whose last event came before its Canary is read by name once. Whether the
     * podinfo Deployment's last event (its rollout's status) comes before or after the Canary is applied is timing.
     */
    static final Map<String, Map<String, String>> TIMING_GRANTS = Map.of(
            "sluice-analyzer",
            Map.of(
                    "get apps/deployments",
                    "a Canary applied after its target's last event: the target read by name once"
                            + " (ClusterViewTest.untargetedDeploymentsAreKnownNotHeld)",
                    "get services",
                    "a Canary whose Services existed before it (re-created, or a shard moved to this replica): each"
                            + " read by name once (ClusterViewTest.servicesNoCanaryNeedsAreKnownNotHeld)"));

    /** Per service account: the grants the seed's scenarios do not reach, each with the path that needs it. */
    static final Map<String, Map<String, String>> UNREACHED_GRANTS = Map.of(
            "sluice-analyzer",
            Map.ofEntries(
                    Map.entry(
                            "create autoscaling/horizontalpodautoscalers",
                            "a Canary with autoscalerRef: the -primary HPA (SeedScenarioTest.primaryAutoscaler)"),
                    Map.entry(
                            "get autoscaling/horizontalpodautoscalers",
                            "a Canary with autoscalerRef: its HPA read by name (SeedScenarioTest.primaryAutoscaler)"),
                    Map.entry(
                            "update autoscaling/horizontalpodautoscalers",
                            "promoting a target whose HPA changed: the -primary HPA follows it"),
                    Map.entry(
                            "get keda.sh/scaledobjects",
                            "a Canary with a KEDA autoscalerRef: its ScaledObject read by name"
                                    + " (ScaledObjectScenarioTest.primaryScaledObjectAndPause)"),
                    Map.entry(
                            "create keda.sh/scaledobjects",
                            "a Canary with a KEDA autoscalerRef: the -primary ScaledObject"
                                    + " (ScaledObjectScenarioTest.primaryScaledObjectAndPause)"),
                    Map.entry(
                            "update keda.sh/scaledobjects",
                            "promoting a target whose ScaledObject changed: the -primary one follows it"),
                    Map.entry(
                            "patch keda.sh/scaledobjects",
                            "a Canary with a KEDA autoscalerRef: the target's ScaledObject paused and resumed"
                                    + " (ScaledObjectScenarioTest.primaryScaledObjectAndPause)"),
                    Map.entry(
                            "get configmaps",
                            "config tracking of a target that mounts one (SeedScenarioTest.configTracking)"),
                    Map.entry(
                            "create configmaps",
                            "config tracking: the -primary copy (SeedScenarioTest.configTracking)"),
                    Map.entry(
                            "update configmaps",
                            "config tracking: a copy shared by two targets, or changed data at promotion "
                                    + "(SeedScenarioTest.sharedConfigCopyHasBothOwners)"),
                    Map.entry(
                            "get secrets",
                            "config tracking of a Secret; a MetricTemplate's or AlertProvider's secretRef"),
                    Map.entry("create secrets", "config tracking: the -primary copy of a Secret"),
                    Map.entry("update secrets", "config tracking: a Secret copy shared or changed"),
                    Map.entry(
                            "get events",
                            "an Event name taken by an earlier process (409 on create): read, then its count patched "
                                    + "(KubeTest.eventsAggregateWithoutReads)"),
                    Map.entry("get flagger.app/metrictemplates", "a metric with templateRef (the seed's are builtin)"),
                    Map.entry(
                            "get networking.gloo.solo.io/routetables",
                            "a parent RouteTable outside --namespace, read by name; the sandbox's analyzer watches every "
                                    + "namespace (ClusterViewTest.readsOutsideTheWatchedNamespaceGoToTheApiServer)"),
                    Map.entry("get flagger.app/alertproviders", "an alert with providerRef (the seed has none)"),
                    Map.entry(
                            "get flagger.app/canaries",
                            "a status write answered 409: the Canary is read again and decided again "
                                    + "(SeedScenarioTest.conflictingStatusWriteIsDecidedAgain)"),
                    Map.entry(
                            "update flagger.app/canaries/finalizers",
                            "not a request: clusters with the OwnerReferencesPermissionEnforcement plugin require it "
                                    + "to set blockOwnerDeletion on the objects the analyzer owns; the sandbox "
                                    + "does not run that plugin")),
            "sluice-admission",
            Map.of(
                    "update secrets",
                    "rotating the CA in its Secret, a year after it was made (ManagedCertificatesTest, "
                            + "SecretCaStoreTest)"));

    static List<String> destinations(JsonObject routeTable) {
        List<String> names = new java.util.ArrayList<>();
        for (Object http : routeTable.getJsonObject("spec").getJsonArray("http", new JsonArray())) {
            for (Object d : ((JsonObject) http)
                    .getJsonObject("forwardTo", new JsonObject())
                    .getJsonArray("destinations", new JsonArray())) {
                names.add(
                        ((JsonObject) d).getJsonObject("ref", new JsonObject()).getString("name"));
            }
        }
        return names;
    }
}
