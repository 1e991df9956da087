package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.MetricPart;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusMetricGateTest {
    private static final String SEED_NO_VALUES =
            "Halt advancement no values found for istio metric request-success-rate "
                    + "probably podinfo.test is not receiving traffic: running query failed: no values found";

    private static Vertx vertx;
    private static WebClient client;
    private static WebClient insecure;
    private LocalHttpServer prometheus;
    private PrometheusMeterRegistry registry;
    private AnalyzerMetrics metrics;
    private StaticObjectLookup lookup;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        insecure =
                WebClient.create(vertx, new WebClientOptions().setTrustAll(true).setVerifyHost(false));
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    @BeforeEach
    void setUp() {
        prometheus = new LocalHttpServer(vertx);
        registry = Registries.fresh();
        metrics = new AnalyzerMetrics(registry, "test", "gloo-mesh");
        lookup = new StaticObjectLookup();
    }

    @AfterEach
    void tearDown() {
        prometheus.close();
    }

    private PrometheusMetricGate gate(GatesConfig.Builder config) {
        return new PrometheusMetricGate(
                new PrometheusClient(client, insecure),
                lookup,
                config.metricsServer(prometheus.url()).build(),
                metrics);
    }

    private PrometheusMetricGate gate() {
        return gate(GatesConfig.builder());
    }

    private double checks(String verdict) {
        return Scrapes.value(
                metrics.scrape(), "sluice_metric_checks_total{provider=\"prometheus\",verdict=\"" + verdict + "\"}");
    }

    @Test
    void sendsTheIstioSuccessRateQueryRenderedAndCollapsed() {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("100")));
        Canary canary = Fixtures.podinfo();
        await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(prometheus.last().path()).isEqualTo("/api/v1/query");
        assertThat(prometheus.last().param("query"))
                .isEqualTo(" sum( rate( istio_requests_total{ reporter=\"destination\", "
                        + "destination_workload_namespace=\"test\", destination_workload=~\"podinfo\", response_code!~\"5.*\" }[1m] ) )"
                        + " / sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"test\", "
                        + "destination_workload=~\"podinfo\" }[1m] ) ) * 100");
    }

    @Test
    void sendsTheIstioDurationQueryRenderedAndCollapsed() {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("12")));
        Canary canary = Fixtures.podinfo();
        await(gate().check(canary, canary.getSpec().analysis.metrics.get(1)));
        assertThat(prometheus.last().param("query"))
                .isEqualTo(" histogram_quantile( 0.99, sum( rate( "
                        + "istio_request_duration_milliseconds_bucket{ reporter=\"destination\", destination_workload_namespace=\"test\","
                        + " destination_workload=~\"podinfo\" }[30s] ) ) by (le) )");
    }

    @Test
    void filtersOnTheClusterWhenOneIsConfiguredAndTheCanaryAnnotationWins() {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("100")));
        Canary canary = Fixtures.podinfo();
        PrometheusMetricGate gate = gate(GatesConfig.builder().clusterName("cluster1"));
        await(gate.check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(prometheus.last().param("query"))
                .contains(
                        "destination_workload=~\"podinfo\", destination_cluster=\"cluster1\", response_code!~\"5.*\" }[1m]")
                .contains("destination_workload=~\"podinfo\", destination_cluster=\"cluster1\" }[1m]");

        canary.getMetadata().setAnnotations(Map.of(PrometheusMetricGate.CLUSTER_NAME_ANNOTATION, "cluster2"));
        await(gate.check(canary, canary.getSpec().analysis.metrics.get(1)));
        assertThat(prometheus.last().param("query")).contains("destination_cluster=\"cluster2\" }[30s]");
    }

    @Test
    void usesTheCanarysMetricsServerOverTheGlobalOne() {
        Canary canary = Fixtures.podinfo();
        try (LocalHttpServer other = new LocalHttpServer(vertx)) {
            other.reply(r -> Reply.ok(PrometheusAnswers.vector("100")));
            canary.getSpec().metricsServer = other.url() + "/prefix/";
            MetricOutcome outcome =
                    await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
            assertThat(outcome.verdict()).isEqualTo(Verdict.PASS);
            assertThat(other.last().path()).isEqualTo("/prefix/api/v1/query");
            assertThat(prometheus.requests()).isEmpty();
        }
    }

    static Stream<Arguments> successRateAnswers() {
        return Stream.of(
                Arguments.of(
                        "a rate above the minimum passes",
                        200,
                        PrometheusAnswers.vector("99.5"),
                        Verdict.PASS,
                        null,
                        "pass"),
                Arguments.of(
                        "a rate equal to the minimum passes because bounds are inclusive",
                        200,
                        PrometheusAnswers.vector("99"),
                        Verdict.PASS,
                        null,
                        "pass"),
                Arguments.of(
                        "the seed's 89.02% fails with Flagger's event text",
                        200,
                        PrometheusAnswers.vector("89.0243"),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement success rate 89.02% < 99%",
                        "fail"),
                Arguments.of(
                        "the last of several series wins",
                        200,
                        PrometheusAnswers.vector("100", "93.4321"),
                        Verdict.FAIL,
                        "Halt podinfo.test advancement success rate 93.43% < 99%",
                        "fail"),
                Arguments.of(
                        "an empty vector is no data with the seed's text",
                        200,
                        PrometheusAnswers.vector(),
                        Verdict.NO_DATA,
                        SEED_NO_VALUES,
                        "no_data"),
                Arguments.of(
                        "NaN from 0/0 without traffic is no data",
                        200,
                        PrometheusAnswers.vector("NaN"),
                        Verdict.NO_DATA,
                        SEED_NO_VALUES,
                        "no_data"),
                Arguments.of(
                        "a matrix answer is a provider error",
                        200,
                        PrometheusAnswers.matrix(),
                        Verdict.ERROR,
                        "Prometheus query failed: running query failed: query returned multiple values",
                        "error"),
                Arguments.of(
                        "an HTTP 500 is a provider error carrying status and body",
                        500,
                        "boom",
                        Verdict.ERROR,
                        "Prometheus query failed: running query failed: error response: Status 500 Internal Server Error: boom",
                        "error"),
                Arguments.of(
                        "an HTTP 400 for bad PromQL is a provider error carrying Prometheus's reason",
                        400,
                        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}",
                        Verdict.ERROR,
                        "Prometheus query failed: running query failed: error response: Status 400 Bad Request: "
                                + "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}",
                        "error"),
                Arguments.of(
                        "a body that is not JSON is a provider error quoting it",
                        200,
                        "<html>proxy login</html>",
                        Verdict.ERROR,
                        null,
                        "error"),
                Arguments.of(
                        "a sample that is not a number is a provider error",
                        200,
                        PrometheusAnswers.vector("abc"),
                        Verdict.ERROR,
                        "Prometheus query failed: running query failed: error unmarshaling result: "
                                + "sample value \"abc\" is not a number",
                        "error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("successRateAnswers")
    void judgesTheSuccessRate(String name, int status, String body, Verdict verdict, String message, String counter) {
        prometheus.reply(r -> new Reply(status, body));
        Canary canary = Fixtures.podinfo();
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.metric()).isEqualTo("request-success-rate");
        if (message != null) {
            assertThat(outcome.message()).isEqualTo(message);
        } else if (verdict == Verdict.ERROR) {
            assertThat(outcome.message())
                    .startsWith("Prometheus query failed: running query failed: error unmarshaling result:")
                    .contains("'<html>proxy login</html>'");
        } else {
            assertThat(outcome.message()).isNull();
        }
        assertThat(checks(counter)).isEqualTo(1.0);
    }

    static Stream<Arguments> durationAnswers() {
        return Stream.of(
                Arguments.of("a p99 under the maximum passes", "120.7", 500.0, Verdict.PASS, null),
                Arguments.of("a p99 equal to the maximum passes", "500.9", 500.0, Verdict.PASS, null),
                Arguments.of(
                        "the p99 is truncated to milliseconds and printed as a Go duration",
                        "1515.9",
                        500.0,
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 1.515s > 500ms"),
                Arguments.of(
                        "a p99 just over the bound fails",
                        "501",
                        500.0,
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 501ms > 500ms"),
                Arguments.of(
                        "minutes are printed the Go way",
                        "90000",
                        60000.0,
                        Verdict.FAIL,
                        "Halt podinfo.test advancement request duration 1m30s > 1m0s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durationAnswers")
    void judgesTheRequestDuration(String name, String p99, double max, Verdict verdict, String message) {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector(p99)));
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Metric metric = Fixtures.metric("request-duration", "30s", null, max);
        MetricOutcome outcome = await(gate().check(canary, metric));
        assertThat(outcome.verdict()).isEqualTo(verdict);
        assertThat(outcome.message()).isEqualTo(message);
        // Flagger's dashboard reads the duration in seconds.
        assertThat(
                        Scrapes.value(
                                metrics.scrape(),
                                "flagger_canary_metric_analysis{metric=\"request-duration\",name=\"podinfo\",namespace=\"test\"}"))
                .isEqualTo(Math.floor(Double.parseDouble(p99)) / 1000.0);
    }

    @Test
    void aSuccessRateWithoutValueButWithRequestsIsZeroPercent() {
        // Every response a 5xx: the numerator has no series, yet the workload has traffic.
        prometheus.reply(r -> Reply.ok(
                r.param("query").contains("response_code")
                        ? PrometheusAnswers.vector()
                        : PrometheusAnswers.vector("4.2")));
        Canary canary = Fixtures.podinfo();
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement success rate 0.00% < 99%");
        assertThat(prometheus.last().param("query"))
                .isEqualTo(" sum( rate( istio_requests_total{ reporter=\"destination\", "
                        + "destination_workload_namespace=\"test\", destination_workload=~\"podinfo\" }[1m] ) )");
    }

    @Test
    void anAnswerLargerThanTheCapIsRefusedNotHeldInMemory() {
        String huge = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + " ".repeat(PrometheusClient.MAX_BODY) + "]}}";
        prometheus.reply(r -> Reply.ok(huge));
        Canary canary = Fixtures.podinfo();
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Prometheus query failed: running query failed: error unmarshaling "
                        + "result: the answer is larger than 16 MiB");
    }

    @Test
    void durationWithoutDataHasFlaggersTextWithoutTheErrorSuffix() {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector()));
        Canary canary = Fixtures.podinfo();
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(1)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(outcome.message())
                .isEqualTo("Halt advancement no values found for istio metric request-duration "
                        + "probably podinfo.test is not receiving traffic");
    }

    @Test
    void aPrometheusThatHangsPastTheTimeoutIsAnError() {
        Canary canary = Fixtures.podinfo();
        prometheus.reply(r -> Reply.HANG);
        PrometheusMetricGate gate = gate(GatesConfig.builder().queryTimeout(Duration.ofMillis(300)));
        MetricOutcome slow =
                await(gate.check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(slow.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(slow.message())
                .isEqualTo("Prometheus query failed: running query failed: request failed: GET " + prometheus.url()
                        + "/api/v1/query: no answer within 300ms");
        assertThat(checks("error")).isEqualTo(1.0);
    }

    @Test
    void aHangingPrometheusDoesNotDelayAnotherCanarysCheck() {
        Canary canary = Fixtures.podinfo();
        prometheus.reply(r -> Reply.HANG);
        try (LocalHttpServer healthy = new LocalHttpServer(vertx)) {
            healthy.reply(r -> Reply.ok(PrometheusAnswers.vector("100")));
            // A deadline far beyond the test's own, so the hanging check cannot have ended when the other one did.
            PrometheusMetricGate gate = gate(GatesConfig.builder().queryTimeout(Duration.ofMinutes(5)));
            io.vertx.core.Future<MetricOutcome> hanging =
                    gate.check(canary, canary.getSpec().analysis.metrics.get(0));
            Canary other = Fixtures.podinfo();
            other.getSpec().metricsServer = healthy.url();
            assertThat(await(gate.check(other, other.getSpec().analysis.metrics.get(0)))
                            .verdict())
                    .isEqualTo(Verdict.PASS);
            assertThat(hanging.isComplete()).isFalse();
            assertThat(prometheus.requests()).hasSize(1);
        }
    }

    @Test
    void anUnreachablePrometheusIsAnErrorNamingTheAddress() {
        Canary canary = Fixtures.podinfo();
        String url = prometheus.url();
        prometheus.close();
        MetricOutcome outcome = await(new PrometheusMetricGate(
                        new PrometheusClient(client, insecure),
                        lookup,
                        GatesConfig.builder().metricsServer(url).build(),
                        metrics)
                .check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .startsWith("Prometheus query failed: running query failed: request failed: GET " + url
                        + "/api/v1/query: ");
        prometheus = new LocalHttpServer(vertx);
    }

    @Test
    void userInfoInTheAddressBecomesBasicCredentialsAndStaysOutOfMessages() {
        prometheus.reply(r -> new Reply(500, "down"));
        Canary canary = Fixtures.podinfo();
        canary.getSpec().metricsServer = prometheus.url().replace("http://", "http://reader:s3cret@") + "/";
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(prometheus.last().header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("reader:s3cret".getBytes()));
        assertThat(prometheus.last().path()).isEqualTo("/api/v1/query");
        assertThat(outcome.message()).doesNotContain("s3cret");
    }

    @Test
    void aMetricsServerThatIsNotAnHttpUrlIsAnErrorThatSaysSo() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().metricsServer = "prometheus:9090";
        MetricOutcome outcome =
                await(gate().check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Prometheus query failed: running query failed: invalid Prometheus "
                        + "address \"prometheus:9090\": expected an absolute http or https URL");
    }

    @Test
    void tooLittleTrafficIsNoDataWhenTheGuardIsOn() {
        prometheus.reply(r -> Reply.ok(
                r.param("query").contains("increase(")
                        ? PrometheusAnswers.vector("3.6")
                        : PrometheusAnswers.vector("100")));
        Canary canary = Fixtures.podinfo();
        PrometheusMetricGate gate = gate(GatesConfig.builder().minRequests(Map.of("request-success-rate", 10L)));
        MetricOutcome outcome =
                await(gate.check(canary, canary.getSpec().analysis.metrics.get(0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.NO_DATA);
        assertThat(outcome.message())
                .isEqualTo("Halt advancement too little traffic for istio metric "
                        + "request-success-rate of podinfo.test: 3 requests in 1m, at least 10 needed");
        assertThat(prometheus.requests()).hasSize(1);

        canary.getMetadata()
                .setAnnotations(Map.of(PrometheusMetricGate.MIN_REQUESTS_ANNOTATION, "request-success-rate=2"));
        assertThat(await(gate.check(canary, canary.getSpec().analysis.metrics.get(0)))
                        .verdict())
                .isEqualTo(Verdict.PASS);
        assertThat(prometheus.last().param("query")).startsWith(" sum( rate(");
    }

    @Test
    void aTemplateIsRenderedAuthenticatedAndJudged() {
        lookup.putTemplate(template(
                "error-rate",
                "test",
                "prometheus",
                prometheus.url(),
                "creds",
                "sum(rate(http_requests_total{ namespace=\"{{ namespace }}\", app=\"{{ target }}\", "
                        + "svc=\"{{ service }}\", code=~\"{{ variables.codes }}\" }[{{ interval }}]))"));
        lookup.putSecret("test", "creds", Map.of("token", "s3cret\n"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("7.129")));
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Metric metric = Fixtures.metric("error-rate", "2m", null, 5.0);
        metric.templateRef = new CanaryAnalysis.TemplateReference("error-rate", null);
        metric.templateVariables = Map.of("codes", "5..");
        MetricOutcome outcome = await(gate().check(canary, metric));
        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement error-rate 7.13 > 5");
        assertThat(prometheus.last().param("query"))
                .isEqualTo("sum(rate(http_requests_total{ namespace=\"test\", "
                        + "app=\"podinfo\", svc=\"podinfo\", code=~\"5..\" }[2m]))");
        assertThat(prometheus.last().header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(prometheus.last().header("X-Scope-OrgID")).isEqualTo("team-a");
    }

    @Test
    void eachPartOfABuiltinWithATemplateQueriesOnlyItsOwnQuery() {
        lookup.putTemplate(template("up", "test", "prometheus", prometheus.url(), null, "vector(1)"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector(r.param("query").equals("vector(1)") ? "1" : "100")));
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Metric metric = canary.getSpec().analysis.metrics.get(0);
        metric.templateRef = new CanaryAnalysis.TemplateReference("up", "test");
        assertThat(MetricPart.of(metric)).containsExactly(MetricPart.DIRECT, MetricPart.TEMPLATE);

        assertThat(await(gate().check(canary, metric, MetricPart.DIRECT)).verdict())
                .isEqualTo(Verdict.PASS);
        assertThat(prometheus.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.param("query")).contains("rate("));
        assertThat(await(gate().check(canary, metric, MetricPart.TEMPLATE)).verdict())
                .isEqualTo(Verdict.FAIL);
        assertThat(prometheus.requests()).hasSize(2);
        assertThat(prometheus.last().param("query")).isEqualTo("vector(1)");
    }

    @Test
    void aCustomMetricWithNothingToRunIsATemplatePartError() {
        CanaryAnalysis.Metric metric = Fixtures.metric("errors", "1m", null, 1.0);
        assertThat(MetricPart.of(metric)).containsExactly(MetricPart.TEMPLATE);
        MetricOutcome outcome = await(gate().check(Fixtures.podinfo(), metric, MetricPart.TEMPLATE));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric query failed for no usable metrics template and query were configured");
        assertThat(await(gate().check(Fixtures.podinfo(), metric, MetricPart.DIRECT))
                        .verdict())
                .isEqualTo(Verdict.PASS);
        assertThat(prometheus.requests()).isEmpty();
    }

    @Test
    void aTemplatesCredentialsNeverGoToAnAddressTheCanaryChose() {
        // The template (and its Secret) live in "monitoring"; the Canary in "test" names its own metrics server.
        lookup.putTemplate(template("up", "monitoring", "prometheus", null, "creds", "vector(1)"));
        lookup.putSecret("monitoring", "creds", Map.of("token", "s3cret"));
        LocalHttpServer attacker = new LocalHttpServer(vertx);
        try {
            attacker.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
            prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
            Canary canary = Fixtures.podinfo();
            canary.getSpec().metricsServer = attacker.url();
            CanaryAnalysis.Metric metric = Fixtures.metric("up", "1m", null, 10.0);
            metric.templateRef = new CanaryAnalysis.TemplateReference("up", "monitoring");
            assertThat(await(gate().check(canary, metric, MetricPart.TEMPLATE)).verdict())
                    .isEqualTo(Verdict.PASS);
            assertThat(attacker.requests()).as("the canary's address").isEmpty();
            assertThat(prometheus.last().header("Authorization"))
                    .as("the analyzer's own --metrics-server, the provider default")
                    .isEqualTo("Bearer s3cret");
        } finally {
            attacker.close();
        }
    }

    @Test
    void aTemplateWithUsernameAndPasswordUsesBasicAuthentication() {
        lookup.putTemplate(template("up", "test", "prometheus", prometheus.url(), "basic", "vector(1)"));
        lookup.putSecret("test", "basic", Map.of("username", "u", "password", "p"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
        CanaryAnalysis.Metric metric = templateMetric("up", null);
        assertThat(await(gate().check(Fixtures.podinfo(), metric)).verdict()).isEqualTo(Verdict.PASS);
        assertThat(prometheus.last().header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("u:p".getBytes()));
    }

    static Stream<Arguments> templateProblems() {
        return Stream.of(
                Arguments.of(
                        "a missing template is an error naming it",
                        "absent",
                        "vector(1)",
                        "prometheus",
                        null,
                        "Metric template absent.test error: metrictemplates.flagger.app \"absent\" not found in namespace test"),
                Arguments.of(
                        "a missing template variable is a render error naming the key",
                        "tpl",
                        "sum(x{a=\"{{ variables.missing }}\"})",
                        "prometheus",
                        null,
                        "Metric template tpl.test query render error: {{ variables.missing }}: templateVariables has no key \"missing\""),
                Arguments.of(
                        "an unknown action is a render error",
                        "tpl",
                        "sum(x{a=\"{{ .Namespace }}\"})",
                        "prometheus",
                        null,
                        "Metric template tpl.test query render error: {{ .Namespace }}: unknown action; use one of "
                                + "ingress, interval, name, namespace, route, service, target or variables.<key>"),
                Arguments.of(
                        "a missing secret is a secret error",
                        "tpl",
                        "vector(1)",
                        "prometheus",
                        "nosuch",
                        "Metric template tpl.test secret nosuch error: secrets \"nosuch\" not found in namespace test"),
                Arguments.of(
                        "a secret without credentials is a provider error",
                        "tpl",
                        "vector(1)",
                        "prometheus",
                        "empty",
                        "Metric template tpl.test provider prometheus error: secret empty.test holds neither token nor "
                                + "username and password"),
                Arguments.of(
                        "a provider type Sluice does not query is a provider error",
                        "tpl",
                        "vector(1)",
                        "keptn",
                        null,
                        "Metric template tpl.test provider keptn error: "
                                + MetricTemplateValidator.unsupported("keptn")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templateProblems")
    void templateProblemsAreErrorsWithFlaggersEventTexts(
            String name, String templateName, String query, String type, String secret, String message) {
        lookup.putTemplate(template("tpl", "test", type, prometheus.url(), secret, query));
        lookup.putSecret("test", "empty", Map.of("unrelated", "x"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
        MetricOutcome outcome = await(gate().check(Fixtures.podinfo(), templateMetric(templateName, null)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message()).isEqualTo(message);
        assertThat(prometheus.requests()).isEmpty();
    }

    @Test
    void aTemplateWithoutDataAndATemplateQueryErrorHaveFlaggersTexts() {
        lookup.putTemplate(template("tpl", "test", "prometheus", prometheus.url(), null, "vector(1)"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector()));
        assertThat(await(gate().check(Fixtures.podinfo(), templateMetric("tpl", "my-metric")))
                        .message())
                .isEqualTo("Halt advancement no values found for custom metric: my-metric: no values found");
        prometheus.reply(r -> new Reply(503, "overloaded"));
        assertThat(await(gate().check(Fixtures.podinfo(), templateMetric("tpl", "my-metric")))
                        .message())
                .isEqualTo(
                        "Metric query failed for my-metric: error response: Status 503 Service Unavailable: overloaded");
    }

    @Test
    void aCustomMetricWithNothingToRunIsAnError() {
        MetricOutcome outcome = await(gate().check(Fixtures.podinfo(), Fixtures.metric("orphan", "1m", 1.0, null)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric query failed for no usable metrics template and query were configured");
    }

    @Test
    void insecureSkipVerifyAcceptsASelfSignedPrometheusAndOtherwiseItIsAnError() {
        io.vertx.core.net.SelfSignedCertificate certificate =
                io.vertx.core.net.SelfSignedCertificate.create("localhost");
        io.vertx.core.http.HttpServer tls = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(certificate.keyCertOptions()))
                .requestHandler(req -> req.response().end(PrometheusAnswers.vector("1")));
        await(tls.listen());
        try {
            MetricTemplate template =
                    template("tls", "test", "prometheus", "https://127.0.0.1:" + tls.actualPort(), null, "vector(1)");
            lookup.putTemplate(template);
            MetricOutcome refused = await(gate().check(Fixtures.podinfo(), templateMetric("tls", null)));
            assertThat(refused.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(refused.message())
                    .startsWith("Metric query failed for tls: request failed: GET https://127.0.0.1:");

            template.getSpec().provider.insecureSkipVerify = true;
            assertThat(await(gate().check(Fixtures.podinfo(), templateMetric("tls", null)))
                            .verdict())
                    .isEqualTo(Verdict.PASS);
        } finally {
            await(tls.close());
        }
    }

    @Test
    void reportsThatEveryProviderIsAvailable() {
        lookup.putTemplate(template("tpl", "test", "prometheus", prometheus.url(), null, "x"));
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics.add(templateMetric("tpl", null));
        ProviderAvailability availability = await(gate().checkProviders(canary));
        assertThat(availability).isEqualTo(new ProviderAvailability(true, "all the metrics providers are available!"));
        assertThat(prometheus.requests()).extracting(r -> r.param("query")).containsOnly("vector(1)");
    }

    @Test
    void reportsAnUnavailablePrometheusWithFlaggersText() {
        prometheus.reply(r -> new Reply(502, "bad gateway"));
        ProviderAvailability availability = await(gate().checkProviders(Fixtures.podinfo()));
        assertThat(availability.available()).isFalse();
        assertThat(availability.message())
                .isEqualTo("Error checking metric providers: prometheus not avaiable: "
                        + "running query failed: error response: Status 502 Bad Gateway: bad gateway");
    }

    @Test
    void reportsAnUnavailableTemplateProvider() {
        prometheus.reply(r -> Reply.ok(PrometheusAnswers.vector("1")));
        try (LocalHttpServer other = new LocalHttpServer(vertx)) {
            other.reply(r -> Reply.ok(PrometheusAnswers.vector("0")));
            lookup.putTemplate(template("tpl", "test", "prometheus", other.url(), null, "x"));
            Canary canary = Fixtures.podinfo();
            canary.getSpec().analysis.metrics.add(templateMetric("tpl", null));
            assertThat(await(gate().checkProviders(canary)).message())
                    .isEqualTo("Error checking metric providers: prometheus in metric template tpl.test not avaiable: "
                            + "value is not 1 for query: vector(1)");
        }
    }

    @Test
    void reportsNothingForACanaryWithoutMetrics() {
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics = null;
        assertThat(await(gate().checkProviders(canary))).isEqualTo(ProviderAvailability.NOTHING_TO_REPORT);
        assertThat(prometheus.requests()).isEmpty();
    }

    private static CanaryAnalysis.Metric templateMetric(String template, String name) {
        CanaryAnalysis.Metric metric = Fixtures.metric(name == null ? template : name, "1m", null, 10.0);
        metric.templateRef = new CanaryAnalysis.TemplateReference(template, "test");
        return metric;
    }

    private static MetricTemplate template(
            String name, String ns, String type, String address, String secret, String query) {
        MetricTemplate t = new MetricTemplate();
        t.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        MetricTemplate.Spec spec = new MetricTemplate.Spec();
        spec.provider = new MetricTemplate.Provider();
        spec.provider.type = type;
        spec.provider.address = address;
        spec.provider.headers = Map.of("X-Scope-OrgID", List.of("team-a"));
        if (secret != null) {
            spec.provider.secretRef = new MetricTemplate.SecretReference();
            spec.provider.secretRef.name = secret;
        }
        spec.query = query;
        t.setSpec(spec);
        return t;
    }
}
