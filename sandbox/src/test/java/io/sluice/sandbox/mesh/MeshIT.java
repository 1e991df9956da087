package io.sluice.sandbox.mesh;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sluice.sandbox.Kubectl;
import io.sluice.sandbox.Sandbox;
import io.sluice.sandbox.Wait;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster stand-ins together: Deployments become ready pods, the gateway splits by the
 * delegate RouteTable's weights and reports its status, sidecars are scraped by the real
 * Prometheus, and the load tester reaches Services by their cluster names.
 */
class MeshIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static final String HOST = "podinfo.test.svc.cluster.local";

    static Sandbox sandbox;
    static Kubectl kubectl;
    static KubernetesClient client;
    static GatewayClient gateway;
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        require(Prometheus.installed(), "prometheus", "prometheus");
        sandbox = Sandbox.start(REPO, Duration.ofSeconds(1), true);
        kubectl = new Kubectl(sandbox.adminKubeconfig());
        gateway = new GatewayClient(sandbox.vertx(), sandbox.cluster().gatewayPort(), HOST);
        client = sandbox.client(sandbox.adminKubeconfig());
        Path examples = REPO.resolve("manifests/examples/podinfo");
        kubectl.run("apply", "-f", examples.resolve("namespace.yaml").toString())
                .ok();
        for (String f : new String[] {"deployment.yaml", "loadtester.yaml", "routetable.yaml"}) {
            kubectl.run("apply", "-f", examples.resolve(f).toString()).ok();
        }
        Path extra = Files.createTempFile(sandbox.dir(), "primary", ".yaml");
        Files.writeString(extra, """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo-primary, namespace: test, labels: {app: podinfo-primary}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: podinfo-primary}}
          template:
            metadata: {labels: {app: podinfo-primary}}
            spec:
              containers: [{name: podinfod, image: "ghcr.io/stefanprodan/podinfo:6.0.0", ports: [{containerPort: 9898}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: podinfo-primary, namespace: test}
        spec: {selector: {app: podinfo-primary}, ports: [{name: http, port: 9898, targetPort: 9898}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: podinfo-canary, namespace: test}
        spec: {selector: {app: podinfo}, ports: [{name: http, port: 9898, targetPort: 9898}]}
        ---
        apiVersion: networking.gloo.solo.io/v2
        kind: RouteTable
        metadata: {name: podinfo-delegate, namespace: test, labels: {expose: "true"}}
        spec:
          http:
          - name: weighted-route
            forwardTo:
              destinations:
              - {ref: {name: podinfo-primary, namespace: test}, port: {number: 9898}, weight: 70}
              - {ref: {name: podinfo-canary, namespace: test}, port: {number: 9898}, weight: 30}
        """);
        kubectl.run("apply", "-f", extra.toString()).ok();
        kubectl.run("-n", "test", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1")
                .ok();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            gateway.close();
            client.close();
        }
        if (sandbox != null) {
            Path dir = sandbox.dir();
            sandbox.close();
            assertThat(dir).doesNotExist();
        }
    }

    static boolean ready(String name) {
        Deployment d =
                client.apps().deployments().inNamespace("test").withName(name).get();
        return d != null
                && d.getStatus() != null
                && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
                && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas());
    }

    @SuppressWarnings("unchecked")
    static JsonObject status(GenericKubernetesResource r) {
        return new JsonObject((Map<String, Object>) r.getAdditionalProperties().get("status"));
    }

    static String version() {
        try {
            GatewayClient.Answer a =
                    gateway.get("/").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(a.status()).isEqualTo(200);
            return new JsonObject(a.body()).getString("version");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void deploymentsBecomeReadyAtTheirGeneration() {
        Wait.until(
                "podinfo and podinfo-primary ready",
                Duration.ofSeconds(30),
                () -> ready("podinfo") && ready("podinfo-primary") && ready("flagger-loadtester"));
        String out = kubectl.run("-n", "test", "get", "deployments").ok().out();
        assertThat(out).contains("podinfo-primary", "1/1");
    }

    @Test
    void gatewaySplitsByTheDelegateWeightsAndAcceptsTheTable() {
        Wait.until(
                "pods serving",
                Duration.ofSeconds(30),
                () -> ready("podinfo")
                        && ready("podinfo-primary")
                        && sandbox.cluster()
                                .pod("test", "podinfo")
                                .map(p -> p.image().endsWith("6.0.1"))
                                .orElse(false));
        GenericKubernetesResource delegate = Wait.until("delegate accepted", Duration.ofSeconds(30), () -> {
            GenericKubernetesResource r = client.genericKubernetesResources("networking.gloo.solo.io/v2", "RouteTable")
                    .inNamespace("test")
                    .withName("podinfo-delegate")
                    .get();
            JsonObject status = r == null || r.getAdditionalProperties().get("status") == null ? null : status(r);
            return status != null
                            && "ACCEPTED"
                                    .equals(status.getJsonObject("common")
                                            .getJsonObject("State")
                                            .getString("approval"))
                    ? r
                    : null;
        });
        JsonObject state = status(delegate).getJsonObject("common").getJsonObject("State");
        assertThat(state.getLong("observedGeneration"))
                .isEqualTo(delegate.getMetadata().getGeneration());
        int canary = 0;
        int n = 400;
        for (int i = 0; i < n; i++) {
            if ("6.0.1".equals(version())) {
                canary++;
            }
        }
        // 30 % of 400 with a binomial spread of about 9: 80..160 is more than four deviations wide.
        assertThat(canary).isBetween(80, 160);
        Map<String, Long> routed = sandbox.cluster().routedCounts();
        assertThat(routed.get("test/podinfo-canary")).isGreaterThanOrEqualTo(canary);
    }

    @Test
    void prometheusScrapesTheSidecarsIstioSeries() {
        Wait.until("pods serving", Duration.ofSeconds(30), () -> ready("podinfo") && ready("podinfo-primary"));
        for (int i = 0; i < 20; i++) {
            version();
        }
        String query = "sum(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"test\","
                + "destination_workload=~\"podinfo|podinfo-primary\"})";
        double total = Wait.until("istio_requests_total in prometheus", Duration.ofSeconds(30), () -> {
            try {
                String url = sandbox.prometheus().orElseThrow().url() + "/api/v1/query?query="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8);
                JsonObject body = new JsonObject(
                        http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                                .body());
                var result = body.getJsonObject("data").getJsonArray("result");
                double value = result.isEmpty()
                        ? 0
                        : Double.parseDouble(
                                result.getJsonObject(0).getJsonArray("value").getString(1));
                return value >= 20 ? value : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(total).isGreaterThanOrEqualTo(20.0);
    }

    @Test
    void loadTesterRunsBashCommandsAgainstClusterNames() throws Exception {
        Wait.until(
                "podinfo and the load tester ready",
                Duration.ofSeconds(30),
                () -> ready("podinfo") && ready("flagger-loadtester"));
        int port = Wait.until(
                        "load tester service",
                        Duration.ofSeconds(10),
                        () -> sandbox.cluster()
                                .resolveService("test", "flagger-loadtester", 80)
                                .orElse(null))
                .port();
        HttpResponse<String> ok = post(port, "curl -sd 'test' http://podinfo-canary.test:9898/token | grep token");
        assertThat(ok.statusCode()).isEqualTo(200);
        HttpResponse<String> failed = post(port, "curl -s http://podinfo-canary.test:9898/status/500 | grep OK");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body())
                .startsWith("command curl -s http://podinfo-canary.test:9898/status/500 | grep OK failed:")
                .endsWith("exit status 1");
    }

    @Test
    void processesOutsideReachServicesByClusterNameThroughTheProxy() throws Exception {
        Wait.until("podinfo ready", Duration.ofSeconds(30), () -> ready("podinfo"));
        URI proxy = URI.create(sandbox.cluster().clusterProxyUrl());
        HttpClient viaProxy = HttpClient.newBuilder()
                .proxy(java.net.ProxySelector.of(new java.net.InetSocketAddress(proxy.getHost(), proxy.getPort())))
                .build();
        HttpResponse<String> r = viaProxy.send(
                HttpRequest.newBuilder(URI.create("http://podinfo-canary.test:9898/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getString("version")).isEqualTo("6.0.1");
        HttpResponse<String> unknown = viaProxy.send(
                HttpRequest.newBuilder(URI.create("http://nothing.test/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(502);
    }

    static HttpResponse<String> post(int port, String cmd) throws Exception {
        String payload = new JsonObject()
                .put("name", "podinfo")
                .put("namespace", "test")
                .put("phase", "Progressing")
                .put("metadata", new JsonObject().put("type", "bash").put("cmd", cmd))
                .encode();
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .POST(HttpRequest.BodyPublishers.ofString(payload))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
