package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The chart lints, renders for the defaults and for each value set, and sets what each value says. */
class ChartRenderTest {
    private static final String ANALYZER = "sluice-analyzer";
    private static final String ADMISSION = "sluice-admission";

    /** helm lint takes no --set here: each value set is linted as the values.yaml of a copy of the chart. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void lintsWithoutErrorsOrWarnings(String name, Map<String, Object> values, @TempDir Path copy) throws IOException {
        Path chart = Rendered.chartWithValues(values, copy);

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed())
                .as("helm lint --strict with %s: %s", name, lint.getMessages())
                .isFalse();
        // Only advice (the chart has no icon); helm lint logs a template's fail() and passes, so the refusals are
        // tested on helm template below.
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
    }

    static Stream<Arguments> valueSets() {
        return Stream.of(
                Arguments.of("the defaults", Map.of()),
                Arguments.of("cert-manager", Map.of("certManager.enabled", true)),
                Arguments.of(
                        "cert-manager with an issuer",
                        Map.of("certManager.enabled", true, "certManager.issuerRef.name", "corp-ca")),
                Arguments.of("a watched namespace", Map.of("watchNamespaces", List.of("apps"))),
                Arguments.of(
                        "monitors and dashboard",
                        Map.of(
                                "serviceMonitor.enabled",
                                true,
                                "podMonitor.enabled",
                                true,
                                "grafanaDashboard.enabled",
                                true)),
                Arguments.of(
                        "notifiers",
                        Map.of("slack.url", "https://hooks.example/x", "msteams.url", "https://teams.example/y")),
                Arguments.of("no leader election", Map.of("leaderElection.enabled", false)),
                Arguments.of("no admission service", Map.of("admission.enabled", false)));
    }

    /** helm package: the archive a release publishes holds the CRDs, the dashboard and the README. */
    @Test
    void packagesWithItsCrdsDashboardAndReadme(@TempDir Path dir) throws Exception {
        new Helm(Rendered.CHART).packageIt().withDestination(dir).call();
        Path archive = dir.resolve("sluice-" + System.getProperty("sluice.version") + ".tgz");
        Tar.extract(archive, dir.resolve("x"), true);

        Path packaged = dir.resolve("x/sluice");
        for (String file : List.of(
                "Chart.yaml",
                "values.yaml",
                "README.md",
                "dashboards/sluice.json",
                "crds/canaries.flagger.app.yaml",
                "templates/admission-webhooks.yaml")) {
            assertThat(packaged.resolve(file)).as(file).exists();
        }
    }

    @Test
    void chartVersionAndAppVersionAreTheBuildVersion() throws IOException {
        String version = System.getProperty("sluice.version");
        JsonNode chart = Rendered.yamlFile(Rendered.CHART.resolve("Chart.yaml"));

        assertThat(version).isNotBlank();
        assertThat(chart.path("version").asString()).isEqualTo(version);
        assertThat(chart.path("appVersion").asString()).isEqualTo(version);
    }

    @Test
    void crdsAreTheManifestsCrdsByteForByte() throws IOException {
        Path chartCrds = Rendered.CHART.resolve("crds");
        Path manifestCrds = Rendered.MANIFESTS.resolve("crds");

        assertThat(names(chartCrds)).isEqualTo(names(manifestCrds));
        for (String name : names(manifestCrds)) {
            assertThat(Files.mismatch(chartCrds.resolve(name), manifestCrds.resolve(name)))
                    .as("charts/sluice/crds/%s differs from manifests/crds/%s: run 'make chart-crds'", name, name)
                    .isEqualTo(-1L);
        }
    }

    @Test
    void defaultsInstallBothServicesWithTheImagesOfThisBuild() {
        Rendered r = Rendered.chart("sluice-system");
        String version = System.getProperty("sluice.version");

        assertThat(Rendered.container(r.get("Deployment", ANALYZER))
                        .path("image")
                        .asString())
                .isEqualTo("ghcr.io/sluice/analyzer:" + version);
        assertThat(Rendered.container(r.get("Deployment", ADMISSION))
                        .path("image")
                        .asString())
                .isEqualTo("ghcr.io/sluice/admission:" + version);
        assertThat(r.find("Secret", "sluice-notifiers")).isEmpty();
        assertThat(r.find("ServiceMonitor", "sluice")).isEmpty();
        assertThat(r.find("ConfigMap", "sluice-dashboard")).isEmpty();
    }

    @Test
    void anotherNamespaceLeavesNoTraceOfTheDefaultOne() {
        Rendered r = Rendered.chart("delivery");

        assertThat(r.all()).allSatisfy(o -> assertThat(o.toString()).doesNotContain("sluice-system"));
        r.all().stream()
                .filter(o -> o.path("metadata").has("namespace"))
                .forEach(o -> assertThat(o.path("metadata").path("namespace").asString())
                        .as("%s", o.path("metadata").path("name"))
                        .isEqualTo("delivery"));
        assertThat(Rendered.args(r.get("Deployment", ADMISSION)))
                .contains("--analyzer-identity=system:serviceaccount:delivery:sluice-analyzer");
        JsonNode mutating = r.get("MutatingWebhookConfiguration", ADMISSION)
                .path("webhooks")
                .get(0);
        assertThat(mutating.path("clientConfig")
                        .path("service")
                        .path("namespace")
                        .asString())
                .isEqualTo("delivery");
        assertThat(excludedNamespaces(mutating)).containsExactly("kube-system", "delivery");
        Stream.of("ClusterRoleBinding", "RoleBinding")
                .flatMap(r::ofKind)
                .forEach(b -> assertThat(
                                b.path("subjects").get(0).path("namespace").asString())
                        .isEqualTo("delivery"));
    }

    /** The analyzer watches every Namespace for its cap of the concurrency budget, with one watched namespace too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("watched")
    void analyzerWatchesNamespaces(String name, Map<String, Object> values) {
        Rendered r = Rendered.chart("delivery", values);

        List<String> verbs = new ArrayList<>();
        for (JsonNode rule : r.get("ClusterRole", ANALYZER).path("rules")) {
            if (rule.path("apiGroups").toString().equals("[\"\"]")
                    && rule.path("resources").toString().equals("[\"namespaces\"]")) {
                rule.path("verbs").forEach(v -> verbs.add(v.asString()));
            }
        }
        assertThat(verbs)
                .as("an informer lists and watches; nothing gets one by name")
                .containsExactly("list", "watch");
    }

    /** KEDA ScaledObjects are read by name, never watched: a cluster without KEDA needs no CRD for the analyzer. */
    @Test
    void analyzerReadsScaledObjectsByNameAndWritesWhatItUses() {
        Rendered r = Rendered.chart("delivery", Map.of());

        List<String> verbs = new ArrayList<>();
        for (JsonNode rule : r.get("ClusterRole", ANALYZER).path("rules")) {
            if (rule.path("apiGroups").toString().equals("[\"keda.sh\"]")
                    && rule.path("resources").toString().equals("[\"scaledobjects\"]")) {
                rule.path("verbs").forEach(v -> verbs.add(v.asString()));
            }
        }
        assertThat(verbs).containsExactly("get", "create", "update", "patch");
    }

    static Stream<Arguments> watched() {
        return Stream.of(
                Arguments.of("all namespaces", Map.of()),
                Arguments.of("a watched namespace", Map.of("watchNamespaces[0]", "apps")));
    }

    @Test
    void certManagerServesItsCertificateAndInjectsTheCa() {
        Rendered r = Rendered.chart("delivery", Map.of("certManager.enabled", true));

        JsonNode cert = r.get("Certificate", "sluice-admission-tls");
        assertThat(cert.path("spec").path("dnsNames").toString())
                .isEqualTo("[\"sluice-admission\",\"sluice-admission.delivery\",\"sluice-admission.delivery.svc\"]");
        assertThat(cert.path("spec").path("issuerRef").path("name").asString())
                .isEqualTo("sluice-admission-selfsigned");
        assertThat(r.get("Issuer", "sluice-admission-selfsigned").path("spec").has("selfSigned"))
                .isTrue();
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            assertThat(r.get(kind, ADMISSION)
                            .path("metadata")
                            .path("annotations")
                            .path("cert-manager.io/inject-ca-from")
                            .asString())
                    .isEqualTo("delivery/sluice-admission-tls");
        }
        JsonNode admission = r.get("Deployment", ADMISSION);
        assertThat(Rendered.args(admission))
                .contains("--tls-cert-file=/etc/sluice/tls/tls.crt", "--tls-key-file=/etc/sluice/tls/tls.key")
                .noneMatch(a -> a.startsWith("--ca-secret") || a.contains("webhook-configuration"));
        assertThat(admission
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("volumes")
                        .toString())
                .contains("\"secretName\":\"sluice-admission-tls\"");
        // Without its own CA the service needs neither the CA Secret nor write access to the webhooks.
        assertThat(r.find("Role", "sluice-admission-ca")).isEmpty();
        assertThat(r.get("ClusterRole", ADMISSION).toString()).doesNotContain("admissionregistration");
    }

    @Test
    void certManagerWithAGivenIssuerCreatesNone() {
        Rendered r = Rendered.chart(
                "delivery",
                Map.of(
                        "certManager.enabled",
                        true,
                        "certManager.issuerRef.name",
                        "corp-ca",
                        "certManager.issuerRef.kind",
                        "ClusterIssuer"));

        JsonNode issuerRef =
                r.get("Certificate", "sluice-admission-tls").path("spec").path("issuerRef");
        assertThat(issuerRef.path("name").asString()).isEqualTo("corp-ca");
        assertThat(issuerRef.path("kind").asString()).isEqualTo("ClusterIssuer");
        assertThat(r.ofKind("Issuer")).isEmpty();
    }

    @Test
    void oneWatchedNamespaceLimitsTheAnalyzerAndBothWebhooks() {
        Rendered r = Rendered.chart("sluice-system", Map.of("watchNamespaces[0]", "apps"));

        assertThat(Rendered.args(r.get("Deployment", ANALYZER))).contains("--namespace=apps");
        for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
            JsonNode selector = r.get(kind, ADMISSION).path("webhooks").get(0).path("namespaceSelector");
            assertThat(selector.path("matchExpressions").toString())
                    .contains("{\"key\":\"kubernetes.io/metadata.name\",\"operator\":\"In\",\"values\":[\"apps\"]}");
        }
    }

    @Test
    void twoWatchedNamespacesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Rendered.chart(
                        "sluice-system", Map.of("watchNamespaces[0]", "apps", "watchNamespaces[1]", "web")))
                .hasMessageContaining("watchNamespaces: the analyzer watches one namespace or all of them, got 2");
    }

    @Test
    void anUnknownNoDataPolicyIsRefused() {
        assertThatThrownBy(() -> Rendered.chart("sluice-system", Map.of("noDataPolicy", "retry")))
                .hasMessageContaining("noDataPolicy must be fail or hold, got \"retry\"");
    }

    @Test
    void extraNamespaceSelectorConditionsAddToTheBuiltInExclusions() {
        Rendered r = Rendered.chart(
                "sluice-system",
                Map.of("admission.webhooks.namespaceSelector.matchLabels.sluice\\.io/enabled", "true"));

        JsonNode selector = r.get("MutatingWebhookConfiguration", ADMISSION)
                .path("webhooks")
                .get(0)
                .path("namespaceSelector");
        assertThat(selector.path("matchLabels").toString()).isEqualTo("{\"sluice.io/enabled\":\"true\"}");
        assertThat(excludedNamespaces(r.get("MutatingWebhookConfiguration", ADMISSION)
                        .path("webhooks")
                        .get(0)))
                .containsExactly("kube-system", "sluice-system");
    }

    @Test
    void flaggerValuesSetTheAnalyzersFlags() {
        Rendered r = Rendered.chart(
                "sluice-system",
                Map.of(
                        "clusterName", "eu-1",
                        "metricsServer", "http://prom.monitoring:9090",
                        "noDataPolicy", "hold",
                        "noDataDeadline", "10m",
                        "includeLabelPrefix", "team.io",
                        "selectorLabels", "app",
                        "logLevel", "debug",
                        "slack.proxy", "http://proxy:3128",
                        "configTracking.enabled", false));

        JsonNode analyzer = r.get("Deployment", ANALYZER);
        assertThat(Rendered.args(analyzer))
                .contains(
                        "--cluster-name=eu-1",
                        "--metrics-server=http://prom.monitoring:9090",
                        "--no-data-policy=hold",
                        "--no-data-deadline=10m",
                        "--include-label-prefix=team.io",
                        "--selector-labels=app",
                        "--slack-proxy-url=http://proxy:3128",
                        "--no-enable-config-tracking");
        for (String name : List.of(ANALYZER, ADMISSION)) {
            assertThat(Rendered.env(r.get("Deployment", name), "SLUICE_LOG_LEVEL")
                            .path("value")
                            .asString())
                    .isEqualTo("DEBUG");
        }
    }

    @Test
    void noCrossNamespaceRefsSetsTheFlagOfBothServicesOnlyWhenTrue() {
        for (String service : List.of(ADMISSION, ANALYZER)) {
            assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of("noCrossNamespaceRefs", true))
                            .get("Deployment", service)))
                    .as(service)
                    .contains("--no-cross-namespace-refs");
            assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of()).get("Deployment", service)))
                    .as(service)
                    .noneMatch(a -> a.startsWith("--no-cross-namespace-refs"));
        }
    }

    @Test
    void maxProgressingCanariesSetsTheAnalyzerFlagOnlyWhenPositive() {
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of("maxProgressingCanaries", 5))
                        .get("Deployment", ANALYZER)))
                .contains("--max-progressing-canaries=5");
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of()).get("Deployment", ANALYZER)))
                .noneMatch(a -> a.startsWith("--max-progressing-canaries"));
    }

    @Test
    void maxConcurrentReconcilesIsPassedOnlyWhenSet() {
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of("maxConcurrentReconciles", 4096))
                        .get("Deployment", ANALYZER)))
                .contains("--max-concurrent-reconciles=4096");
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of()).get("Deployment", ANALYZER)))
                .noneMatch(a -> a.startsWith("--max-concurrent-reconciles"));
    }

    @Test
    void maxTicksPerSecondIsPassedWhenSetZeroIncluded() {
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of("maxTicksPerSecond", 0))
                        .get("Deployment", ANALYZER)))
                .contains("--max-ticks-per-second=0");
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of("maxTicksPerSecond", 400))
                        .get("Deployment", ANALYZER)))
                .contains("--max-ticks-per-second=400");
        assertThat(Rendered.args(Rendered.chart("sluice-system", Map.of()).get("Deployment", ANALYZER)))
                .noneMatch(a -> a.startsWith("--max-ticks-per-second"));
    }

    /** Flagger's chart leaves slack.channel empty: an empty value keeps the service's default, not an empty flag. */
    @Test
    void emptyValuesLeaveTheServicesDefaults() {
        Rendered r =
                Rendered.chart("sluice-system", Map.of("slack.channel", "", "slack.user", "", "selectorLabels", ""));

        assertThat(Rendered.args(r.get("Deployment", ANALYZER)))
                .noneMatch(a -> a.startsWith("--slack-channel")
                        || a.startsWith("--slack-user")
                        || a.startsWith("--selector-labels"));
    }

    @Test
    void flaggersWarningLevelIsLogbacksWarn() {
        Rendered r = Rendered.chart("sluice-system", Map.of("logLevel", "warning"));

        assertThat(Rendered.env(r.get("Deployment", ANALYZER), "SLUICE_LOG_LEVEL")
                        .path("value")
                        .asString())
                .isEqualTo("WARN");
    }

    @Test
    void anUnknownLogLevelIsRefused() {
        assertThatThrownBy(() -> Rendered.chart("sluice-system", Map.of("logLevel", "verbose")))
                .hasMessageContaining(
                        "logLevel must be trace, debug, info, warn (or Flagger's warning) or error, got \"verbose\"");
    }

    @Test
    void withoutLeaderElectionExactlyOneAnalyzerRuns() {
        Rendered r = Rendered.chart(
                "sluice-system", Map.of("leaderElection.enabled", false, "leaderElection.replicaCount", 3));

        JsonNode analyzer = r.get("Deployment", ANALYZER);
        assertThat(analyzer.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(analyzer.path("spec").path("strategy").path("type").asString())
                .isEqualTo("Recreate");
        assertThat(Rendered.args(analyzer)).contains("--no-leader-election");
        assertThat(r.find("Role", "sluice-analyzer-leader-election")).isEmpty();
    }

    @Test
    void oneShardRendersNoShardFlags() {
        List<String> args =
                Rendered.args(Rendered.chart("sluice-system", Map.of()).get("Deployment", ANALYZER));

        assertThat(args).contains("--leader-election-name=sluice-analyzer-leader");
        assertThat(args).noneMatch(a -> a.startsWith("--shards") || a.startsWith("--replicas"));
    }

    @Test
    void shardsAndTheReplicaCountReachTheAnalyzer() {
        Rendered r =
                Rendered.chart("sluice-system", Map.of("leaderElection.shards", 6, "leaderElection.replicaCount", 3));

        JsonNode analyzer = r.get("Deployment", ANALYZER);
        assertThat(analyzer.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(Rendered.args(analyzer))
                .contains("--leader-election-name=sluice-analyzer-leader", "--shards=6", "--replicas=3");
    }

    @Test
    void shardsNeedLeaderElection() {
        assertThatThrownBy(() -> Rendered.chart(
                        "sluice-system", Map.of("leaderElection.shards", 3, "leaderElection.enabled", false)))
                .hasMessageContaining("leaderElection.shards above 1 needs leaderElection.enabled");
        assertThatThrownBy(() -> Rendered.chart("sluice-system", Map.of("leaderElection.shards", 0)))
                .hasMessageContaining("leaderElection.shards must be 1 or more, got 0");
    }

    @Test
    void notifierUrlsGoThroughASecretNeverThePodSpec() {
        Rendered r = Rendered.chart(
                "sluice-system",
                Map.of("slack.url", "https://hooks.example/T0/B0/x", "eventWebhook", "https://events.example/?t=1"));

        JsonNode secret = r.get("Secret", "sluice-notifiers");
        assertThat(secret.path("stringData").path("slack-url").asString()).isEqualTo("https://hooks.example/T0/B0/x");
        assertThat(secret.path("stringData").path("event-webhook-url").asString())
                .isEqualTo("https://events.example/?t=1");
        JsonNode analyzer = r.get("Deployment", ANALYZER);
        assertThat(analyzer.toString()).doesNotContain("hooks.example", "events.example");
        JsonNode ref = Rendered.env(analyzer, "SLACK_URL").path("valueFrom").path("secretKeyRef");
        assertThat(ref.path("name").asString()).isEqualTo("sluice-notifiers");
        assertThat(ref.path("key").asString()).isEqualTo("slack-url");
    }

    @Test
    void anExistingSecretIsReadAndNoneCreated() {
        Rendered r = Rendered.chart("sluice-system", Map.of("existingSecret", "team-hooks", "slack.url", "ignored"));

        assertThat(r.ofKind("Secret")).isEmpty();
        assertThat(Rendered.env(r.get("Deployment", ANALYZER), "MSTEAMS_URL")
                        .path("valueFrom")
                        .path("secretKeyRef")
                        .path("name")
                        .asString())
                .isEqualTo("team-hooks");
    }

    @Test
    void serviceMonitorScrapesBothServicesThroughServicesThatExist() {
        Rendered r = Rendered.chart(
                "delivery", Map.of("serviceMonitor.enabled", true, "serviceMonitor.additionalLabels.release", "kps"));

        JsonNode monitor = r.get("ServiceMonitor", "sluice");
        assertThat(monitor.path("metadata").path("labels").path("release").asString())
                .isEqualTo("kps");
        assertThat(monitor.path("spec").path("namespaceSelector").toString())
                .isEqualTo("{\"matchNames\":[\"delivery\"]}");
        // Each endpoint's port is a named port of a Service the selector picks.
        JsonNode metrics = r.get("Service", "sluice-analyzer-metrics");
        JsonNode webhook = r.get("Service", ADMISSION);
        assertThat(metrics.path("spec").path("ports").get(0).path("name").asString())
                .isEqualTo("http");
        assertThat(webhook.path("spec").path("ports").get(0).path("name").asString())
                .isEqualTo("https");
        assertThat(monitor.path("spec").path("selector").toString())
                .contains(metrics.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/name")
                        .asString())
                .contains(webhook.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/name")
                        .asString());
        assertThat(metrics.path("spec").path("selector"))
                .isEqualTo(r.get("Deployment", ANALYZER)
                        .path("spec")
                        .path("selector")
                        .path("matchLabels"));
    }

    @Test
    void podMonitorScrapesBothPodsPorts() {
        Rendered r = Rendered.chart("sluice-system", Map.of("podMonitor.enabled", true));

        JsonNode endpoints = r.get("PodMonitor", "sluice").path("spec").path("podMetricsEndpoints");
        assertThat(endpoints.get(0).path("port").asString()).isEqualTo("http");
        assertThat(endpoints.get(1).path("port").asString()).isEqualTo("https");
        assertThat(endpoints.get(1).path("scheme").asString()).isEqualTo("https");
    }

    @Test
    void dashboardConfigMapHoldsTheDashboardFile() throws IOException {
        Rendered r = Rendered.chart("sluice-system", Map.of("grafanaDashboard.enabled", true));

        JsonNode map = r.get("ConfigMap", "sluice-dashboard");
        assertThat(map.path("metadata").path("labels").path("grafana_dashboard").asString())
                .isEqualTo("1");
        assertThat(map.path("data").path("sluice.json").asString())
                .isEqualTo(Files.readString(Rendered.CHART.resolve("dashboards/sluice.json"))
                        .strip());
    }

    @Test
    void readmeListsEveryValue() throws IOException {
        String readme = Files.readString(Rendered.CHART.resolve("README.md"));
        List<String> paths = new ArrayList<>();
        valuePaths("", Rendered.yamlFile(Rendered.CHART.resolve("values.yaml")), paths);

        assertThat(paths)
                .hasSizeGreaterThan(50)
                .allSatisfy(p -> assertThat(readme)
                        .as("charts/sluice/README.md lists %s", p)
                        .contains("`" + p + "`"));
    }

    /** Each value, group or leaf, has a comment on the line above (free-form content excepted). */
    @Test
    void everyValueIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(Rendered.CHART.resolve("values.yaml"));
        Pattern key = Pattern.compile("^( *)([A-Za-z][\\w.\\-/]*):.*$");
        java.util.Deque<Map.Entry<Integer, String>> parents = new java.util.ArrayDeque<>();
        List<String> uncommented = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            Matcher m = key.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            while (!parents.isEmpty() && parents.peek().getKey() >= indent) {
                parents.pop();
            }
            boolean freeForm = parents.stream().anyMatch(p -> FREE_FORM.contains(p.getValue()));
            parents.push(Map.entry(indent, m.group(2)));
            if (!freeForm && !lines.get(i - 1).strip().startsWith("#")) {
                uncommented.add((i + 1) + ": " + lines.get(i).strip());
            }
        }

        assertThat(uncommented).as("values.yaml lines without a comment above").isEmpty();
    }

    /** Values whose content is free-form Kubernetes (resources, annotations, selectors) count as one value. */
    private static final Set<String> FREE_FORM =
            Set.of("resources", "podAnnotations", "nodeSelector", "affinity", "namespaceSelector", "additionalLabels");

    private static void valuePaths(String prefix, JsonNode node, List<String> into) {
        for (String key : node.propertyNames()) {
            JsonNode child = node.path(key);
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (child.isObject() && !child.isEmpty() && !FREE_FORM.contains(key)) {
                valuePaths(path, child, into);
            } else {
                into.add(path);
            }
        }
    }

    /** Every flag the chart passes is one the service's Main declares, so a renamed flag fails here, not at start. */
    @Test
    void everyFlagTheChartPassesExists() throws IOException {
        Rendered r = Rendered.chart(
                "sluice-system",
                Map.of(
                        "clusterName", "eu-1",
                        "watchNamespaces[0]", "apps",
                        "noDataDeadline", "10m",
                        "includeLabelPrefix", "x",
                        "slack.proxy", "http://p",
                        "msteams.proxy", "http://p",
                        "configTracking.enabled", false,
                        "noCrossNamespaceRefs", true,
                        "maxProgressingCanaries", 3));
        Rendered withoutElection = Rendered.chart("sluice-system", Map.of("leaderElection.enabled", false));
        Rendered sharded = Rendered.chart("sluice-system", Map.of("leaderElection.shards", 3));
        Rendered certManager = Rendered.chart("sluice-system", Map.of("certManager.enabled", true));

        assertFlagsDeclared(r.get("Deployment", ANALYZER), "analyzer/src/main/java/io/sluice/analyzer/Main.java");
        assertFlagsDeclared(
                withoutElection.get("Deployment", ANALYZER), "analyzer/src/main/java/io/sluice/analyzer/Main.java");
        assertFlagsDeclared(sharded.get("Deployment", ANALYZER), "analyzer/src/main/java/io/sluice/analyzer/Main.java");
        assertFlagsDeclared(r.get("Deployment", ADMISSION), "admission/src/main/java/io/sluice/admission/Main.java");
        assertFlagsDeclared(
                certManager.get("Deployment", ADMISSION), "admission/src/main/java/io/sluice/admission/Main.java");
    }

    private static final String LOG_OPTIONS = "shared-model/src/main/java/io/sluice/logging/LogOptions.java";

    private static void assertFlagsDeclared(JsonNode deployment, String main) throws IOException {
        // The service's own flags and the logging flags both services mix in.
        String source = Files.readString(Rendered.MANIFESTS.resolveSibling(main))
                + Files.readString(Rendered.MANIFESTS.resolveSibling(LOG_OPTIONS));
        List<String> declared = new ArrayList<>();
        Matcher m = Pattern.compile("names = \"(--[a-z-]+)\"((?:.|\\n){0,80}?negatable = true)?")
                .matcher(source);
        while (m.find()) {
            declared.add(m.group(1));
            if (m.group(2) != null) {
                declared.add("--no-" + m.group(1).substring(2));
            }
        }
        for (String arg : Rendered.args(deployment)) {
            assertThat(declared).as("%s declares %s", main, arg).contains(arg.split("=", 2)[0]);
        }
    }

    private static List<String> excludedNamespaces(JsonNode webhook) {
        List<String> names = new ArrayList<>();
        for (JsonNode e : webhook.path("namespaceSelector").path("matchExpressions")) {
            if ("NotIn".equals(e.path("operator").asString())) {
                e.path("values").forEach(v -> names.add(v.asString()));
            }
        }
        return names;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
