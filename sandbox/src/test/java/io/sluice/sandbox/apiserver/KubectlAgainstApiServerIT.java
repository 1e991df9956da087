package io.sluice.sandbox.apiserver;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Kubectl;
import io.sluice.sandbox.Manifests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real kubectl against the sandbox API server: discovery, apply, get, set image, patches. */
class KubectlAgainstApiServerIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();

    static Vertx vertx;
    static ApiServer api;
    static Kubectl kubectl;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        vertx = Vertx.vertx();
        api = await(ApiServer.start(vertx, 0, (ns, name, port) -> Optional.empty()));
        for (Path crdDir : List.of(REPO.resolve("manifests/crds"), REPO.resolve("manifests/test-crds"))) {
            for (JsonObject crd : Manifests.readDir(crdDir)) {
                await(api.installCrd(crd));
            }
        }
        kubectl = new Kubectl(
                api.writeKubeconfig(dir.resolve("kubeconfig"), "kubernetes-admin", List.of("kubeadm:cluster-admins")));
        kubectl.run(
                        "apply",
                        "-f",
                        REPO.resolve("manifests/examples/podinfo/namespace.yaml")
                                .toString())
                .ok();
        kubectl.run("apply", "-f", REPO.resolve("manifests/examples/podinfo").toString())
                .ok();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void discoveryListsTheSeedKinds() {
        String out = kubectl.run("api-resources").ok().out();
        assertThat(out)
                .contains(
                        "canaries",
                        "metrictemplates",
                        "alertproviders",
                        "routetables",
                        "workspaces",
                        "workspacesettings",
                        "deployments",
                        "mutatingwebhookconfigurations",
                        "leases",
                        "horizontalpodautoscalers");
    }

    @Test
    void getCanaryPrintsTheCrdColumns() {
        String out = kubectl.run("-n", "test", "get", "canary").ok().out();
        assertThat(out.lines().findFirst().orElseThrow()).contains("NAME", "STATUS", "WEIGHT", "LASTTRANSITIONTIME");
        assertThat(out).contains("podinfo");
    }

    @Test
    void setImageReplacesOnlyTheNamedContainersImageAndRecordsTheManager() throws Exception {
        kubectl.run("-n", "test", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1")
                .ok();
        JsonObject d = await(api.get("/apis/apps/v1/namespaces/test/deployments/podinfo"));
        JsonArray containers = d.getJsonObject("spec")
                .getJsonObject("template")
                .getJsonObject("spec")
                .getJsonArray("containers");
        assertThat(containers).hasSize(1);
        JsonObject c = containers.getJsonObject(0);
        assertThat(c.getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        assertThat(c.getJsonArray("ports")).hasSize(3);
        assertThat(c.getJsonArray("command")).isNotEmpty();
        assertThat(d.getJsonObject("metadata").getJsonArray("managedFields").stream()
                        .map(o -> ((JsonObject) o).getString("manager")))
                .contains("kubectl-set");
        assertThat(d.getJsonObject("metadata").getLong("generation")).isGreaterThan(1L);
    }

    @Test
    void mergePatchReplacesArraysInsteadOfAppending() throws Exception {
        kubectl.run(
                        "-n",
                        "test",
                        "patch",
                        "routetable",
                        "podinfo",
                        "--type",
                        "merge",
                        "-p",
                        "{\"spec\":{\"hosts\":[\"podinfo.example.com\"]}}")
                .ok();
        JsonObject rt = await(api.get("/apis/networking.gloo.solo.io/v2/namespaces/test/routetables/podinfo"));
        assertThat(rt.getJsonObject("spec").getJsonArray("hosts")).containsExactly("podinfo.example.com");
    }

    @Test
    void reapplyingUnchangedManifestsChangesNothing() {
        String out = kubectl.run(
                        "apply",
                        "-f",
                        REPO.resolve("manifests/examples/podinfo/loadtester.yaml")
                                .toString())
                .ok()
                .out();
        assertThat(out).contains("unchanged");
    }

    @Test
    void strategicMergePatchOnACustomResourceIsRefusedLikeTheRealServer() {
        Kubectl.Result r = kubectl.run(
                "-n",
                "test",
                "patch",
                "canary",
                "podinfo",
                "--type",
                "strategic",
                "-p",
                "{\"spec\":{\"skipAnalysis\":true}}");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("strategic merge patch is not supported");
    }

    @Test
    void unknownResourceIsReportedByKubectl() {
        Kubectl.Result r = kubectl.run("get", "widgets");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("doesn't have a resource type \"widgets\"");
    }

    @Test
    void describeFindsTheCanarysEventsAndGetEventsPrintsTheirColumns(@TempDir Path dir) throws Exception {
        JsonObject canary = await(api.get("/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo"));
        JsonObject event = new JsonObject()
                .put("apiVersion", "v1")
                .put("kind", "Event")
                .put(
                        "metadata",
                        new JsonObject().put("name", "podinfo.sandbox1").put("namespace", "test"))
                .put(
                        "involvedObject",
                        new JsonObject()
                                .put("apiVersion", "flagger.app/v1beta1")
                                .put("kind", "Canary")
                                .put("name", "podinfo")
                                .put("namespace", "test")
                                .put("uid", canary.getJsonObject("metadata").getString("uid")))
                .put("type", "Normal")
                .put("reason", "Synced")
                .put("message", "New revision detected! Scaling up podinfo.test")
                .put("source", new JsonObject().put("component", "sluice"))
                .put("count", 1)
                .put("firstTimestamp", "2026-01-01T00:00:00Z")
                .put("lastTimestamp", "2026-01-01T00:00:00Z");
        JsonObject other = event.copy().put("message", "about something else");
        other.getJsonObject("metadata").put("name", "other.sandbox1");
        other.getJsonObject("involvedObject").put("name", "other").put("uid", "x");
        Files.writeString(dir.resolve("event.json"), event.encode());
        Files.writeString(dir.resolve("other.json"), other.encode());
        kubectl.run(
                        "apply",
                        "-f",
                        dir.resolve("event.json").toString(),
                        "-f",
                        dir.resolve("other.json").toString())
                .ok();
        String described =
                kubectl.run("-n", "test", "describe", "canary", "podinfo").ok().out();
        assertThat(described)
                .contains("New revision detected! Scaling up podinfo.test")
                .doesNotContain("about something else");
        String events = kubectl.run("-n", "test", "get", "events").ok().out();
        assertThat(events.lines().findFirst().orElseThrow())
                .contains("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        assertThat(events).contains("canary/podinfo");
    }

    @Test
    void theAdminImpersonatesAServiceAccountWithItsDefaultGroups() {
        String out = kubectl.run("auth", "whoami", "--as=system:serviceaccount:flux-system:kustomize-controller")
                .ok()
                .out();
        assertThat(out)
                .contains(
                        "system:serviceaccount:flux-system:kustomize-controller",
                        "system:serviceaccounts",
                        "system:serviceaccounts:flux-system",
                        "system:authenticated");
        String grouped = kubectl.run("auth", "whoami", "--as=jane", "--as-group=developers")
                .ok()
                .out();
        assertThat(grouped).contains("jane", "developers").doesNotContain("kubeadm:cluster-admins");
    }

    @Test
    void someoneElseCannotImpersonate(@TempDir Path dir) {
        Kubectl jane = new Kubectl(api.writeKubeconfig(dir.resolve("jane"), "jane", List.of("developers")));
        assertThat(jane.run("auth", "whoami").ok().out()).contains("jane");
        Kubectl.Result r =
                jane.run("-n", "test", "get", "canary", "--as=system:serviceaccount:flux-system:kustomize-controller");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err())
                .contains(
                        "serviceaccounts \"kustomize-controller\" is forbidden: User \"jane\" cannot "
                                + "impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"flux-system\"");
    }
}
