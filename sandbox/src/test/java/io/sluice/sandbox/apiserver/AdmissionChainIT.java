package io.sluice.sandbox.apiserver;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Kubectl;
import io.sluice.sandbox.tls.Pki;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admission chain against a small test webhook over TLS: what the webhook receives, patches
 * applied, denials, failure policies, dry runs and timeouts, all through a real kubectl.
 */
class AdmissionChainIT {

    static Vertx vertx;
    static ApiServer api;
    static Kubectl kubectl;
    static HttpServer webhook;
    static Path dir;
    static final List<JsonObject> reviews = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        dir = tmp;
        vertx = Vertx.vertx();
        api = await(ApiServer.start(vertx, 0, (ns, name, port) -> Optional.empty()));
        Pki.Pem cert = api.pki().issueServing("test-webhook", "default", List.of("127.0.0.1", "localhost"));
        webhook = await(vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .addCertValue(Buffer.buffer(cert.certificate()))
                                .addKeyValue(Buffer.buffer(cert.privateKey()))))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    JsonObject review = body.toJsonObject();
                    reviews.add(review);
                    JsonObject request = review.getJsonObject("request");
                    JsonObject response = new JsonObject()
                            .put("uid", request.getString("uid"))
                            .put("allowed", true);
                    switch (req.path()) {
                        case "/mutate" ->
                            response.put("patchType", "JSONPatch")
                                    .put(
                                            "patch",
                                            Base64.getEncoder()
                                                    .encodeToString(
                                                            "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"seen-by\":\"test-webhook\"}}]"
                                                                    .getBytes(StandardCharsets.UTF_8)))
                                    .put("warnings", new JsonArray().add("mutated by the test"));
                        case "/deny" ->
                            response.put("allowed", false)
                                    .put(
                                            "status",
                                            new JsonObject()
                                                    .put("message", "spec.analysis.interval: must be a duration")
                                                    .put("reason", "Invalid")
                                                    .put("code", 422)
                                                    .put(
                                                            "details",
                                                            new JsonObject()
                                                                    .put(
                                                                            "causes",
                                                                            new JsonArray()
                                                                                    .add(
                                                                                            new JsonObject()
                                                                                                    .put(
                                                                                                            "field",
                                                                                                            "spec.analysis.interval")
                                                                                                    .put(
                                                                                                            "message",
                                                                                                            "must be a duration")))));
                        case "/deny-bare" -> response.put("allowed", false);
                        case "/slow" -> {
                            vertx.setTimer(
                                    3000,
                                    t -> req.response()
                                            .end(review.copy()
                                                    .put("response", response)
                                                    .encode()));
                            return;
                        }
                        default -> {}
                    }
                    req.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                    .put("apiVersion", "admission.k8s.io/v1")
                                    .put("kind", "AdmissionReview")
                                    .put("response", response)
                                    .encode());
                }))
                .listen());
        kubectl = new Kubectl(
                api.writeKubeconfig(tmp.resolve("kubeconfig"), "kubernetes-admin", List.of("kubeadm:cluster-admins")));
        kubectl.run("create", "namespace", "test").ok();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
            webhook.close().await();
            vertx.close().await();
        }
    }

    @BeforeEach
    void clean() {
        kubectl.run("delete", "mutatingwebhookconfigurations,validatingwebhookconfigurations", "--all")
                .ok();
        kubectl.run("-n", "test", "delete", "configmaps", "--all").ok();
        reviews.clear();
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    void register(String kind, String path, String failurePolicy, String sideEffects, int timeoutSeconds)
            throws Exception {
        String url = path.startsWith("https") ? path : "https://127.0.0.1:" + webhook.actualPort() + path;
        JsonObject config = new JsonObject()
                .put("apiVersion", "admissionregistration.k8s.io/v1")
                .put("kind", kind)
                .put("metadata", new JsonObject().put("name", "test"))
                .put(
                        "webhooks",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("name", "test.sluice.io")
                                        .put("admissionReviewVersions", new JsonArray().add("v1"))
                                        .put("sideEffects", sideEffects)
                                        .put("failurePolicy", failurePolicy)
                                        .put("timeoutSeconds", timeoutSeconds)
                                        .put(
                                                "clientConfig",
                                                new JsonObject()
                                                        .put("url", url)
                                                        .put(
                                                                "caBundle",
                                                                Base64.getEncoder()
                                                                        .encodeToString(api.caPem()
                                                                                .getBytes(StandardCharsets.UTF_8))))
                                        .put(
                                                "rules",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put(
                                                                        "operations",
                                                                        new JsonArray()
                                                                                .add("CREATE")
                                                                                .add("UPDATE"))
                                                                .put("apiGroups", new JsonArray().add(""))
                                                                .put("apiVersions", new JsonArray().add("v1"))
                                                                .put(
                                                                        "resources",
                                                                        new JsonArray().add("configmaps"))))));
        Path file = dir.resolve("webhook.json");
        Files.writeString(file, config.encode());
        kubectl.run("apply", "-f", file.toString()).ok();
    }

    @Test
    void mutatingWebhookSeesTheKubectlUserAndItsPatchIsStored() throws Exception {
        register("MutatingWebhookConfiguration", "/mutate", "Fail", "None", 5);
        Kubectl.Result r = kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b")
                .ok();
        assertThat(r.err()).contains("mutated by the test");
        JsonObject cm = await(api.get("/api/v1/namespaces/test/configmaps/demo"));
        assertThat(cm.getJsonObject("metadata").getJsonObject("annotations").getString("seen-by"))
                .isEqualTo("test-webhook");
        JsonObject request = reviews.get(0).getJsonObject("request");
        assertThat(request.getString("operation")).isEqualTo("CREATE");
        assertThat(request.getString("namespace")).isEqualTo("test");
        assertThat(request.getString("name")).isEqualTo("demo");
        assertThat(request.getJsonObject("resource").getString("resource")).isEqualTo("configmaps");
        assertThat(request.getJsonObject("userInfo").getString("username")).isEqualTo("kubernetes-admin");
        assertThat(request.getJsonObject("userInfo").getJsonArray("groups")).contains("kubeadm:cluster-admins");
        assertThat(request.getJsonObject("object")
                        .getJsonObject("metadata")
                        .getJsonArray("managedFields")
                        .getJsonObject(0)
                        .getString("manager"))
                .isEqualTo("kubectl-create");
        assertThat(request.getBoolean("dryRun")).isFalse();
    }

    @Test
    void serverSideApplyIsAdmittedWithTheMergedObjectTheImpersonatedUserAndTheApplyEntry() throws Exception {
        register("MutatingWebhookConfiguration", "/mutate", "Fail", "None", 5);
        Path file = dir.resolve("applied.yaml");
        for (String value : List.of("b", "c")) {
            Files.writeString(
                    file,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: demo, namespace: test}\n" + "data: {a: " + value
                            + "}\n");
            kubectl.run(
                            "apply",
                            "--server-side",
                            "--field-manager=kustomize-controller",
                            "--as=flux-bot",
                            "--as-group=system:masters",
                            "-f",
                            file.toString())
                    .ok();
        }
        assertThat(reviews).hasSize(2);
        assertThat(reviews.get(0).getJsonObject("request").getString("operation"))
                .isEqualTo("CREATE");
        JsonObject request = reviews.get(1).getJsonObject("request");
        assertThat(request.getString("operation")).isEqualTo("UPDATE");
        assertThat(request.getJsonObject("userInfo").getString("username")).isEqualTo("flux-bot");
        assertThat(request.getJsonObject("options").getString("fieldManager")).isEqualTo("kustomize-controller");
        assertThat(request.getJsonObject("oldObject").getJsonObject("data").getString("a"))
                .isEqualTo("b");
        JsonObject object = request.getJsonObject("object");
        assertThat(object.getJsonObject("data").getString("a")).isEqualTo("c");
        // The first webhook's annotation is kept: the apply merged into the live object.
        assertThat(object.getJsonObject("metadata").getJsonObject("annotations").getString("seen-by"))
                .isEqualTo("test-webhook");
        JsonObject entry = object.getJsonObject("metadata").getJsonArray("managedFields").stream()
                .map(o -> (JsonObject) o)
                .filter(e -> e.getString("manager").equals("kustomize-controller"))
                .findFirst()
                .orElseThrow();
        assertThat(entry.getString("operation")).isEqualTo("Apply");
        assertThat(entry.getJsonObject("fieldsV1").getJsonObject("f:data").fieldNames())
                .containsExactly("f:a");
        JsonObject cm = await(api.get("/api/v1/namespaces/test/configmaps/demo"));
        assertThat(cm.getJsonObject("data").getString("a")).isEqualTo("c");
    }

    @Test
    void updateCarriesTheOldObject() throws Exception {
        kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b")
                .ok();
        register("ValidatingWebhookConfiguration", "/allow", "Fail", "None", 5);
        kubectl.run("-n", "test", "patch", "configmap", "demo", "-p", "{\"data\":{\"a\":\"c\"}}")
                .ok();
        JsonObject request = reviews.get(0).getJsonObject("request");
        assertThat(request.getString("operation")).isEqualTo("UPDATE");
        assertThat(request.getJsonObject("oldObject").getJsonObject("data").getString("a"))
                .isEqualTo("b");
        assertThat(request.getJsonObject("object").getJsonObject("data").getString("a"))
                .isEqualTo("c");
    }

    @Test
    void deniedRequestCarriesTheWebhooksStatus() throws Exception {
        register("ValidatingWebhookConfiguration", "/deny", "Fail", "None", 5);
        Path file = dir.resolve("configmap.json");
        Files.writeString(
                file,
                new JsonObject()
                        .put("apiVersion", "v1")
                        .put("kind", "ConfigMap")
                        .put("metadata", new JsonObject().put("name", "demo").put("namespace", "test"))
                        .encode());
        Kubectl.Result r = kubectl.run("apply", "-f", file.toString());
        assertThat(r.exit()).isNotZero();
        // An Invalid status with causes is printed from its causes, as kubectl does against a real API server.
        assertThat(r.err()).contains("The request is invalid", "spec.analysis.interval: must be a duration");
        assertThat(kubectl.run("-n", "test", "get", "configmap", "demo").exit()).isNotZero();
    }

    @Test
    void unreachableWebhookFailsClosedOrOpenByPolicy() throws Exception {
        register("ValidatingWebhookConfiguration", "https://127.0.0.1:1/none", "Fail", "None", 2);
        Kubectl.Result closed = kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b");
        assertThat(closed.exit()).isNotZero();
        assertThat(closed.err()).contains("failed calling webhook \"test.sluice.io\"");
        register("ValidatingWebhookConfiguration", "https://127.0.0.1:1/none", "Ignore", "None", 2);
        kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b")
                .ok();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
      a denial without a status has no explanation | /deny-bare | 5 | admission webhook "test.sluice.io" denied the request without explanation
      a slow webhook times out                     | /slow      | 1 | failed calling webhook
      """)
    void createIsRefused(String name, String path, int timeoutSeconds, String message) throws Exception {
        register("ValidatingWebhookConfiguration", path, "Fail", "None", timeoutSeconds);
        Kubectl.Result r = kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains(message);
    }

    @Test
    void dryRunReachesOnlyWebhooksWithoutSideEffectsAndStoresNothing() throws Exception {
        register("MutatingWebhookConfiguration", "/mutate", "Fail", "NoneOnDryRun", 5);
        kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b", "--dry-run=server")
                .ok();
        assertThat(reviews).hasSize(1);
        assertThat(reviews.get(0).getJsonObject("request").getBoolean("dryRun")).isTrue();
        assertThat(kubectl.run("-n", "test", "get", "configmap", "demo").exit()).isNotZero();
        register("MutatingWebhookConfiguration", "/mutate", "Fail", "Some", 5);
        Kubectl.Result r =
                kubectl.run("-n", "test", "create", "configmap", "demo", "--from-literal=a=b", "--dry-run=server");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("does not support dry run");
    }
}
