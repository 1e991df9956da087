package io.sluice.analyzer;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.decision.NoDataPolicy;
import io.sluice.analyzer.gates.AnalyzerMetrics;
import io.sluice.analyzer.gates.Gates;
import io.sluice.analyzer.gates.GatesConfig;
import io.sluice.analyzer.gates.OutboundHosts;
import io.sluice.analyzer.kube.Kube;
import io.sluice.logging.LogConfigurator;
import io.sluice.logging.LogOptions;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The analyzer process: flags, the Kubernetes client, leader election, the controller and the health server. */
@Command(
        name = "sluice-analyzer",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = "Runs Sluice's canary analyzer: watches Canaries (flagger.app/v1beta1), shifts traffic in Gloo"
                + " Mesh delegate RouteTables, promotes or rolls back. Every flag can also be set through the"
                + " environment variable named in its description.")
public final class Main implements Callable<Integer> {

    @Option(
            names = "--kubeconfig",
            defaultValue = "${env:KUBECONFIG:-}",
            description = "Kubeconfig file; empty means in-cluster configuration or ~/.kube/config (env KUBECONFIG).")
    String kubeconfig;

    @Option(
            names = "--context",
            defaultValue = "${env:SLUICE_CONTEXT:-}",
            description = "Kubeconfig context; empty means the current context (env SLUICE_CONTEXT).")
    String context;

    @Option(
            names = "--namespace",
            defaultValue = "${env:SLUICE_NAMESPACE:-}",
            description = "Watch Canaries in this namespace only; empty means all namespaces (env SLUICE_NAMESPACE).")
    String namespace;

    @Option(
            names = "--metrics-server",
            defaultValue = "${env:SLUICE_METRICS_SERVER:-http://prometheus:9090}",
            description = "Prometheus URL for the builtin metrics, unless a Canary sets spec.metricsServer"
                    + " (env SLUICE_METRICS_SERVER). Default: ${DEFAULT-VALUE}.")
    String metricsServer;

    @Option(
            names = "--mesh-provider",
            defaultValue = "${env:SLUICE_MESH_PROVIDER:-gloo-mesh}",
            description = "Provider for Canaries that set none; Sluice routes through gloo-mesh only"
                    + " (env SLUICE_MESH_PROVIDER). Default: ${DEFAULT-VALUE}.")
    String meshProvider;

    @Option(
            names = "--selector-labels",
            split = ",",
            defaultValue = "${env:SLUICE_SELECTOR_LABELS:-app,name,app.kubernetes.io/name}",
            description = "Label keys tried in order to find the target's selector label (env SLUICE_SELECTOR_LABELS)."
                    + " Default: ${DEFAULT-VALUE}.")
    List<String> selectorLabels;

    @Option(
            names = "--include-label-prefix",
            split = ",",
            defaultValue = "${env:SLUICE_INCLUDE_LABEL_PREFIX:-}",
            description = "Label and annotation prefixes copied from the target to the primary at promotion; '*'"
                    + " copies all (env SLUICE_INCLUDE_LABEL_PREFIX). Default: none.")
    List<String> includeLabelPrefix;

    @Option(
            names = "--enable-config-tracking",
            negatable = true,
            defaultValue = "${env:SLUICE_CONFIG_TRACKING:-true}",
            fallbackValue = "true",
            description = "Track ConfigMaps and Secrets the target uses: a change starts a run, and the primary gets"
                    + " -primary copies (env SLUICE_CONFIG_TRACKING). Default: ${DEFAULT-VALUE}.")
    boolean configTracking;

    @Option(
            names = "--kube-qps",
            defaultValue = "${env:SLUICE_KUBE_QPS:-100}",
            description = "Sustained Kubernetes API calls per second (env SLUICE_KUBE_QPS). Default: ${DEFAULT-VALUE}.")
    double qps;

    @Option(
            names = "--kube-burst",
            defaultValue = "${env:SLUICE_KUBE_BURST:-250}",
            description = "Kubernetes API calls allowed in a burst (env SLUICE_KUBE_BURST). Default: ${DEFAULT-VALUE}.")
    int burst;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "${env:SLUICE_LEADER_ELECTION:-true}",
            fallbackValue = "true",
            description = "Run only while holding a coordination.k8s.io Lease, so that replicas never write at the"
                    + " same time; losing the lease stops all writes at once and exits (env SLUICE_LEADER_ELECTION)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean leaderElection;

    @Option(
            names = "--leader-election-namespace",
            defaultValue = "${env:POD_NAMESPACE}",
            description = "Namespace of the Lease (env POD_NAMESPACE, which the manifests set from the pod's"
                    + " namespace). Default: the pod's namespace, read from the ServiceAccount's namespace file;"
                    + " outside a pod " + Installation.FALLBACK_NAMESPACE + ".")
    String leaseNamespace;

    @Option(
            names = "--leader-election-name",
            defaultValue = "${env:SLUICE_LEASE_NAME:-sluice-analyzer-leader}",
            description = "Name of the Lease (env SLUICE_LEASE_NAME). Default: ${DEFAULT-VALUE}.")
    String leaseName;

    @Option(
            names = "--shards",
            defaultValue = "${env:SLUICE_SHARDS:-1}",
            description = "Split the Canaries into this many shards, one Lease each (<leader-election-name>-shard-<i>);"
                    + " a replica reconciles only the Canaries of the shards it holds, assigned by a stable hash of"
                    + " namespace/name. 1 keeps the single Lease named by --leader-election-name"
                    + " (env SLUICE_SHARDS). Default: ${DEFAULT-VALUE}.")
    int shards;

    @Option(
            names = "--replicas",
            defaultValue = "${env:SLUICE_REPLICAS:-1}",
            description = "How many analyzer replicas share the shards: a replica takes at once at most"
                    + " ceil(shards / replicas) of them, more only when a shard stays free (env SLUICE_REPLICAS)."
                    + " Default: ${DEFAULT-VALUE}.")
    int replicas;

    @Option(
            names = "--lease-duration",
            defaultValue = "${env:SLUICE_LEASE_DURATION:-60s}",
            converter = DurationConverter.class,
            description =
                    "How long a lease holds without renewal (env SLUICE_LEASE_DURATION). Default: ${DEFAULT-VALUE}.")
    Duration leaseDuration;

    @Option(
            names = "--lease-renew-deadline",
            defaultValue = "${env:SLUICE_LEASE_RENEW_DEADLINE:-15s}",
            converter = DurationConverter.class,
            description = "How long the leader keeps trying to renew before it gives up leading"
                    + " (env SLUICE_LEASE_RENEW_DEADLINE). Default: ${DEFAULT-VALUE}.")
    Duration renewDeadline;

    @Option(
            names = "--lease-retry-period",
            defaultValue = "${env:SLUICE_LEASE_RETRY_PERIOD:-2s}",
            converter = DurationConverter.class,
            description = "Time between attempts to acquire or renew (env SLUICE_LEASE_RETRY_PERIOD)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration retryPeriod;

    @Option(
            names = "--cluster-name",
            defaultValue = "${env:SLUICE_CLUSTER_NAME:-}",
            description = "The Gloo Mesh cluster this analyzer serves: the first field of every alert, and a filter"
                    + " on --metrics-cluster-label in the builtin metric queries (env SLUICE_CLUSTER_NAME).")
    String clusterName;

    @CommandLine.Mixin
    LogOptions log = new LogOptions();

    @Option(
            names = "--wait-for-route-acceptance",
            negatable = true,
            defaultValue = "${env:SLUICE_WAIT_FOR_ROUTE_ACCEPTANCE:-false}",
            fallbackValue = "true",
            description = "Also wait for Gloo Mesh's acceptance when the delegate RouteTable has never had a status"
                    + " written (no Gloo Mesh running would then hold every run). With a status, a step always"
                    + " counts only once accepted (env SLUICE_WAIT_FOR_ROUTE_ACCEPTANCE). Default: ${DEFAULT-VALUE}.")
    boolean waitForAcceptance;

    @Option(
            names = "--no-data-policy",
            defaultValue = "${env:SLUICE_NO_DATA_POLICY:-fail}",
            description = "A metric without data (or its provider down): fail counts a failed check as Flagger does;"
                    + " hold keeps the weight and rolls back only after the progress deadline. A Canary can override"
                    + " it with the annotation sluice.io/no-data-policy (env SLUICE_NO_DATA_POLICY)."
                    + " Default: ${DEFAULT-VALUE}.")
    String noDataPolicy;

    @Option(
            names = "--no-data-deadline",
            defaultValue = "${env:SLUICE_NO_DATA_DEADLINE:-}",
            converter = DurationConverter.class,
            description = "How long the hold policy may hold a run without data before rolling it back; empty means"
                    + " each Canary's progressDeadlineSeconds (env SLUICE_NO_DATA_DEADLINE).")
    Duration noDataDeadline;

    @Option(
            names = "--max-progressing-canaries",
            defaultValue = "${env:SLUICE_MAX_PROGRESSING_CANARIES:-0}",
            description = "How many Canaries may run at once, cluster-wide; a new revision beyond it waits in phase"
                    + " Waiting, oldest first, until a run ends. 0 means no limit"
                    + " (env SLUICE_MAX_PROGRESSING_CANARIES). Default: ${DEFAULT-VALUE}.")
    int maxProgressingCanaries;

    @Option(
            names = "--max-ticks-per-second",
            defaultValue = "${env:SLUICE_MAX_TICKS_PER_SECOND}",
            description = "The most analysis ticks planned in one second: a tick that would fall in a full second"
                    + " moves to the next second with room, so Canaries started together spread over their first"
                    + " interval and a burst of ticks cannot use up the API budget that detection needs. Below it, a"
                    + " second holds at most 1.25 times the ticks per second the Canaries' intervals (or sooner"
                    + " requeues) ask for (at least 10), so they spread over the whole interval. 0 means no cap and no spreading"
                    + " (env SLUICE_MAX_TICKS_PER_SECOND). Default: half of --kube-qps.")
    Integer maxTicksPerSecond;

    @Option(
            names = "--max-concurrent-reconciles",
            defaultValue = "${env:SLUICE_MAX_CONCURRENT_RECONCILES:-2048}",
            description = "The most reconciles in flight at once; Canaries beyond it wait, in order, for room. Each"
                    + " holds what it read (about 30 KiB) until its writes are answered, so this bounds the heap that"
                    + " a wave of ticks queued behind --kube-qps can take; too low, and ticks start late. The default"
                    + " keeps 10,000 Canaries within a 512 MiB heap; raise it, with the heap, when ticks start late"
                    + " (sluice_tick_lateness_seconds) while the API server keeps up"
                    + " (env SLUICE_MAX_CONCURRENT_RECONCILES). Default: ${DEFAULT-VALUE}.")
    int maxConcurrentReconciles;

    @Option(
            names = "--no-cross-namespace-refs",
            defaultValue = "${env:SLUICE_NO_CROSS_NAMESPACE_REFS:-false}",
            fallbackValue = "true",
            arity = "0..1",
            description = "Halt Canaries that name MetricTemplates, AlertProviders, RouteTables or webhook Services of"
                    + " other namespaces, as Flagger's flag of the same name does; the admission service's flag of the"
                    + " same name denies them at apply time (env SLUICE_NO_CROSS_NAMESPACE_REFS)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean noCrossNamespaceRefs;

    @Option(
            names = "--metrics-query-timeout",
            defaultValue = "${env:SLUICE_METRICS_QUERY_TIMEOUT:-5s}",
            converter = DurationConverter.class,
            description =
                    "Deadline of one Prometheus query (env SLUICE_METRICS_QUERY_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration queryTimeout;

    @Option(
            names = "--allowed-outbound-hosts",
            split = ",",
            defaultValue = "${env:SLUICE_ALLOWED_OUTBOUND_HOSTS:-}",
            description = "Hosts the analyzer may call on a Canary author's behalf (webhooks, alert providers, metric"
                    + " servers, the event webhook): host names or *.domain, comma-separated; empty allows every host"
                    + " (env SLUICE_ALLOWED_OUTBOUND_HOSTS). See docs/security.md.")
    List<String> allowedOutboundHosts;

    @Option(
            names = "--metrics-cluster-label",
            defaultValue = "${env:SLUICE_METRICS_CLUSTER_LABEL:-destination_cluster}",
            description =
                    "Istio label holding the cluster name, used with --cluster-name to filter the builtin"
                            + " queries; empty turns the filter off (env SLUICE_METRICS_CLUSTER_LABEL). Default: ${DEFAULT-VALUE}.")
    String clusterLabel;

    @Option(
            names = "--min-requests",
            defaultValue = "${env:SLUICE_MIN_REQUESTS:-}",
            description = "Fewest requests per query interval that count as data, per builtin metric, e.g."
                    + " request-success-rate=20,request-duration=20 (env SLUICE_MIN_REQUESTS). Default: none.")
    String minRequests;

    @Option(
            names = "--event-webhook",
            defaultValue = "${env:EVENT_WEBHOOK_URL:-}",
            description = "URL receiving every Event of Canaries that define no event webhook (env EVENT_WEBHOOK_URL).")
    String eventWebhook;

    @Option(
            names = "--event-webhook-timeout",
            defaultValue = "${env:SLUICE_EVENT_WEBHOOK_TIMEOUT:-10s}",
            converter = DurationConverter.class,
            description =
                    "Timeout of the global event webhook (env SLUICE_EVENT_WEBHOOK_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration eventWebhookTimeout;

    @Option(
            names = "--slack-url",
            defaultValue = "${env:SLACK_URL:-}",
            description = "Global Slack webhook for Canaries without analysis.alerts (env SLACK_URL).")
    String slackUrl;

    @Option(
            names = "--slack-proxy-url",
            defaultValue = "${env:SLACK_PROXY_URL:-}",
            description = "Proxy for the global Slack webhook (env SLACK_PROXY_URL).")
    String slackProxy;

    @Option(
            names = "--slack-token",
            defaultValue = "${env:SLACK_TOKEN:-}",
            description = "Token sent as 'Authorization: Bearer' to the global Slack URL, for a Slack bot posting "
                    + "through chat.postMessage (env SLACK_TOKEN; prefer the environment, from a Secret).")
    String slackToken;

    @Option(
            names = "--slack-channel",
            defaultValue = "${env:SLACK_CHANNEL:-general}",
            description = "Channel of the global Slack webhook (env SLACK_CHANNEL). Default: ${DEFAULT-VALUE}.")
    String slackChannel;

    @Option(
            names = "--slack-user",
            defaultValue = "${env:SLACK_USER:-flagger}",
            description = "Sender name of the global Slack webhook (env SLACK_USER). Default: ${DEFAULT-VALUE}.")
    String slackUser;

    @Option(
            names = "--msteams-url",
            defaultValue = "${env:MSTEAMS_URL:-}",
            description = "Global MS Teams webhook for Canaries without analysis.alerts (env MSTEAMS_URL).")
    String msTeamsUrl;

    @Option(
            names = "--msteams-proxy-url",
            defaultValue = "${env:MSTEAMS_PROXY_URL:-}",
            description = "Proxy for the global MS Teams webhook (env MSTEAMS_PROXY_URL).")
    String msTeamsProxy;

    @Option(
            names = "--alert-timeout",
            defaultValue = "${env:SLUICE_ALERT_TIMEOUT:-5s}",
            converter = DurationConverter.class,
            description = "Timeout of one alert POST (env SLUICE_ALERT_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration alertTimeout;

    @Option(
            names = "--webhook-backoff-min",
            defaultValue = "${env:SLUICE_WEBHOOK_BACKOFF_MIN:-1s}",
            converter = DurationConverter.class,
            description =
                    "Delay before the first webhook retry (env SLUICE_WEBHOOK_BACKOFF_MIN). Default: ${DEFAULT-VALUE}.")
    Duration backoffMin;

    @Option(
            names = "--webhook-backoff-max",
            defaultValue = "${env:SLUICE_WEBHOOK_BACKOFF_MAX:-30s}",
            converter = DurationConverter.class,
            description = "Cap of the doubling delay between webhook retries (env SLUICE_WEBHOOK_BACKOFF_MAX)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration backoffMax;

    @Option(
            names = "--resync",
            defaultValue = "${env:SLUICE_RESYNC:-5m}",
            converter = DurationConverter.class,
            description = "Reconcile every Canary at least this often, as a failsafe (env SLUICE_RESYNC)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration resync;

    @Option(
            names = "--listen-address",
            defaultValue = "${env:SLUICE_LISTEN_ADDRESS:-0.0.0.0}",
            description = "Address of the /healthz, /readyz and /metrics server (env SLUICE_LISTEN_ADDRESS)."
                    + " Default: ${DEFAULT-VALUE}.")
    String listenAddress;

    @Option(
            names = "--port",
            defaultValue = "${env:SLUICE_PORT:-8080}",
            description =
                    "Port of the /healthz, /readyz and /metrics server (env SLUICE_PORT). Default: ${DEFAULT-VALUE}.")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** The pod's namespace and ServiceAccount: the flag first, then the downward API, then the mounted files. */
    Installation installation(java.nio.file.Path serviceAccountDir) {
        return Installation.read(leaseNamespace, System.getenv("POD_SERVICE_ACCOUNT"), serviceAccountDir);
    }

    @Override
    public Integer call() throws Exception {
        log.apply(this);
        NoDataPolicy policy = NoDataPolicy.parse(noDataPolicy)
                .orElseThrow(() -> new CommandLine.ParameterException(
                        new CommandLine(this), "--no-data-policy must be fail or hold, not " + noDataPolicy));
        if (!"gloo-mesh".equals(meshProvider)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--mesh-provider must be gloo-mesh: Sluice routes through Gloo Mesh only");
        }
        if (maxProgressingCanaries < 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--max-progressing-canaries must be 0 (no limit) or more, not " + maxProgressingCanaries);
        }
        if (maxTicksPerSecond != null && maxTicksPerSecond < 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--max-ticks-per-second must be 0 (no cap) or more, not " + maxTicksPerSecond);
        }
        if (maxConcurrentReconciles < 1) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--max-concurrent-reconciles must be 1 or more, not " + maxConcurrentReconciles);
        }
        if (shards < 1 || replicas < 1) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--shards and --replicas must be 1 or more");
        }
        if (shards > 1 && !leaderElection) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--shards above 1 needs leader election: the shards are Leases");
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Installation installation = installation(Installation.SERVICE_ACCOUNT_DIR);
        leaseNamespace = installation.namespace();
        log.info(
                "installed in namespace {}, acting as {}; the admission service's replica guard must trust this"
                        + " identity",
                leaseNamespace,
                installation.serviceAccount() == null ? "the kubeconfig's user" : installation.serviceAccount());
        String identity = System.getenv().getOrDefault("HOSTNAME", "sluice-analyzer-" + UUID.randomUUID());
        Settings settings = new Settings(
                selectorLabels,
                includeLabelPrefix.stream().filter(s -> !s.isEmpty()).toList(),
                configTracking,
                waitForAcceptance,
                policy,
                noDataDeadline,
                resync,
                Duration.ofMinutes(2),
                identity,
                qps,
                burst,
                maxProgressingCanaries,
                ticksPerSecond(maxTicksPerSecond, qps),
                maxConcurrentReconciles,
                noCrossNamespaceRefs);
        GatesConfig gatesConfig;
        try {
            gatesConfig = GatesConfig.builder()
                    .metricsServer(metricsServer)
                    .meshProvider(meshProvider)
                    .queryTimeout(queryTimeout)
                    .clusterName(clusterName)
                    .clusterLabel(clusterLabel)
                    .outbound(new OutboundHosts(allowedOutboundHosts))
                    .minRequests(GatesConfig.parseMinRequests(minRequests))
                    .eventWebhook(eventWebhook)
                    .eventWebhookTimeout(eventWebhookTimeout)
                    .slack(new GatesConfig.ChatSettings(slackUrl, slackProxy, slackChannel, slackUser, slackToken))
                    .msTeams(new GatesConfig.ChatSettings(msTeamsUrl, msTeamsProxy, "", ""))
                    .alertTimeout(alertTimeout)
                    .backoff(backoffMin, backoffMax)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }

        Vertx vertx = Vertx.vertx();
        KubernetesClient client = client(vertx);
        Kube.register(client);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AnalyzerMetrics metrics =
                new AnalyzerMetrics(registry, io.sluice.model.BuildVersion.of(Main.class), meshProvider);
        boolean sharded = shards > 1;
        // With shards, the process may write while it holds one of them; each Canary's writes are fenced by its own
        // shard on top (Controller#owns).
        AtomicBoolean leading = new AtomicBoolean(!leaderElection || sharded);
        AtomicReference<ShardLeases> shardLeases = new AtomicReference<>();
        java.util.function.BooleanSupplier mayWrite = () ->
                leading.get() && (shardLeases.get() == null || shardLeases.get().holdsAny());
        metrics.setLeader(!leaderElection);
        // The gates read MetricTemplates, Secrets and AlertProviders through their own small pool.
        Kube lookups = new Kube(client, vertx.createSharedWorkerExecutor(Controller.POOL + "-lookups", 2), mayWrite);
        Gates gates = Gates.create(vertx, gatesConfig, new KubeObjectLookup(lookups), metrics);
        AtomicReference<Controller> running = new AtomicReference<>();
        String scope = namespace == null || namespace.isEmpty() ? null : namespace;

        Liveness liveness = Liveness.system();
        HealthServer.start(
                        vertx,
                        listenAddress,
                        port,
                        liveness,
                        () -> !leading.get() && !sharded
                                || running.get() != null && running.get().synced(),
                        metrics::scrape)
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        log.info(
                "sluice-analyzer {} listening on {}:{}; metrics server {}",
                identity,
                listenAddress,
                port,
                metricsServer);

        Runnable startController = () -> {
            Controller c = new Controller(
                            client,
                            settings,
                            scope,
                            gates.metricGate(),
                            gates.webhookGate(),
                            gates.notifier(),
                            Clock.systemUTC(),
                            mayWrite)
                    .owns(key -> shardLeases.get() == null || shardLeases.get().holdsKey(key))
                    .keeps(key -> shardLeases.get() == null || shardLeases.get().cachesKey(key))
                    .listener(new MetricsListener(metrics, Clock.systemUTC()))
                    .liveness(liveness)
                    .providers(gates.metricGate()::checkProviders);
            running.set(c);
            vertx.deployVerticle(c).onFailure(err -> {
                log.error("controller failed to start: {}", err.toString());
                System.exit(2);
            });
        };
        AtomicReference<LeaseHolder> leadership = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            shutdown(leading, leadership.get(), running.get(), client, vertx);
                            metrics.setLeader(false);
                            // Last: the log appender writes the lines still queued, the ones above included.
                            LogConfigurator.stopLogging();
                            done.countDown();
                        },
                        "sluice-shutdown"));

        if (!leaderElection) {
            startController.run();
            done.await();
            return 0;
        }
        if (sharded) {
            // Every replica runs its informers from the start and reconciles only the Canaries of the shards it holds;
            // its caches hold those shards' Deployments and Services (a shard that moves here reads its objects by
            // name once). Losing a shard stops its Canaries at once and the replica keeps competing, it does not exit.
            ShardLeases.Config config = new ShardLeases.Config(
                    leaseNamespace, leaseName, identity, shards, replicas, leaseDuration, renewDeadline, retryPeriod);
            ShardLeases leases = new ShardLeases(client, config, Clock.systemUTC(), new ShardLeases.Listener() {
                @Override
                public void gained(int shard) {
                    metrics.setLeader(true);
                    Controller c = running.get();
                    if (c != null) {
                        c.reclaim(key -> Shards.of(key, shards) == shard);
                    }
                }

                @Override
                public void lost(int shard) {
                    metrics.setLeader(
                            shardLeases.get() != null && shardLeases.get().holdsAny());
                }
            });
            shardLeases.set(leases);
            leadership.set(leases);
            log.info(
                    "{} shards (Leases {}/{}-shard-0..{}), {} replicas expected: taking up to {} at once",
                    shards,
                    leaseNamespace,
                    leaseName,
                    shards - 1,
                    replicas,
                    config.share());
            startController.run();
            leases.start();
            done.await();
            return 0;
        }
        leadership.set(new Leadership(
                        client,
                        new Leadership.Lease(
                                leaseNamespace, leaseName, identity, leaseDuration, renewDeadline, retryPeriod),
                        () -> {
                            log.info("acquired lease {}/{}: starting", leaseNamespace, leaseName);
                            leading.set(true);
                            metrics.setLeader(true);
                            startController.run();
                        },
                        () -> {
                            // Writes stop before anything else: the Kube class checks this flag before every write.
                            leading.set(false);
                            metrics.setLeader(false);
                            log.error("lost lease {}/{}: stopping writes and exiting", leaseNamespace, leaseName);
                            System.exit(1);
                        },
                        leader -> log.info("lease {}/{} held by {}", leaseNamespace, leaseName, leader))
                .start());
        done.await();
        return 0;
    }

    /**
     * The order a stopping analyzer (SIGTERM, as in a rolling update) goes down in. Writes stop first (Kube checks
     * {@code leading} before every write); then the Lease is released while the client is still open, so that a
     * standby takes over at its next retry rather than after the lease duration; then the informers, the client they
     * watch through, and Vert.x, which carries the client's HTTP.
     */
    static void shutdown(
            AtomicBoolean leading,
            LeaseHolder leadership,
            Controller controller,
            KubernetesClient client,
            Vertx vertx) {
        leading.set(false);
        if (leadership != null) {
            leadership.stop();
        }
        if (controller != null) {
            controller.stopInformers();
        }
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private KubernetesClient client(Vertx vertx) {
        if (kubeconfig != null && !kubeconfig.isEmpty()) {
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig);
        }
        Config config = Config.autoConfigure(context == null || context.isEmpty() ? null : context);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                // One Canary that cannot be decoded must not fail the informers' lists and stop every release.
                .withKubernetesSerialization(io.sluice.analyzer.kube.TolerantSerialization.create())
                .build();
    }

    /** Go-style durations on the command line: 60s, 1m30s, 500ms. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value == null || value.isEmpty()) {
                return null;
            }
            return io.sluice.model.Durations.parse(value)
                    .orElseThrow(() -> new CommandLine.TypeConversionException(
                            "'" + value + "' is not a duration such as 15s, 1m or 1m30s"));
        }
    }

    /** {@code --version}: the version this jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice-analyzer " + io.sluice.model.BuildVersion.of(Main.class)};
        }
    }

    /** {@code --max-ticks-per-second}, or its default: half of the API budget, at least one tick a second. */
    static int ticksPerSecond(Integer flag, double kubeQps) {
        return flag != null ? flag : (int) Math.max(1, Math.floor(kubeQps / 2));
    }
}
