package io.sluice.sandbox.apiserver;

import static io.sluice.model.testing.RequiredTool.require;

import io.sluice.sandbox.Kubectl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The sandbox API server alone on its own Vert.x, with kubectl as its administrator: what the kubectl-driven tests share. */
final class TestApiServer implements AutoCloseable {

  final Vertx vertx;
  final ApiServer api;
  final Kubectl admin;
  private final Path dir;

  private TestApiServer(Vertx vertx, ApiServer api, Path dir) {
    this.vertx = vertx;
    this.api = api;
    this.dir = dir;
    this.admin = kubectl("kubernetes-admin", List.of("kubeadm:cluster-admins"));
  }

  /** Starts it (needs kubectl: skips, or fails under CI, without); kubeconfigs go to {@code dir}. */
  static TestApiServer start(Path dir) throws Exception {
    require(Kubectl.available(), "kubectl", "kubernetes-client");
    Vertx vertx = Vertx.vertx();
    return new TestApiServer(vertx, await(ApiServer.start(vertx, 0, (ns, name, port) -> Optional.empty())), dir);
  }

  /** kubectl as {@code user} with {@code groups}, from a client certificate of the sandbox CA. */
  Kubectl kubectl(String user, List<String> groups) {
    return new Kubectl(api.writeKubeconfig(dir.resolve("kubeconfig-" + user.replaceAll("[^a-zA-Z0-9.-]", "_")), user,
        groups));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    api.close();
    vertx.close().await();
  }
}
