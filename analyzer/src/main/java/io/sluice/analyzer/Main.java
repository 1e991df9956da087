package io.sluice.analyzer;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.kube.Kube;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The analyzer process: flags, the Kubernetes client, leader election, the controller and the health server. */
@Command(name = "sluice-analyzer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs Sluice's canary analyzer: watches Canaries (flagger.app/v1beta1), shifts traffic in Gloo"
                + " Mesh delegate RouteTables, promotes or rolls back. Every flag can also be set through the"
                + " environment variable named in its description.")
public final class Main implements Callable<Integer> {

    @Option(names = "--kubeconfig", defaultValue = "${env:KUBECONFIG:-}",
            description = "Kubeconfig file; empty means in-cluster configuration or ~/.kube/config (env KUBECONFIG).")
    String kubeconfig;

    @Option(names = "--context", defaultValue = "${env:SLUICE_CONTEXT:-}",
            description = "Kubeconfig context; empty means the current context (env SLUICE_CONTEXT).")
    String context;

    @Option(names = "--namespace", defaultValue = "${env:SLUICE_NAMESPACE:-}",
            description = "Watch Canaries in this namespace only; empty means all namespaces (env SLUICE_NAMESPACE).")
    String namespace;

    @Option(names = "--metrics-server", defaultValue = "${env:SLUICE_METRICS_SERVER:-http://prometheus:9090}",
            description = "Prometheus URL for the builtin metrics, unless a Canary sets spec.metricsServer"
                    + " (env SLUICE_METRICS_SERVER). Default: ${DEFAULT-VALUE}.")
    String metricsServer;

    @Option(names = "--mesh-provider", defaultValue = "${env:SLUICE_MESH_PROVIDER:-gloo-mesh}",
            description = "Provider for Canaries that set none; Sluice routes through gloo-mesh only"
                    + " (env SLUICE_MESH_PROVIDER). Default: ${DEFAULT-VALUE}.")
    String meshProvider;

    @Option(names = "--selector-labels", split = ",",
            defaultValue = "${env:SLUICE_SELECTOR_LABELS:-app,name,app.kubernetes.io/name}",
            description = "Label keys tried in order to find the target's selector label (env SLUICE_SELECTOR_LABELS)."
                    + " Default: ${DEFAULT-VALUE}.")
    List<String> selectorLabels;

    @Option(names = "--include-label-prefix", split = ",", defaultValue = "${env:SLUICE_INCLUDE_LABEL_PREFIX:-}",
            description = "Label and annotation prefixes copied from the target to the primary at promotion; '*'"
                    + " copies all (env SLUICE_INCLUDE_LABEL_PREFIX). Default: none.")
    List<String> includeLabelPrefix;

    @Option(names = "--enable-config-tracking", negatable = true, defaultValue = "${env:SLUICE_CONFIG_TRACKING:-true}",
            fallbackValue = "true",
            description = "Track ConfigMaps and Secrets the target uses: a change starts a run, and the primary gets"
                    + " -primary copies (env SLUICE_CONFIG_TRACKING). Default: ${DEFAULT-VALUE}.")
    boolean configTracking;

    @Option(names = "--kube-qps", defaultValue = "${env:SLUICE_KUBE_QPS:-100}",
            description = "Sustained Kubernetes API calls per second (env SLUICE_KUBE_QPS). Default: ${DEFAULT-VALUE}.")
    double qps;

    @Option(names = "--kube-burst", defaultValue = "${env:SLUICE_KUBE_BURST:-250}",
            description = "Kubernetes API calls allowed in a burst (env SLUICE_KUBE_BURST). Default: ${DEFAULT-VALUE}.")
    int burst;

    @Option(names = "--leader-election", negatable = true, defaultValue = "${env:SLUICE_LEADER_ELECTION:-true}",
            fallbackValue = "true",
            description = "Run only while holding a coordination.k8s.io Lease, so that replicas never write at the"
                    + " same time; losing the lease stops all writes at once and exits (env SLUICE_LEADER_ELECTION)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean leaderElection;

    @Option(names = "--leader-election-namespace", defaultValue = "${env:POD_NAMESPACE:-sluice-system}",
            description = "Namespace of the Lease (env POD_NAMESPACE). Default: ${DEFAULT-VALUE}.")
    String leaseNamespace;

    @Option(names = "--leader-election-name", defaultValue = "${env:SLUICE_LEASE_NAME:-sluice-analyzer-leader}",
            description = "Name of the Lease (env SLUICE_LEASE_NAME). Default: ${DEFAULT-VALUE}.")
    String leaseName;

    @Option(names = "--lease-duration", defaultValue = "${env:SLUICE_LEASE_DURATION:-60s}",
            converter = DurationConverter.class,
            description = "How long a lease holds without renewal (env SLUICE_LEASE_DURATION). Default: ${DEFAULT-VALUE}.")
    Duration leaseDuration;

    @Option(names = "--lease-renew-deadline", defaultValue = "${env:SLUICE_LEASE_RENEW_DEADLINE:-15s}",
            converter = DurationConverter.class,
            description = "How long the leader keeps trying to renew before it gives up leading"
                    + " (env SLUICE_LEASE_RENEW_DEADLINE). Default: ${DEFAULT-VALUE}.")
    Duration renewDeadline;

    @Option(names = "--lease-retry-period", defaultValue = "${env:SLUICE_LEASE_RETRY_PERIOD:-5s}",
            converter = DurationConverter.class,
            description = "Time between attempts to acquire or renew (env SLUICE_LEASE_RETRY_PERIOD)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration retryPeriod;

    @Option(names = "--cluster-name", defaultValue = "${env:SLUICE_CLUSTER_NAME:-}",
            description = "Cluster name shown in alerts (env SLUICE_CLUSTER_NAME).")
    String clusterName;

    @Option(names = "--log-format", defaultValue = "${env:SLUICE_LOG_FORMAT:-text}",
            description = "Log lines as text or json (env SLUICE_LOG_FORMAT). Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Option(names = "--wait-for-route-acceptance", negatable = true,
            defaultValue = "${env:SLUICE_WAIT_FOR_ROUTE_ACCEPTANCE:-false}", fallbackValue = "true",
            description = "Also wait for Gloo Mesh's acceptance when the delegate RouteTable has never had a status"
                    + " written (no Gloo Mesh running would then hold every run). With a status, a step always"
                    + " counts only once accepted (env SLUICE_WAIT_FOR_ROUTE_ACCEPTANCE). Default: ${DEFAULT-VALUE}.")
    boolean waitForAcceptance;

    @Option(names = "--no-data-policy", defaultValue = "${env:SLUICE_NO_DATA_POLICY:-fail}",
            description = "A metric without data (or its provider down): fail counts a failed check as Flagger does;"
                    + " hold keeps the weight and rolls back only after the progress deadline. A Canary can override"
                    + " it with the annotation sluice.io/no-data-policy (env SLUICE_NO_DATA_POLICY)."
                    + " Default: ${DEFAULT-VALUE}.")
    String noDataPolicy;

    @Option(names = "--resync", defaultValue = "${env:SLUICE_RESYNC:-5m}", converter = DurationConverter.class,
            description = "Reconcile every Canary at least this often, as a failsafe (env SLUICE_RESYNC)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration resync;

    @Option(names = "--listen-address", defaultValue = "${env:SLUICE_LISTEN_ADDRESS:-0.0.0.0}",
            description = "Address of the /healthz, /readyz and /metrics server (env SLUICE_LISTEN_ADDRESS)."
                    + " Default: ${DEFAULT-VALUE}.")
    String listenAddress;

    @Option(names = "--port", defaultValue = "${env:SLUICE_PORT:-8080}",
            description = "Port of the /healthz, /readyz and /metrics server (env SLUICE_PORT). Default: ${DEFAULT-VALUE}.")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if ("json".equals(logFormat)) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        } else if (!"text".equals(logFormat)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--log-format must be text or json, not " + logFormat);
        }
        Observations.NoDataPolicy policy = switch (noDataPolicy) {
            case "fail" -> Observations.NoDataPolicy.FAIL;
            case "hold" -> Observations.NoDataPolicy.HOLD;
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--no-data-policy must be fail or hold, not " + noDataPolicy);
        };
        if (!"gloo-mesh".equals(meshProvider)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--mesh-provider must be gloo-mesh: Sluice routes through Gloo Mesh only");
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        String identity = System.getenv().getOrDefault("HOSTNAME", "sluice-analyzer-" + UUID.randomUUID());
        Settings settings = new Settings(selectorLabels, includeLabelPrefix.stream().filter(s -> !s.isEmpty()).toList(),
                configTracking, waitForAcceptance, policy, resync, Duration.ofMinutes(2), clusterName, identity, qps,
                burst);

        Vertx vertx = Vertx.vertx();
        KubernetesClient client = client(vertx);
        Kube.register(client);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean leading = new AtomicBoolean(!leaderElection);
        Gauge.builder("sluice_analyzer_leader", () -> leading.get() ? 1 : 0)
                .description("1 while this process holds the lease and writes").register(registry);
        // Until the metric, webhook and alert gates are wired in, every check fails with a message that says so.
        UnconfiguredGates gates = new UnconfiguredGates();
        AtomicReference<Controller> running = new AtomicReference<>();
        String scope = namespace == null || namespace.isEmpty() ? null : namespace;

        HealthServer.start(vertx, listenAddress, port,
                () -> !leading.get() || running.get() != null && running.get().synced(), registry)
                .toCompletionStage().toCompletableFuture().get();
        log.info("sluice-analyzer {} listening on {}:{}; metrics server {}", identity, listenAddress, port,
                metricsServer);

        Runnable startController = () -> {
            Controller c = new Controller(client, settings, scope, gates, gates, gates, Clock.systemUTC(), leading::get);
            running.set(c);
            vertx.deployVerticle(c).onFailure(err -> {
                log.error("controller failed to start: {}", err.toString());
                System.exit(2);
            });
        };
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            leading.set(false);
            vertx.close().toCompletionStage().toCompletableFuture().join();
            client.close();
            done.countDown();
        }, "sluice-shutdown"));

        if (!leaderElection) {
            startController.run();
            done.await();
            return 0;
        }
        CompletableFuture<?> election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName).withLeaseDuration(leaseDuration).withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod).withReleaseOnCancel(true)
                .withLock(new LeaseLock(leaseNamespace, leaseName, identity))
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    log.info("acquired lease {}/{}: starting", leaseNamespace, leaseName);
                    leading.set(true);
                    startController.run();
                }, () -> {
                    // Writes stop before anything else: the Kube class checks this flag before every write.
                    leading.set(false);
                    log.error("lost lease {}/{}: stopping writes and exiting", leaseNamespace, leaseName);
                    System.exit(1);
                }, leader -> log.info("lease {}/{} held by {}", leaseNamespace, leaseName, leader)))
                .build()).build().start();
        done.await();
        election.cancel(true);
        return 0;
    }

    private KubernetesClient client(Vertx vertx) {
        if (kubeconfig != null && !kubeconfig.isEmpty()) {
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig);
        }
        Config config = Config.autoConfigure(context == null || context.isEmpty() ? null : context);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                .build();
    }

    /** Go-style durations on the command line: 60s, 1m30s, 500ms. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return io.sluice.model.Durations.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration such as 15s, 1m or 1m30s"));
        }
    }
}
