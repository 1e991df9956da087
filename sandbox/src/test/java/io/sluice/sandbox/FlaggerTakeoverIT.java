package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Moving from Flagger (docs/migration.md), in the sandbox: Sluice is installed into {@code delivery}, not
 * {@code sluice-system}, while Canaries stand as Flagger left them, with their primaries, Services and delegate
 * RouteTables: one promoted, one failed, one at 20% of a run, and one whose provider is {@code istio}. The analyzer
 * takes the first three over with one Event each and no run, lets the mid-run one finish, never touches the Istio one,
 * and runs a change of the promoted one's target as usual.
 *
 * <p>The Canaries have no metrics or webhooks and the shortest interval (10 s), and the sandbox runs no Prometheus, so the test
 * takes under a minute after the sandbox is up.
 */
class FlaggerTakeoverIT {
    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static final Path LOGS = REPO.resolve("sandbox/target/takeover-logs");
    static final String INSTALL = "delivery";
    static final String NS = SeedRun.NAMESPACE;
    static final String IMAGE = "ghcr.io/stefanprodan/podinfo:";
    /** Flagger's revision hashes: its FNV-1a number in Kubernetes' safe encoding. */
    static final String FLAGGER_OLD = "5f7b4d9c8";

    static final String FLAGGER_NEW = "6d9b7f45c";
    static final Pattern SLUICE_REVISION = Pattern.compile("[0-9a-f]{16}");
    static Environment env;

    @BeforeAll
    static void start() throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        env = Environment.start(new Environment.Options(
                        REPO, Duration.ofSeconds(1), Environment.NO_EXTRA_ARGS, true, false, TestLaunchers.of(REPO))
                .inNamespace(INSTALL));
        Path examples = REPO.resolve("manifests/examples/podinfo");
        for (String f : List.of("namespace.yaml", "workspace.yaml", "workspacesettings.yaml")) {
            env.kubectl().run("apply", "-f", examples.resolve(f).toString()).ok();
        }
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.keepLogs(LOGS);
            env.close();
        }
    }

    @Test
    void flaggersCanariesAreTakenOverWithoutRuns() throws Exception {
        asFlaggerLeftIt(
                "promoted",
                "6.0.1",
                "6.0.1",
                0,
                Map.of("phase", "Succeeded", "lastAppliedSpec", FLAGGER_NEW, "lastPromotedSpec", FLAGGER_NEW));
        asFlaggerLeftIt(
                "failed",
                "6.0.2",
                "6.0.0",
                0,
                Map.of(
                        "phase",
                        "Failed",
                        "failedChecks",
                        2,
                        "lastAppliedSpec",
                        FLAGGER_NEW,
                        "lastPromotedSpec",
                        FLAGGER_OLD));
        asFlaggerLeftIt(
                "midrun",
                "6.0.1",
                "6.0.0",
                20,
                Map.of(
                        "phase",
                        "Progressing",
                        "canaryWeight",
                        20,
                        "lastAppliedSpec",
                        FLAGGER_NEW,
                        "lastPromotedSpec",
                        FLAGGER_OLD));
        JsonObject istio = istioCanary();
        Map<String, Long> generations = generations();

        env.startAnalyzer();

        String promoted = awaitTakenOver("promoted", "Succeeded");
        String failed = awaitTakenOver("failed", "Failed");
        String midRun = awaitTakenOver("midrun", "Progressing");
        Environment.await("the mid-run Canary to finish its run", Duration.ofSeconds(120), () -> {
            env.checkAlive();
            return "Succeeded".equals(status("midrun").getString("phase"));
        });

        assertThat(messages("promoted"))
                .as("the promoted Canary: the notice and nothing else")
                .containsExactly("Taken over from Flagger: Succeeded, revision " + promoted);
        assertThat(messages("failed"))
                .as("the failed Canary: the notice and nothing else")
                .containsExactly("Taken over from Flagger: Failed, revision " + failed);
        assertThat(status("promoted").getString("phase")).isEqualTo("Succeeded");
        assertThat(status("failed").getString("phase")).isEqualTo("Failed");
        assertThat(replicas("failed"))
                .as("the failed revision is not scaled up")
                .isZero();
        assertThat(image("failed-primary")).endsWith(":6.0.0");
        List<String> midRunMessages = messages("midrun");
        assertThat(midRunMessages.get(0)).isEqualTo("Taken over from Flagger: Progressing, revision " + midRun);
        assertThat(midRunMessages).noneMatch(m -> m.startsWith("New revision detected"));
        assertThat(midRunMessages).noneMatch(m -> m.startsWith("Starting canary analysis"));
        assertThat(midRunMessages).contains("Advance midrun.test canary weight 40");
        assertThat(image("midrun-primary")).endsWith(":6.0.1");
        assertThat(generations())
                .as("the promoted and failed Canaries' Deployments and RouteTables are not written")
                .isEqualTo(generations);

        JsonObject now = env.canary(NS, "istio");
        assertThat(now.getJsonObject("metadata").getString("resourceVersion"))
                .as("the Istio Canary is never written")
                .isEqualTo(istio.getJsonObject("metadata").getString("resourceVersion"));
        assertThat(now.getJsonObject("metadata").getValue("finalizers")).isNull();
        assertThat(now.getJsonObject("status")).isEqualTo(istio.getJsonObject("status"));
        assertThat(messages("istio")).isEmpty();

        env.kubectl()
                .run("-n", NS, "set", "image", "deployment/promoted", "podinfod=" + IMAGE + "6.0.3")
                .ok();
        Environment.await("a run of the promoted Canary's new revision", Duration.ofSeconds(30), () -> {
            env.checkAlive();
            return messages("promoted").contains("New revision detected! Scaling up promoted.test");
        });
    }

    /** Waits for Sluice's revision in the status; the phase must still be Flagger's. Returns the revision. */
    static String awaitTakenOver(String name, String phase) {
        String revision = Environment.await(name + " to be taken over", Duration.ofSeconds(60), () -> {
            env.checkAlive();
            String applied = status(name).getString("lastAppliedSpec", "");
            return SLUICE_REVISION.matcher(applied).matches() ? applied : null;
        });
        assertThat(status(name).getString("phase")).isEqualTo(phase);
        return revision;
    }

    static JsonObject status(String name) {
        return env.canary(NS, name).getJsonObject("status", new JsonObject());
    }

    static List<String> messages(String canary) {
        return SeedRun.events(env, NS, canary).stream().map(SeedRun::message).toList();
    }

    /** The generation (bumped by every change but the status) of the objects of the promoted and failed Canaries. */
    static Map<String, Long> generations() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String name : List.of("promoted", "failed")) {
            for (String d : List.of(name, name + "-primary")) {
                out.put(
                        d,
                        env.admin()
                                .apps()
                                .deployments()
                                .inNamespace(NS)
                                .withName(d)
                                .get()
                                .getMetadata()
                                .getGeneration());
            }
            out.put(
                    name + "-delegate",
                    env.admin()
                            .genericKubernetesResources("networking.gloo.solo.io/v2", "RouteTable")
                            .inNamespace(NS)
                            .withName(name + "-delegate")
                            .get()
                            .getMetadata()
                            .getGeneration());
        }
        return out;
    }

    static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String name) {
        return env.admin().apps().deployments().inNamespace(NS).withName(name).get();
    }

    static int replicas(String deployment) {
        return deployment(deployment).getSpec().getReplicas();
    }

    static String image(String deployment) {
        return SeedRun.image(env, NS, deployment);
    }

    /**
     * A gloo-mesh Canary {@code name} and what Flagger made for it: the target at {@code targetVersion} (scaled to 0
     * unless a run is on), {@code name-primary} running {@code primaryVersion} with the template Flagger copies, the
     * three Services, the parent RouteTable and the delegate at {@code canaryWeight}; then the status.
     */
    static void asFlaggerLeftIt(
            String name, String targetVersion, String primaryVersion, int canaryWeight, Map<String, Object> status)
            throws IOException {
        apply(canary(name, "gloo-mesh"));
        String uid = env.canary(NS, name).getJsonObject("metadata").getString("uid");
        String owner = """
                  ownerReferences:
                  - {apiVersion: flagger.app/v1beta1, kind: Canary, name: %s, uid: %s, controller: true, \
                blockOwnerDeletion: true}
                """.formatted(name, uid);
        apply(deploymentYaml(name, name, targetVersion, canaryWeight > 0 ? 1 : 0, "", ""));
        apply(deploymentYaml(
                name + "-primary", name + "-primary", primaryVersion, 1, owner, "flagger-id: " + UUID.randomUUID()));
        for (String[] svc : new String[][] {
            {name, name + "-primary"}, {name + "-primary", name + "-primary"}, {name + "-canary", name}
        }) {
            apply("""
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: %s
                      namespace: test
                      labels: {app: %s, expose: "true"}
                    %sspec:
                      type: ClusterIP
                      selector: {app: %s}
                      ports:
                      - {name: http, port: 9898, targetPort: 9898, protocol: TCP}
                    """.formatted(svc[0], svc[0], owner, svc[1]));
        }
        apply(parentRouteTable(name));
        apply("""
                apiVersion: networking.gloo.solo.io/v2
                kind: RouteTable
                metadata:
                  name: %1$s-delegate
                  namespace: test
                  labels: {expose: "true"}
                %2$sspec:
                  http:
                  - name: weighted-route
                    forwardTo:
                      destinations:
                      - {ref: {name: %1$s-primary, namespace: test}, kind: SERVICE, port: {number: 9898}, weight: %3$d}
                      - {ref: {name: %1$s-canary, namespace: test}, kind: SERVICE, port: {number: 9898}, weight: %4$d}
                """.formatted(name, owner, 100 - canaryWeight, canaryWeight));
        writeStatus(name, status);
    }

    /** A Canary whose provider is Istio, with the status Flagger wrote: Sluice must leave it alone. */
    static JsonObject istioCanary() throws IOException {
        apply(deploymentYaml("istio", "istio", "6.0.0", 0, "", ""));
        apply(canary("istio", "istio"));
        writeStatus(
                "istio", Map.of("phase", "Succeeded", "lastAppliedSpec", FLAGGER_OLD, "lastPromotedSpec", FLAGGER_OLD));
        return env.canary(NS, "istio");
    }

    static String canary(String name, String provider) {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata:
                  name: %1$s
                  namespace: test
                spec:
                  provider: %2$s
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: %1$s}
                  routeTableRef: {name: %1$s, namespace: test}
                  service:
                    port: 9898
                    targetPort: 9898
                    apex: {labels: {expose: "true"}}
                    canary: {labels: {expose: "true"}}
                    primary: {labels: {expose: "true"}}
                  analysis:
                    interval: 10s
                    threshold: 2
                    maxWeight: 40
                    stepWeight: 20
                """.formatted(name, provider);
    }

    /** The RouteTable of {@code name}'s host on the gateway, delegating to {@code name-delegate} (the seed's shape). */
    static String parentRouteTable(String name) {
        return """
                apiVersion: networking.gloo.solo.io/v2
                kind: RouteTable
                metadata:
                  name: %1$s
                  namespace: test
                  labels: {expose: "true"}
                spec:
                  hosts: ['%1$s.test.svc.cluster.local']
                  virtualGateways:
                  - {name: north-south-gw, namespace: istio-gateways, cluster: cluster1}
                  http:
                  - delegate:
                      routeTables:
                      - {name: %1$s-delegate, namespace: test}
                """.formatted(name);
    }

    /** The seed's podinfo, named {@code name}, selecting {@code app: <app>}. */
    static String deploymentYaml(
            String name, String app, String version, int replicas, String owner, String annotation) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  namespace: test
                  labels: {app: %2$s}
                %5$sspec:
                  replicas: %4$d
                  selector:
                    matchLabels: {app: %2$s}
                  template:
                    metadata:
                      labels: {app: %2$s}
                      annotations: {%6$s}
                    spec:
                      containers:
                      - name: podinfod
                        image: %3$s
                        command: [./podinfo, --port=9898]
                        ports:
                        - {name: http, containerPort: 9898, protocol: TCP}
                """.formatted(name, app, IMAGE + version, replicas, owner, annotation);
    }

    /** Creates the object as a controller does: no kubectl last-applied annotation that Sluice would then drop. */
    static void apply(String yaml) throws IOException {
        Path file = Files.createTempFile(env.sandbox().dir(), "flagger", ".yaml");
        Files.writeString(file, yaml);
        env.kubectl().run("create", "-f", file.toString()).ok();
    }

    /** The status as Flagger writes it: its hashes, no Sluice fields, the Promoted condition. */
    static void writeStatus(String name, Map<String, Object> fields) {
        env.admin()
                .genericKubernetesResources("flagger.app/v1beta1", "Canary")
                .inNamespace(NS)
                .withName(name)
                .editStatus((GenericKubernetesResource c) -> {
                    JsonObject status = new JsonObject()
                            .put("failedChecks", 0)
                            .put("canaryWeight", 0)
                            .put("iterations", 0)
                            .put("lastTransitionTime", "2026-05-17T08:00:00Z");
                    fields.forEach(status::put);
                    String phase = status.getString("phase");
                    status.put(
                            "conditions",
                            List.of(Map.of(
                                    "type",
                                    "Promoted",
                                    "status",
                                    phase.equals("Succeeded") ? "True" : phase.equals("Failed") ? "False" : "Unknown",
                                    "reason",
                                    phase.equals("Progressing") ? "Progressing" : phase,
                                    "message",
                                    "Flagger's last word on " + name,
                                    "lastUpdateTime",
                                    "2026-05-17T08:00:00Z",
                                    "lastTransitionTime",
                                    "2026-05-17T08:00:00Z")));
                    c.setAdditionalProperty("status", status.getMap());
                    return c;
                });
    }
}
