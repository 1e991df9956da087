package io.sluice.sandbox;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.sluice.sandbox.apiserver.ApiServer;
import io.sluice.sandbox.mesh.Cluster;
import io.sluice.sandbox.mesh.Prometheus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole sandbox, started in order and closed in reverse: Prometheus, the API server with the
 * CRDs installed, the cluster stand-ins, and one kubeconfig per identity. Everything lives in one
 * temporary directory, removed on close.
 */
public final class Sandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    /** The identities the sandbox issues kubeconfigs for. */
    public static final String ADMIN = "kubernetes-admin";

    public static final List<String> ADMIN_GROUPS = List.of("kubeadm:cluster-admins");

    private final Path repo;
    private final Path dir;
    private final Vertx vertx;
    private Prometheus prometheus;
    private ApiServer api;
    private KubernetesClient controllers;
    private Cluster cluster;

    private Sandbox(Path repo, Path dir) {
        this.repo = repo;
        this.dir = dir;
        this.vertx = Vertx.vertx();
    }

    /** Starts everything; blocking (call from a main thread or a test, not an event loop). */
    public static Sandbox start(Path repo, Duration scrapeInterval, boolean withPrometheus) {
        Path dir;
        try {
            dir = Files.createTempDirectory("sluice-sandbox-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sandbox directory", e);
        }
        Sandbox s = new Sandbox(repo, dir);
        try {
            s.boot(scrapeInterval, withPrometheus);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void boot(Duration scrapeInterval, boolean withPrometheus) {
        if (withPrometheus) {
            prometheus = Prometheus.start(dir.resolve("prometheus"), scrapeInterval);
        }
        AtomicReference<Cluster> clusterRef = new AtomicReference<>();
        api = await(ApiServer.start(
                vertx,
                0,
                (ns, name, port) ->
                        Optional.ofNullable(clusterRef.get()).flatMap(c -> c.resolveService(ns, name, port))));
        for (String crds : List.of("manifests/crds", "manifests/test-crds")) {
            for (JsonObject crd : Manifests.readDir(repo.resolve(crds))) {
                await(api.installCrd(crd));
            }
        }
        controllers = client(kubeconfig("system:kube-controller-manager", List.of()));
        cluster = await(Cluster.start(vertx, controllers, prometheus));
        clusterRef.set(cluster);
        LOG.info(
                "sandbox up: API server {}, gateway 127.0.0.1:{}, prometheus {}",
                api.url(),
                cluster.gatewayPort(),
                prometheus == null ? "off" : prometheus.url());
    }

    /** A kubeconfig for {@code user} (groups as the client certificate's organisations). */
    public Path kubeconfig(String user, List<String> groups) {
        return api.writeKubeconfig(dir.resolve("kubeconfig-" + user.replaceAll("[^a-zA-Z0-9.-]", "_")), user, groups);
    }

    public Path adminKubeconfig() {
        return kubeconfig(ADMIN, ADMIN_GROUPS);
    }

    /** A fabric8 client on the sandbox's Vert.x, for tests and the demo driver. */
    public KubernetesClient client(Path kubeconfig) {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            config.setRequestTimeout(30_000);
            config.setConnectionTimeout(10_000);
            return new KubernetesClientBuilder()
                    .withConfig(config)
                    .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void registerExternalService(String namespace, String name, SocketAddress address) {
        cluster.registerExternalService(namespace, name, address);
    }

    public Vertx vertx() {
        return vertx;
    }

    public ApiServer api() {
        return api;
    }

    public Cluster cluster() {
        return cluster;
    }

    public Optional<Prometheus> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    public Path dir() {
        return dir;
    }

    public Path repo() {
        return repo;
    }

    private static <T> T await(io.vertx.core.Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        if (controllers != null) {
            controllers.close();
        }
        if (api != null) {
            api.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        vertx.close()
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(e -> null)
                .join();
        deleteTree(dir);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot clean {}: {}", root, e.getMessage());
        }
    }
}
