package io.sluice.sandbox;

import static io.sluice.model.testing.RequiredTool.require;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sluice's real admission service in the sandbox (no analyzer, no Prometheus), driven through
 * kubectl: what a user sees when the webhook answers.
 */
class AdmissionInSandboxIT {

    static final Path REPO =
            Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();
    static Environment env;

    @BeforeAll
    static void start() {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        env = Environment.start(new Environment.Options(
                REPO, Duration.ofSeconds(1), Environment.NO_EXTRA_ARGS, true, false, TestLaunchers.of(REPO)));
        env.applySeed();
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.keepLogs(REPO.resolve("sandbox/target/admission-it-logs"));
            env.close();
        }
    }

    @Test
    void invalidCanaryIsDeniedWithEveryViolationAndItsFieldPath() throws Exception {
        Path file = Files.createTempFile(env.sandbox().dir(), "canary", ".yaml");
        Files.writeString(file, """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata:
          name: broken
          namespace: test
        spec:
          provider: gloo-mesh
          targetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: podinfo-other
          routeTableRef:
            name: podinfo
            namespace: test
            kind: VirtualService
          service:
            port: 9898
          progressDeadlineSeconds: 0
          analysis:
            interval: soon
            threshold: 5
            maxWeight: 50
            stepWeight: 30
        """);
        Kubectl.Result r = env.kubectl().run("apply", "-f", file.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err())
                .doesNotContain("without explanation")
                .contains("spec.routeTableRef.kind", "spec.progressDeadlineSeconds", "spec.analysis.interval");
        assertThat(env.kubectl().run("-n", "test", "get", "canary", "broken").exit())
                .isNotZero();
    }

    @Test
    void theAdmittedRevisionRecordsTheImpersonatedFluxServiceAccount() {
        String flux = Environment.FLUX_USER;
        env.installFluxIdentity();
        env.kubectl()
                .run(
                        "-n",
                        "test",
                        "set",
                        "image",
                        "deployment/podinfo",
                        "podinfod=ghcr.io/stefanprodan/podinfo:6.0.9",
                        "--as=" + flux)
                .ok();
        JsonObject admitted = Wait.until("the admitted revision of 6.0.9", Duration.ofSeconds(30), () -> {
            JsonObject status = env.canary("test", "podinfo").getJsonObject("status", new JsonObject());
            JsonObject a = status.getJsonObject("admittedRevision");
            return a != null
                            && "ghcr.io/stefanprodan/podinfo:6.0.9"
                                    .equals(a.getJsonObject("images", new JsonObject())
                                            .getString("podinfod"))
                    ? a
                    : null;
        });
        assertThat(admitted.getString("user")).isEqualTo(flux);
        assertThat(admitted.getString("source")).isEqualTo("flux");
        assertThat(admitted.getJsonArray("groups")).contains("system:serviceaccounts:flux-system");
    }

    @Test
    void theServiceAccountsAndRolesOfTheManifestsAreInstalledAndOthersAreRefused() {
        String installed = env.kubectl()
                .run("get", "clusterroles,clusterrolebindings", "-o", "name")
                .ok()
                .out();
        assertThat(installed)
                .contains(
                        "clusterrole.rbac.authorization.k8s.io/sluice-admission",
                        "clusterrole.rbac.authorization.k8s.io/sluice-analyzer",
                        "clusterrolebinding.rbac.authorization.k8s.io/sluice-analyzer");
        assertThat(env.kubectl()
                        .run("-n", "sluice-system", "get", "roles,rolebindings,serviceaccounts", "-o", "name")
                        .ok()
                        .out())
                .contains(
                        "role.rbac.authorization.k8s.io/sluice-analyzer-leader-election",
                        "serviceaccount/sluice-admission");
        Kubectl.Result stranger =
                env.kubectl().run("-n", "test", "get", "canaries", "--as=system:serviceaccount:test:default");
        assertThat(stranger.exit()).isNotZero();
        assertThat(stranger.err())
                .contains("canaries.flagger.app is forbidden: User \"system:serviceaccount:test:default\" "
                        + "cannot list resource \"canaries\" in API group \"flagger.app\" in the namespace \"test\"");
    }
}
