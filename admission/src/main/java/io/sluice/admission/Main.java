package io.sluice.admission;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.certs.CaRequest;
import io.sluice.certs.ServingRequest;
import io.sluice.logging.LogConfigurator;
import io.sluice.logging.LogOptions;
import io.sluice.model.Durations;
import io.sluice.model.validation.AlertProviderValidator;
import io.sluice.model.validation.CanaryValidator;
import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The admission service's command line. Every flag can also be set through the environment variable named. */
@Command(
        name = "sluice-admission",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Sluice's admission webhook: validates Canary, MetricTemplate and AlertProvider objects and "
                    + "mutates the Deployments Canaries target. Serves HTTPS only."
        },
        footer = {"", "Durations use Go syntax (500ms, 2s, 10m, 168h)."})
public final class Main implements Callable<Integer> {

    @Option(
            names = "--bind-address",
            defaultValue = "${env:SLUICE_BIND_ADDRESS:-0.0.0.0}",
            description = "Address the HTTPS server listens on (env SLUICE_BIND_ADDRESS; default ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(
            names = "--port",
            defaultValue = "${env:SLUICE_PORT:-8443}",
            description = "HTTPS port for the webhooks, /healthz, /readyz and /metrics (env SLUICE_PORT; default "
                    + "${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--event-loops",
            defaultValue = "${env:SLUICE_EVENT_LOOPS:-0}",
            description = "HTTPS server instances, one per event loop, sharing the port; 0 means one per CPU "
                    + "(env SLUICE_EVENT_LOOPS; default ${DEFAULT-VALUE}).")
    int eventLoops;

    @Option(
            names = "--tls-cert-file",
            defaultValue = "${env:SLUICE_TLS_CERT_FILE:-}",
            description = "PEM certificate (and chain) to serve, e.g. from a cert-manager Secret; reloaded when it "
                    + "changes. Without it Sluice runs its own CA (env SLUICE_TLS_CERT_FILE).")
    String tlsCertFile;

    @Option(
            names = "--tls-key-file",
            defaultValue = "${env:SLUICE_TLS_KEY_FILE:-}",
            description = "PEM private key of --tls-cert-file (env SLUICE_TLS_KEY_FILE).")
    String tlsKeyFile;

    @Option(
            names = "--tls-reload-interval",
            defaultValue = "${env:SLUICE_TLS_RELOAD_INTERVAL:-10s}",
            description = "How often the certificate files are checked for changes (env SLUICE_TLS_RELOAD_INTERVAL; "
                    + "default ${DEFAULT-VALUE}).")
    String tlsReloadInterval;

    @Option(
            names = "--namespace",
            defaultValue = "${env:POD_NAMESPACE:-}",
            description = "Namespace of the service and of the CA Secret; the mutating webhook leaves its "
                    + "Deployments alone (env POD_NAMESPACE, set from the downward API). Empty: the pod's "
                    + "ServiceAccount namespace, outside a pod " + Installation.FALLBACK_NAMESPACE + ".")
    String namespace;

    @Option(
            names = "--service-name",
            defaultValue = "${env:SLUICE_SERVICE_NAME:-sluice-admission}",
            description = "Service the API server calls; the serving certificate covers <svc>, <svc>.<ns> and "
                    + "<svc>.<ns>.svc (env SLUICE_SERVICE_NAME; default ${DEFAULT-VALUE}).")
    String serviceName;

    @Option(
            names = "--extra-dns-name",
            split = ",",
            defaultValue = "${env:SLUICE_EXTRA_DNS_NAMES:-}",
            description = "More DNS names for the self-issued serving certificate, comma separated "
                    + "(env SLUICE_EXTRA_DNS_NAMES).")
    List<String> extraDnsNames = new ArrayList<>();

    @Option(
            names = "--extra-ip",
            split = ",",
            defaultValue = "${env:SLUICE_EXTRA_IPS:-}",
            description = "IP addresses for the self-issued serving certificate, comma separated "
                    + "(env SLUICE_EXTRA_IPS).")
    List<String> extraIps = new ArrayList<>();

    @Option(
            names = "--ca-secret",
            defaultValue = "${env:SLUICE_CA_SECRET:-sluice-admission-ca}",
            description = "Secret holding the self-managed CA, created when missing (env SLUICE_CA_SECRET; default "
                    + "${DEFAULT-VALUE}).")
    String caSecret;

    @Option(
            names = "--serving-cert-validity",
            defaultValue = "${env:SLUICE_SERVING_CERT_VALIDITY:-168h}",
            description = "Lifetime of a self-issued serving certificate; renewed at two thirds "
                    + "(env SLUICE_SERVING_CERT_VALIDITY; default ${DEFAULT-VALUE}).")
    String servingValidity;

    @Option(
            names = "--cert-check-interval",
            defaultValue = "${env:SLUICE_CERT_CHECK_INTERVAL:-5m}",
            description = "Longest time between two reads of the CA Secret, to pick up a rotation by another "
                    + "replica (env SLUICE_CERT_CHECK_INTERVAL; default ${DEFAULT-VALUE}).")
    String certCheckInterval;

    @Option(
            names = "--mutating-webhook-configuration",
            defaultValue = "${env:SLUICE_MUTATING_WEBHOOK_CONFIGURATION:-sluice-admission}",
            description = "MutatingWebhookConfiguration whose caBundle Sluice keeps current; empty to leave it "
                    + "alone (env SLUICE_MUTATING_WEBHOOK_CONFIGURATION; default ${DEFAULT-VALUE}).")
    String mutatingConfiguration;

    @Option(
            names = "--validating-webhook-configuration",
            defaultValue = "${env:SLUICE_VALIDATING_WEBHOOK_CONFIGURATION:-sluice-admission}",
            description = "ValidatingWebhookConfiguration whose caBundle Sluice keeps current; empty to leave it "
                    + "alone (env SLUICE_VALIDATING_WEBHOOK_CONFIGURATION; default ${DEFAULT-VALUE}).")
    String validatingConfiguration;

    @Option(
            names = "--analyzer-identity",
            defaultValue = "${env:SLUICE_ANALYZER_IDENTITY:-}",
            description = "User name of the analyzer: its replica changes are let through (env "
                    + "SLUICE_ANALYZER_IDENTITY). Empty: system:serviceaccount:<namespace>:"
                    + "<--analyzer-service-account>, the analyzer installed next to this service.")
    String analyzerIdentity;

    @Option(
            names = "--analyzer-service-account",
            defaultValue = "${env:SLUICE_ANALYZER_SERVICE_ACCOUNT:-sluice-analyzer}",
            description = "The analyzer's ServiceAccount in this service's namespace, when --analyzer-identity is "
                    + "empty (env SLUICE_ANALYZER_SERVICE_ACCOUNT; default ${DEFAULT-VALUE}).")
    String analyzerServiceAccount;

    @Option(
            names = "--status-write-budget",
            defaultValue = "${env:SLUICE_STATUS_WRITE_BUDGET:-2s}",
            description = "Longest wait for the admittedRevision status write before admitting anyway "
                    + "(env SLUICE_STATUS_WRITE_BUDGET; default ${DEFAULT-VALUE}).")
    String statusWriteBudget;

    @Option(
            names = "--request-deadline",
            defaultValue = "${env:SLUICE_REQUEST_DEADLINE:-4s}",
            description = "Longest time to decide one review; keep it under the webhooks' timeoutSeconds "
                    + "(env SLUICE_REQUEST_DEADLINE; default ${DEFAULT-VALUE}).")
    String requestDeadline;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "${env:SLUICE_MAX_BODY_BYTES:-3145728}",
            description = "Largest AdmissionReview accepted, in bytes; the API server's own object limit is 3 MiB "
                    + "(env SLUICE_MAX_BODY_BYTES; default ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(
            names = "--source-user",
            split = ",",
            defaultValue = "${env:SLUICE_SOURCE_USERS:-}",
            description = "user=source pairs added to the built-in table that names the tool behind a change "
                    + "(kubectl, flux, argocd, helm, other), comma separated (env SLUICE_SOURCE_USERS).")
    List<String> sourceUsers = new ArrayList<>();

    @Option(
            names = "--source-manager",
            split = ",",
            defaultValue = "${env:SLUICE_SOURCE_MANAGERS:-}",
            description = "fieldManager=source pairs added to the built-in table, comma separated "
                    + "(env SLUICE_SOURCE_MANAGERS).")
    List<String> sourceManagers = new ArrayList<>();

    @Option(
            names = "--no-cross-namespace-refs",
            defaultValue = "${env:SLUICE_NO_CROSS_NAMESPACE_REFS:-false}",
            fallbackValue = "true",
            arity = "0..1",
            description = "Deny Canaries that name MetricTemplates, AlertProviders, RouteTables or webhook Services of "
                    + "other namespaces, as Flagger's flag of the same name refuses them "
                    + "(env SLUICE_NO_CROSS_NAMESPACE_REFS; default ${DEFAULT-VALUE}).")
    boolean noCrossNamespaceRefs;

    @Option(
            names = "--api-pool-size",
            defaultValue = "${env:SLUICE_API_POOL_SIZE:-4}",
            description = "Worker threads for Kubernetes API calls (env SLUICE_API_POOL_SIZE; default "
                    + "${DEFAULT-VALUE}).")
    int apiPoolSize;

    @Option(
            names = "--api-connect-timeout",
            defaultValue = "${env:SLUICE_API_CONNECT_TIMEOUT:-5s}",
            description = "Connect timeout to the Kubernetes API (env SLUICE_API_CONNECT_TIMEOUT; default "
                    + "${DEFAULT-VALUE}).")
    String apiConnectTimeout;

    @Option(
            names = "--api-request-timeout",
            defaultValue = "${env:SLUICE_API_REQUEST_TIMEOUT:-10s}",
            description = "Timeout of one Kubernetes API request (env SLUICE_API_REQUEST_TIMEOUT; default "
                    + "${DEFAULT-VALUE}).")
    String apiRequestTimeout;

    @CommandLine.Mixin
    LogOptions log = new LogOptions();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static Duration duration(String flag, String value) {
        return Durations.parse(value)
                .orElseThrow(() -> new CommandLine.ParameterException(
                        new CommandLine(new Main()),
                        flag + ": '" + value + "' is not a duration (e.g. 500ms, 2s, 10m)"));
    }

    static Map<String, String> pairs(String flag, List<String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String v : values) {
            if (v.isBlank()) {
                continue;
            }
            int eq = v.indexOf('=');
            if (eq <= 0 || eq == v.length() - 1) {
                throw new CommandLine.ParameterException(
                        new CommandLine(new Main()), flag + ": '" + v + "' is not name=source");
            }
            out.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
        }
        return out;
    }

    /** The Vert.x the service runs on; the benchmark's server uses the same. */
    static VertxOptions vertxOptions(int eventLoops) {
        // As many event loops as servers; a small pool for the little blocking work besides API calls (crypto).
        // Every thread costs a stack and, once it allocates buffers, a Netty thread cache.
        return new VertxOptions()
                .setEventLoopPoolSize(eventLoops)
                .setWorkerPoolSize(4)
                .setInternalBlockingPoolSize(2);
    }

    /**
     * The Vert.x instance that serves reviews, and the Kubernetes client on a Vert.x instance of its own: fabric8
     * decodes a list and fills the caches on the event loop that received it, and a relist of ten thousand Canaries
     * must not hold up the answers. The client's instance has one event loop (its work is one stream of responses);
     * the service's API calls block on the serving instance's {@code sluice-kube-calls} workers, not here.
     */
    record Platform(Vertx serving, Vertx clientVertx, KubernetesClient client) {
        static Platform create(int eventLoops, Config config) {
            Vertx clientVertx = Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(1)
                    .setWorkerPoolSize(1)
                    .setInternalBlockingPoolSize(1));
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(config)
                    .withKubernetesSerialization(KubeCalls.serialization())
                    .withHttpClientFactory(new Vertx5HttpClientFactory(clientVertx))
                    .build();
            return new Platform(Vertx.vertx(vertxOptions(eventLoops)), clientVertx, client);
        }

        /**
         * The client first, then the event loops under it, then the serving ones. Waits at most {@link #CLOSING} for
         * each instance: a shutdown that hangs would keep the pod terminating until it is killed.
         */
        void close() {
            client.close();
            closed(clientVertx);
            closed(serving);
        }

        static final Duration CLOSING = Duration.ofSeconds(10);

        private static void closed(Vertx vertx) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(CLOSING.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LoggerFactory.getLogger(Main.class).warn("Vert.x did not close within {}: {}", CLOSING, e.toString());
            }
        }
    }

    /** The namespace and the analyzer's identity from the flags, or else from the pod's ServiceAccount mount. */
    Installation installation(java.nio.file.Path serviceAccountDir) {
        return Installation.read(namespace, analyzerIdentity, analyzerServiceAccount, serviceAccountDir);
    }

    @Override
    public Integer call() throws Exception {
        log.apply(this);
        // The first logger of the process: logback sets itself up now, in the format just chosen.
        Logger log = LoggerFactory.getLogger(Main.class);
        boolean files = !tlsCertFile.isEmpty() || !tlsKeyFile.isEmpty();
        if (files && (tlsCertFile.isEmpty() || tlsKeyFile.isEmpty())) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--tls-cert-file and --tls-key-file go together");
        }
        Duration reload = duration("--tls-reload-interval", tlsReloadInterval);
        Duration leafValidity = duration("--serving-cert-validity", servingValidity);
        Duration recheck = duration("--cert-check-interval", certCheckInterval);
        Duration writeBudget = duration("--status-write-budget", statusWriteBudget);
        Duration deadline = duration("--request-deadline", requestDeadline);
        Duration connect = duration("--api-connect-timeout", apiConnectTimeout);
        Duration request = duration("--api-request-timeout", apiRequestTimeout);
        SourceClassifier sources = SourceClassifier.withDefaults(
                pairs("--source-user", sourceUsers), pairs("--source-manager", sourceManagers));
        Installation installation = installation(Installation.SERVICE_ACCOUNT_DIR);
        log.info(
                "installed in namespace {}; replica changes by {} are let through",
                installation.namespace(),
                installation.analyzerIdentity());
        ServingRequest serving = ServingRequest.of(serviceName, installation.namespace())
                .withExtraDnsNames(
                        extraDnsNames.stream().filter(s -> !s.isBlank()).toList())
                .withIpAddresses(extraIps.stream().filter(s -> !s.isBlank()).toList())
                .withValidity(leafValidity);

        int instances = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
        Config config = new ConfigBuilder(Config.autoConfigure(null))
                .withConnectionTimeout((int) connect.toMillis())
                .withRequestTimeout((int) request.toMillis())
                .build();
        Platform platform = Platform.create(instances, config);
        Vertx vertx = platform.serving();
        KubernetesClient client = platform.client();
        KubeCalls calls = new KubeCalls(vertx, client, apiPoolSize);
        InformerClusterView cluster = new InformerClusterView(client);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdmissionMetrics metrics = new AdmissionMetrics(registry);
        ServingTls tls = new ServingTls();
        CertificateSource certificates = files
                ? new FileCertificates(vertx, tlsCertFile, tlsKeyFile, reload)
                : new ManagedCertificates(
                        vertx,
                        new SecretCaStore(
                                calls,
                                installation.namespace(),
                                caSecret,
                                mutatingConfiguration,
                                validatingConfiguration),
                        serving,
                        CaRequest.of(serviceName + "." + installation.namespace() + " webhook CA"),
                        Clock.systemUTC(),
                        recheck);

        if (certificates instanceof ManagedCertificates managed) {
            metrics.caPublishFailures(managed);
        }
        RuntimeRequestAdmission requests = new RuntimeRequestAdmission(
                calls, writeBudget, sources, Clock.systemUTC(), metrics, RuntimeRequestAdmission.afterAnswerOn(vertx));
        ValidatingHandler validate = new ValidatingHandler(
                new ObjectDecoder(),
                CanaryValidator::judge,
                MetricTemplateValidator::validate,
                AlertProviderValidator::validate,
                cluster,
                requests,
                noCrossNamespaceRefs);
        MutatingHandler mutate =
                new MutatingHandler(cluster, calls, sources, installation, writeBudget, Clock.systemUTC(), metrics);
        List<AdmissionRoutes.ReadyCheck> checks = List.of(
                new AdmissionRoutes.ReadyCheck("certificate", tls::loaded),
                new AdmissionRoutes.ReadyCheck("caches", cluster::synced));

        cluster.start().onFailure(e -> log.error("caches did not start; /readyz stays unready: {}", e.toString()));
        CountDownLatch stopped = new CountDownLatch(1);
        io.vertx.ext.web.Router router =
                AdmissionRoutes.router(vertx, validate, mutate, maxBodyBytes, deadline, metrics, registry, checks);
        Future<String> serving0 = certificates
                .start(tls::install)
                .compose(v -> HttpsVerticle.deploy(
                        vertx,
                        tls,
                        new HttpServerOptions()
                                .setHost(bindAddress)
                                .setPort(port)
                                // A client that stops sending mid-request is cut off instead of holding a connection
                                // forever;
                                // longer than the API server's own 90 s keep-alive, so it closes idle connections
                                // first.
                                .setIdleTimeout(120)
                                .setIdleTimeoutUnit(TimeUnit.SECONDS),
                        router,
                        instances));
        serving0.onSuccess(id -> log.info(
                        "serving HTTPS on {}:{} with {} event loops ({} certificates)",
                        bindAddress,
                        port,
                        instances,
                        files ? "file" : "self-managed"))
                .onFailure(e -> {
                    log.error("could not start serving: {}", e.toString());
                    stopped.countDown();
                });
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            certificates.stop();
                            cluster.stop();
                            platform.close();
                            // Last: the log appender writes the lines still queued, the ones above included.
                            LogConfigurator.stopLogging();
                            stopped.countDown();
                        },
                        "sluice-shutdown"));
        stopped.await();
        return serving0.succeeded() ? 0 : 1;
    }

    /** {@code --version}: the version this jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice-admission " + io.sluice.model.BuildVersion.of(Main.class)};
        }
    }
}
