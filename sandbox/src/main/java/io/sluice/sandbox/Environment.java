package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sandbox with Sluice in it: the webhook configurations that route Deployment and Canary
 * writes to Sluice's admission service, the admission and analyzer processes, and the seed's
 * manifests. Shared by {@code make demo}, {@code make sandbox}, the benchmark and the e2e tests.
 */
public final class Environment implements AutoCloseable {

    public static final String SYSTEM_NAMESPACE = "sluice-system";
    public static final String ADMISSION_SERVICE = "sluice-admission";
    public static final String ANALYZER_DEPLOYMENT = "sluice-analyzer";
    public static final String ADMISSION_MAIN = "io.sluice.admission.Main";
    public static final String ANALYZER_MAIN = "io.sluice.analyzer.Main";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    /**
     * Whether Sluice's two services run with only the RBAC of manifests/: yes unless
     * {@code -Dsandbox.rbac.sluice=exempt}, which tells an RBAC denial from another failure.
     */
    static final boolean ENFORCE_SLUICE_RBAC = !"exempt".equals(System.getProperty("sandbox.rbac.sluice"));

    /** No analyzer flags beyond those of the installed Deployment and the sandbox's addresses. */
    public static final List<String> NO_EXTRA_ARGS = List.of();

    /**
     * How the environment is started. {@code analyzerArgs} are flags on top of the installed ones
     * ({@code --flag=value}, replacing the same flag; {@code {prometheus}} and {@code {port}} are filled in).
     */
    public record Options(
            Path repo,
            Duration scrapeInterval,
            List<String> analyzerArgs,
            boolean startAdmission,
            boolean startAnalyzer,
            Launchers launchers,
            String namespace) {

        /** Installed into {@link #SYSTEM_NAMESPACE}, as {@code manifests/} names it. */
        public Options(
                Path repo,
                Duration scrapeInterval,
                List<String> analyzerArgs,
                boolean startAdmission,
                boolean startAnalyzer,
                Launchers launchers) {
            this(repo, scrapeInterval, analyzerArgs, startAdmission, startAnalyzer, launchers, SYSTEM_NAMESPACE);
        }

        /** The same options, with Sluice installed into {@code ns} (a kustomize overlay's {@code namespace:}). */
        public Options inNamespace(String ns) {
            return new Options(repo, scrapeInterval, analyzerArgs, startAdmission, startAnalyzer, launchers, ns);
        }
    }

    /**
     * How a service's JVM is told what to run, after its JVM options: {@code -jar <jar>} or
     * {@code -cp <class path> <main class>}.
     */
    @FunctionalInterface
    public interface Launchers {
        List<String> of(String module, String mainClass);
    }

    private final Options options;
    private final Sandbox sandbox;
    private final KubernetesClient admin;
    private final Kubectl kubectl;
    private SluiceProcess admission;
    private final List<Analyzer> analyzers = new ArrayList<>();
    private SluiceProcess baseline;
    private int admissionPort;
    private List<JsonObject> rendered;

    private Environment(Options options, Sandbox sandbox) {
        this.options = options;
        this.sandbox = sandbox;
        this.admin = sandbox.client(sandbox.adminKubeconfig());
        this.kubectl = new Kubectl(sandbox.adminKubeconfig());
    }

    public static Environment start(Options options) {
        Sandbox sandbox = Sandbox.start(options.repo(), options.scrapeInterval(), options.startAnalyzer());
        Environment env = new Environment(options, sandbox);
        try {
            env.boot();
            return env;
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    private void boot() {
        kubectl.run("create", "namespace", options.namespace()).ok();
        installRbac();
        if (!ENFORCE_SLUICE_RBAC) {
            // Asked for with -Dsandbox.rbac.sluice=exempt: the two services may do anything.
            sandbox.api().unrestrict(analyzerUser());
            sandbox.api().unrestrict(admissionUser());
        }
        if (options.startAdmission()) {
            installWebhookConfigurations();
        }
        admissionPort = freePort();
        sandbox.registerExternalService(
                options.namespace(), ADMISSION_SERVICE, SocketAddress.inetSocketAddress(admissionPort, "127.0.0.1"));
        if (options.startAdmission()) {
            startAdmission();
        }
        if (options.startAnalyzer()) {
            startAnalyzer();
        }
    }

    /** What {@code manifests/} installs into the environment's namespace, rendered once. */
    private List<JsonObject> manifests() {
        if (rendered == null) {
            rendered = SYSTEM_NAMESPACE.equals(options.namespace())
                    ? Installed.render(options.repo())
                    : Installed.render(options.repo(), options.namespace(), sandbox.dir());
        }
        return rendered;
    }

    /** The namespace Sluice is installed into. */
    public String namespace() {
        return options.namespace();
    }

    /** The analyzer's ServiceAccount as a user name. */
    public String analyzerUser() {
        return "system:serviceaccount:" + options.namespace() + ":" + ANALYZER_DEPLOYMENT;
    }

    /** The admission service's ServiceAccount as a user name. */
    public String admissionUser() {
        return "system:serviceaccount:" + options.namespace() + ":" + ADMISSION_SERVICE;
    }

    private List<String> serviceAccountGroups() {
        return List.of("system:serviceaccounts", "system:serviceaccounts:" + options.namespace());
    }

    /**
     * The service accounts, Roles, ClusterRoles and bindings of {@code manifests/}, applied as an
     * administrator would: Sluice's services run with exactly these permissions.
     */
    private void installRbac() {
        applyRendered("rbac", Set.of("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"));
    }

    /** Applies the objects of {@code kinds} that {@code manifests/} renders, as an administrator would. */
    private void applyRendered(String name, Set<String> kinds) {
        try {
            Path dir = Files.createDirectories(sandbox.dir().resolve(name));
            int i = 0;
            for (JsonObject o : manifests()) {
                if (kinds.contains(o.getString("kind"))) {
                    Files.writeString(dir.resolve(String.format("%02d.json", i++)), o.encode());
                }
            }
            kubectl.run("apply", "-f", dir.toString()).ok();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The webhook configurations Sluice ships ({@code manifests/admission/webhooks.yaml}, as rendered for the
     * namespace), applied as an administrator would; the admission service publishes its own CA into them.
     */
    private void installWebhookConfigurations() {
        applyRendered("webhooks", Set.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"));
    }

    public void startAdmission() {
        if (admission != null && admission.alive()) {
            return;
        }
        Path kubeconfig = sandbox.kubeconfig(admissionUser(), serviceAccountGroups());
        Installed installed = Installed.of(manifests(), ADMISSION_SERVICE);
        // The API server reaches the service on loopback, so it serves there and its certificate names it.
        List<String> args = installed.withFlags(
                List.of("--bind-address=127.0.0.1", "--port=" + admissionPort, "--extra-ip=127.0.0.1"));
        admission = SluiceProcess.start(
                options.launchers().of("admission", ADMISSION_MAIN),
                "admission",
                args,
                kubeconfig,
                installed.env(),
                installed.memoryLimit(),
                sandbox.dir());
        await("the admission service to publish its CA into the webhook configurations", Duration.ofSeconds(90), () -> {
            if (!admission.alive()) {
                throw new IllegalStateException("the admission service exited:\n" + admission.tail(30));
            }
            MutatingWebhookConfiguration m = admin.admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withName("sluice-admission")
                    .get();
            String ca =
                    m == null ? null : m.getWebhooks().get(0).getClientConfig().getCaBundle();
            return ca != null && !ca.isEmpty() ? ca : null;
        });
    }

    /** Stops the admission service (the webhook then fails open: failurePolicy Ignore). */
    public void stopAdmission() {
        if (admission != null) {
            admission.close();
        }
    }

    /**
     * One analyzer process: its pod name ({@code HOSTNAME}, the identity it holds the Lease and signs its Events
     * with), the port of its {@code /healthz}, {@code /readyz} and {@code /metrics}, and the process.
     */
    public record Analyzer(String identity, int port, SluiceProcess process) {}

    /**
     * Starts one more analyzer, as one more replica of the installed Deployment: its own JVM, port, log and pod name
     * ({@code sluice-analyzer-1}, {@code -2}, …), all competing for the one Lease.
     */
    public Analyzer startAnalyzer() {
        Path kubeconfig = sandbox.kubeconfig(analyzerUser(), serviceAccountGroups());
        Installed installed = Installed.of(manifests(), ANALYZER_DEPLOYMENT);
        // Without the sandbox's Prometheus (not started), an address that answers nothing: Canaries without metrics
        // need none.
        String prometheus = sandbox.prometheus().map(p -> p.url()).orElse("http://127.0.0.1:9");
        int number = analyzers.size() + 1;
        String identity = ANALYZER_DEPLOYMENT + "-" + number;
        int listen = freePort();
        String port = Integer.toString(listen);
        // The installed flags name the cluster's Prometheus and the pod's port; the sandbox's are on loopback.
        List<String> overrides = new ArrayList<>(
                List.of("--metrics-server=" + prometheus, "--listen-address=127.0.0.1", "--port=" + port));
        for (String a : options.analyzerArgs()) {
            overrides.add(a.replace("{prometheus}", prometheus).replace("{port}", port));
        }
        List<String> args = installed.withFlags(overrides);
        // The analyzer runs outside the cluster; the Canary's webhook URLs (http://flagger-loadtester.test/)
        // reach the load tester through the sandbox's proxy into the cluster, the way HTTP_PROXY works.
        String proxy = sandbox.cluster().clusterProxyUrl();
        Map<String, String> env = new java.util.HashMap<>(installed.env());
        env.putAll(Map.of(
                "HTTP_PROXY",
                proxy,
                "http_proxy",
                proxy,
                "NO_PROXY",
                "127.0.0.1,localhost",
                "no_proxy",
                "127.0.0.1,localhost",
                // The pod's name, as in a container: the replicas' Lease identities differ.
                "HOSTNAME",
                identity));
        Analyzer started = new Analyzer(
                identity,
                listen,
                SluiceProcess.start(
                        options.launchers().of("analyzer", ANALYZER_MAIN),
                        number == 1 ? "analyzer" : "analyzer-" + number,
                        args,
                        kubeconfig,
                        env,
                        installed.memoryLimit(),
                        sandbox.dir()));
        analyzers.add(started);
        return started;
    }

    /**
     * Starts the detection benchmark's baseline watcher ({@link DetectionBaseline}) on {@code namespace}:
     * its own JVM with the analyzer's JVM options and memory limit, as an administrator.
     */
    public void startBaseline(String namespace) {
        Installed installed = Installed.of(manifests(), ANALYZER_DEPLOYMENT);
        Map<String, String> env = new java.util.HashMap<>();
        String jvm = installed.env().get("JAVA_TOOL_OPTIONS");
        if (jvm != null) {
            env.put("JAVA_TOOL_OPTIONS", jvm);
        }
        baseline = SluiceProcess.start(
                List.of("-cp", System.getProperty("java.class.path"), DetectionBaseline.class.getName()),
                "detection-baseline",
                List.of(namespace),
                sandbox.adminKubeconfig(),
                env,
                installed.memoryLimit(),
                sandbox.dir());
        await("the baseline watcher to start", Duration.ofSeconds(60), () -> {
            if (!baseline.alive()) {
                throw new IllegalStateException("the baseline watcher exited:\n" + baseline.tail(30));
            }
            return baseline.tail(5).contains("watching Deployments");
        });
    }

    /** Flux's kustomize-controller, as Flux installs it: its service account, bound to cluster-admin. */
    public static final String FLUX_USER = "system:serviceaccount:flux-system:kustomize-controller";

    /**
     * The identity a GitOps tool acts as, with the permissions its own installation grants (Flux binds
     * its controllers to cluster-admin), so {@code kubectl --as} can play it.
     */
    public void installFluxIdentity() {
        kubectl.run("create", "namespace", "flux-system").ok();
        kubectl.run("-n", "flux-system", "create", "serviceaccount", "kustomize-controller")
                .ok();
        kubectl.run(
                        "create",
                        "clusterrolebinding",
                        "cluster-reconciler-flux-system",
                        "--clusterrole=cluster-admin",
                        "--serviceaccount=flux-system:kustomize-controller")
                .ok();
    }

    /** Applies the seed's manifests as a user would: the namespaces first, then the directory. */
    public void applySeed() {
        Path examples = options.repo().resolve("manifests/examples/podinfo");
        kubectl.run("apply", "-f", examples.resolve("namespace.yaml").toString())
                .ok();
        kubectl.run("apply", "-f", examples.toString()).ok();
    }

    public Kubectl kubectl() {
        return kubectl;
    }

    public KubernetesClient admin() {
        return admin;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** The first analyzer started. */
    public Optional<SluiceProcess> analyzer() {
        return analyzers.stream().findFirst().map(Analyzer::process);
    }

    /** Every analyzer started, in order, stopped ones included. */
    public List<Analyzer> analyzers() {
        return List.copyOf(analyzers);
    }

    public Optional<SluiceProcess> admission() {
        return Optional.ofNullable(admission);
    }

    /** The Canary as JSON, or null. */
    public JsonObject canary(String namespace, String name) {
        GenericKubernetesResource r = admin.genericKubernetesResources("flagger.app/v1beta1", "Canary")
                .inNamespace(namespace)
                .withName(name)
                .get();
        return r == null ? null : new JsonObject(JSON.asJson(r));
    }

    /**
     * Checks that an analyzer is still running (with several, that one is), so a wait fails at once with the log
     * when they all died.
     */
    public void checkAlive() {
        if (!analyzers.isEmpty()
                && analyzers.stream().noneMatch(a -> a.process().alive())) {
            SluiceProcess last = analyzers.get(analyzers.size() - 1).process();
            throw new IllegalStateException("the analyzer exited:\n" + last.tail(40));
        }
    }

    public static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        Object lock = new Object();
        while (Instant.now().isBefore(deadline)) {
            T value = probe.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            synchronized (lock) {
                try {
                    lock.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + what, e);
                }
            }
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the Sluice service logs somewhere that outlives the sandbox directory (tests keep them). */
    public void keepLogs(Path target) {
        try {
            Files.createDirectories(target);
            List<SluiceProcess> processes = new ArrayList<>();
            processes.add(admission);
            analyzers.forEach(a -> processes.add(a.process()));
            processes.add(baseline);
            for (SluiceProcess p : processes) {
                if (p != null && Files.exists(p.log())) {
                    Files.copy(
                            p.log(),
                            target.resolve(p.name() + ".log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (baseline != null) {
            baseline.close();
        }
        analyzers.forEach(a -> a.process().close());
        if (admission != null) {
            admission.close();
        }
        admin.close();
        sandbox.close();
    }
}
