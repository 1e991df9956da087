package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Environment;
import io.sluice.sandbox.Kubectl;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kubectl apply --server-side} as GitOps tools use it: Flux's kustomize-controller applying a
 * Deployment as its own field manager and service account, next to people changing it with kubectl.
 */
class ServerSideApplyIT {

    @RegisterExtension
    static final TestApiServer SERVER = new TestApiServer("ssa", "deployments");

    static Kubectl admin;

    @BeforeAll
    static void start() {
        admin = SERVER.admin();
        admin.run("create", "namespace", "flux-system").ok();
        admin.run("-n", "flux-system", "create", "serviceaccount", "kustomize-controller")
                .ok();
        admin.run(
                        "create",
                        "clusterrolebinding",
                        "cluster-reconciler-flux-system",
                        "--clusterrole=cluster-admin",
                        "--serviceaccount=flux-system:kustomize-controller")
                .ok();
    }

    static String deployment(String image, String extra) {
        return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: podinfo
          namespace: ssa
          labels: {app: podinfo}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: podinfo}
          template:
            metadata:
              labels: {app: podinfo}
            spec:
              containers:
                - name: podinfod
                  image: %s
                  ports:
                    - {name: http, containerPort: 9898, protocol: TCP}
        %s""".formatted(image, extra);
    }

    static Kubectl.Result apply(String yaml, String... flags) throws Exception {
        Path file = Files.createTempFile(SERVER.dir(), "deployment", ".yaml");
        Files.writeString(file, yaml);
        List<String> args = new java.util.ArrayList<>(List.of("apply", "--server-side", "-f", file.toString()));
        args.addAll(List.of(flags));
        return admin.run(args.toArray(String[]::new));
    }

    static Kubectl.Result applyAsFlux(String yaml, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(
                List.of("--field-manager=kustomize-controller", "--as=" + Environment.FLUX_USER));
        args.addAll(List.of(flags));
        return apply(yaml, args.toArray(String[]::new));
    }

    static JsonObject live() throws Exception {
        return new JsonObject(
                admin.run("-n", "ssa", "get", "deployment", "podinfo", "-o", "json", "--show-managed-fields")
                        .ok()
                        .out());
    }

    static JsonObject container(JsonObject d) {
        return d.getJsonObject("spec")
                .getJsonObject("template")
                .getJsonObject("spec")
                .getJsonArray("containers")
                .getJsonObject(0);
    }

    static JsonObject entry(JsonObject d, String manager) {
        return d.getJsonObject("metadata").getJsonArray("managedFields").stream()
                .map(o -> (JsonObject) o)
                .filter(e -> e.getString("manager").equals(manager))
                .findFirst()
                .orElse(null);
    }

    static JsonObject containerFields(JsonObject entry) {
        return entry.getJsonObject("fieldsV1")
                .getJsonObject("f:spec")
                .getJsonObject("f:template")
                .getJsonObject("f:spec")
                .getJsonObject("f:containers")
                .getJsonObject("k:{\"name\":\"podinfod\"}");
    }

    @Test
    void applyCreatesTheObjectAndItsManagerOwnsWhatItSet() throws Exception {
        assertThat(apply(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", ""))
                        .ok()
                        .out())
                .contains("deployment.apps/podinfo serverside-applied");
        JsonObject d = live();
        assertThat(container(d).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
        JsonObject e = entry(d, "kubectl");
        assertThat(e.getString("operation")).isEqualTo("Apply");
        assertThat(e.getString("fieldsType")).isEqualTo("FieldsV1");
        assertThat(e.getString("apiVersion")).isEqualTo("apps/v1");
        assertThat(e.getString("time")).isNotBlank();
        assertThat(e.getJsonObject("fieldsV1").getJsonObject("f:spec").fieldNames())
                .contains("f:replicas");
        JsonObject c = containerFields(e);
        assertThat(c.fieldNames()).contains(".", "f:image", "f:name", "f:ports");
        assertThat(c.getJsonObject("f:ports").fieldNames()).contains("k:{\"containerPort\":9898,\"protocol\":\"TCP\"}");
    }

    @Test
    void fluxReappliesAChangedImageAndAnotherManagersEnvEntryStays() throws Exception {
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")).ok();
        admin.run("-n", "ssa", "set", "env", "deployment/podinfo", "EXTRA=kept").ok();
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.1", "")).ok();

        JsonObject d = live();
        JsonObject c = container(d);
        assertThat(c.getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        assertThat(c.getJsonArray("env"))
                .containsExactly(new JsonObject().put("name", "EXTRA").put("value", "kept"));
        JsonObject flux = entry(d, "kustomize-controller");
        assertThat(flux.getString("operation")).isEqualTo("Apply");
        assertThat(containerFields(flux).fieldNames()).contains("f:image").doesNotContain("f:env");
        JsonObject set = entry(d, "kubectl-set");
        assertThat(set.getString("operation")).isEqualTo("Update");
        assertThat(containerFields(set).getJsonObject("f:env").fieldNames()).contains("k:{\"name\":\"EXTRA\"}");
    }

    @Test
    void changingAFieldAnotherManagerOwnsIsAConflictUnlessForced() throws Exception {
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")).ok();
        admin.run("-n", "ssa", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1")
                .ok();

        Kubectl.Result refused = applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.2", ""));
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err())
                .contains("Apply failed with 1 conflict: conflict with \"kubectl-set\" using apps/v1: "
                        + ".spec.template.spec.containers[name=\"podinfod\"].image");
        assertThat(container(live()).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");

        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.2", ""), "--force-conflicts")
                .ok();
        JsonObject d = live();
        assertThat(container(d).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.2");
        assertThat(containerFields(entry(d, "kustomize-controller")).fieldNames())
                .contains("f:image");
        JsonObject set = entry(d, "kubectl-set");
        assertThat(set == null
                        || containerFields(set) == null
                        || !containerFields(set).containsKey("f:image"))
                .isTrue();
    }

    @Test
    void applyingTheValueAnotherManagerSetIsSharedOwnership() throws Exception {
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")).ok();
        admin.run("-n", "ssa", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1")
                .ok();
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.1", "")).ok();
        JsonObject d = live();
        assertThat(containerFields(entry(d, "kustomize-controller")).fieldNames())
                .contains("f:image");
        assertThat(containerFields(entry(d, "kubectl-set")).fieldNames()).contains("f:image");
    }

    @Test
    void fieldsTheManagerNoLongerAppliesAreRemoved() throws Exception {
        String annotated = deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")
                .replace("labels: {app: podinfo}\nspec:", "labels: {app: podinfo}\n  annotations: {team: web}\nspec:");
        applyAsFlux(annotated).ok();
        assertThat(live().getJsonObject("metadata").getJsonObject("annotations").getString("team"))
                .isEqualTo("web");
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")).ok();
        JsonObject annotations = live().getJsonObject("metadata").getJsonObject("annotations");
        assertThat(annotations == null || !annotations.containsKey("team")).isTrue();
    }

    @Test
    void switchingFromClientSideToServerSideApplyTakesOverTheClientSideFields() throws Exception {
        Path file = Files.createTempFile(SERVER.dir(), "deployment", ".yaml");
        Files.writeString(file, deployment("ghcr.io/stefanprodan/podinfo:6.0.0", ""));
        admin.run("apply", "-f", file.toString()).ok();
        Kubectl.Result r = apply(deployment("ghcr.io/stefanprodan/podinfo:6.0.1", ""));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonObject d = live();
        assertThat(container(d).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.1");
        assertThat(entry(d, "kubectl").getString("operation")).isEqualTo("Apply");
        // Only the client-side apply's own fields are taken over that way.
        admin.run("-n", "ssa", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.2")
                .ok();
        Kubectl.Result refused = apply(deployment("ghcr.io/stefanprodan/podinfo:6.0.3", ""));
        assertThat(refused.err()).contains("conflict with \"kubectl-set\"");
    }

    @Test
    void serverDryRunChangesNothing() throws Exception {
        applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.0", "")).ok();
        String out = applyAsFlux(deployment("ghcr.io/stefanprodan/podinfo:6.0.9", ""), "--dry-run=server", "-o", "json")
                .ok()
                .out();
        assertThat(container(new JsonObject(out)).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.9");
        assertThat(container(live()).getString("image")).isEqualTo("ghcr.io/stefanprodan/podinfo:6.0.0");
    }
}
