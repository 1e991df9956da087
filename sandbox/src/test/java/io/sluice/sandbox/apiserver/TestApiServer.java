package io.sluice.sandbox.apiserver;

import static io.sluice.model.testing.RequiredTool.require;

import io.sluice.sandbox.Kubectl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The sandbox API server alone on its own Vert.x, with kubectl as its administrator: what the
 * kubectl-driven tests share. Registered as an extension, it starts before the class (skipping, or
 * failing under CI, without kubectl), creates {@code namespace}, deletes the {@code kinds} in it
 * before each test and stops after the class.
 */
final class TestApiServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private final String namespace;
    private final String kinds;
    private Vertx vertx;
    private ApiServer api;
    private Path dir;
    private Kubectl admin;

    TestApiServer(String namespace, String kinds) {
        this.namespace = namespace;
        this.kinds = kinds;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        require(Kubectl.available(), "kubectl", "kubernetes-client");
        dir = Files.createTempDirectory("sandbox-api-test");
        vertx = Vertx.vertx();
        api = await(ApiServer.start(vertx, 0, (ns, name, port) -> Optional.empty()));
        admin = kubectl("kubernetes-admin", List.of("kubeadm:cluster-admins"));
        admin.run("create", "namespace", namespace).ok();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        admin.run("-n", namespace, "delete", kinds, "--all", "--wait=false").ok();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (api != null) {
            api.close();
            vertx.close().await();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    Kubectl admin() {
        return admin;
    }

    Path dir() {
        return dir;
    }

    /** kubectl as {@code user} with {@code groups}, from a client certificate of the sandbox CA. */
    Kubectl kubectl(String user, List<String> groups) {
        return new Kubectl(
                api.writeKubeconfig(dir.resolve("kubeconfig-" + user.replaceAll("[^a-zA-Z0-9.-]", "_")), user, groups));
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
