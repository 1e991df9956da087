package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.MetricOutcome;
import io.sluice.analyzer.decision.MetricOutcome.Verdict;
import io.sluice.analyzer.decision.ProviderAvailability;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.validation.MetricTemplateValidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gate hands a template to the provider of its type, with the target and window Flagger's providers get. */
class MetricsProviderTest {
    private static Vertx vertx;
    private static WebClient client;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    /** Records what it is asked and answers from fields. */
    static final class Recording implements MetricsProvider {
        final List<ProviderTarget> targets = new ArrayList<>();
        final List<Duration> windows = new ArrayList<>();
        final List<String> queries = new ArrayList<>();
        QueryResult answer = new QueryResult.Value(1);
        String offline;

        @Override
        public String type() {
            return "datadog";
        }

        @Override
        public String defaultAddress() {
            return "https://api.example.com";
        }

        @Override
        public String problem(ProviderTarget target) {
            return target.missingKey(type(), "api_key");
        }

        @Override
        public Future<QueryResult> query(ProviderTarget target, String query, Duration window, Duration timeout) {
            targets.add(target);
            queries.add(query);
            windows.add(window);
            return Future.succeededFuture(answer);
        }

        @Override
        public Future<String> online(ProviderTarget target, Duration timeout) {
            targets.add(target);
            return Future.succeededFuture(offline);
        }
    }

    private final StaticObjectLookup lookup = new StaticObjectLookup();
    private final Recording provider = new Recording();

    private PrometheusMetricGate gate() {
        return ProviderFixtures.gate(client, lookup, ProviderFixtures.TIMEOUT, provider);
    }

    @Test
    void aTemplateGoesToTheProviderOfItsTypeWithItsSecretHeadersDefaultAddressAndTheMetricsInterval() {
        MetricTemplate template =
                ProviderFixtures.template("errors", "Datadog", null, "dd", "sum:errors{app:{{ target }}}");
        template.getSpec().provider.headers = ProviderFixtures.headers("X-Team", "a");
        lookup.putTemplate(template);
        lookup.putSecret("test", "dd", Map.of("api_key", "k"));
        provider.answer = new QueryResult.Value(3);

        MetricOutcome outcome =
                await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "2m", null, 2.0)));

        assertThat(outcome.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(outcome.message()).isEqualTo("Halt podinfo.test advancement errors 3.00 > 2");
        assertThat(provider.queries).containsExactly("sum:errors{app:podinfo}");
        assertThat(provider.windows).containsExactly(Duration.ofMinutes(2));
        ProviderTarget target = provider.targets.get(0);
        assertThat(target.address()).isEqualTo("https://api.example.com");
        assertThat(target.secretName()).isEqualTo("dd.test");
        assertThat(target.secret()).isEqualTo(Map.of("api_key", "k"));
        assertThat(target.headers()).isEqualTo(Map.of("X-Team", List.of("a")));
    }

    @Test
    void theCanarysMetricsServerIsNeverTheAddressOfAnotherProvider() {
        lookup.putTemplate(ProviderFixtures.template("errors", "datadog", null, "dd", "q"));
        lookup.putSecret("test", "dd", Map.of("api_key", "k"));
        Canary canary = Fixtures.podinfo();
        canary.getSpec().metricsServer = "http://canary-chosen.invalid";
        await(gate().check(canary, ProviderFixtures.metric("errors", "1m", null, 2.0)));
        assertThat(provider.targets.get(0).address()).isEqualTo("https://api.example.com");
    }

    @Test
    void aMissingSecretKeyIsAProviderErrorNamingTheKeyAndNothingIsAsked() {
        lookup.putTemplate(ProviderFixtures.template("errors", "datadog", null, "dd", "q"));
        lookup.putSecret("test", "dd", Map.of("other", "x"));
        MetricOutcome outcome =
                await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 2.0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .isEqualTo("Metric template errors.test provider datadog error: secret dd.test has no key api_key");
        assertThat(provider.queries).isEmpty();
    }

    @Test
    void noValuesAndFailuresFromAnyProviderHaveTheTemplateTexts() {
        lookup.putTemplate(ProviderFixtures.template("errors", "datadog", null, "dd", "q"));
        lookup.putSecret("test", "dd", Map.of("api_key", "k"));
        provider.answer = new QueryResult.NoValues();
        assertThat(await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 2.0)))
                        .message())
                .isEqualTo("Halt advancement no values found for custom metric: errors: no values found");
        provider.answer = new QueryResult.Failed("error response: Status 403 Forbidden: denied");
        assertThat(await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("errors", "1m", null, 2.0)))
                        .message())
                .isEqualTo("Metric query failed for errors: error response: Status 403 Forbidden: denied");
    }

    @Test
    void theAvailabilityCheckAsksTheTemplatesProvider() {
        lookup.putTemplate(ProviderFixtures.template("errors", "datadog", null, "dd", "q"));
        lookup.putSecret("test", "dd", Map.of("api_key", "k"));
        Canary canary = Fixtures.podinfo();
        canary.getSpec().analysis.metrics =
                new ArrayList<>(List.of(ProviderFixtures.metric("errors", "1m", null, 2.0)));
        provider.offline = "error response: Status 403 Forbidden: invalid key";
        ProviderAvailability availability = await(gate().checkProviders(canary));
        assertThat(availability.available()).isFalse();
        assertThat(availability.message())
                .isEqualTo("Error checking metric providers: datadog in metric template errors.test not avaiable: "
                        + "error response: Status 403 Forbidden: invalid key");
        assertThat(provider.targets).hasSize(1);
    }

    @Test
    void aTypeOutsideFlaggersListRunsAsPrometheusAsInFlagger() {
        try (LocalHttpServer prometheus = new LocalHttpServer(vertx)) {
            prometheus.reply(r -> LocalHttpServer.Reply.ok(PrometheusAnswers.vector("1")));
            lookup.putTemplate(ProviderFixtures.template("up", "victoriametrics", prometheus.url(), null, "vector(1)"));
            MetricOutcome outcome =
                    await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("up", "1m", null, 2.0)));
            assertThat(outcome.verdict()).isEqualTo(Verdict.PASS);
            assertThat(prometheus.last().param("query")).isEqualTo("vector(1)");
        }
    }

    @Test
    void aTypeOfFlaggersListThatSluiceDoesNotQueryIsAProviderError() {
        lookup.putTemplate(ProviderFixtures.template("up", "keptn", null, null, "q"));
        MetricOutcome outcome = await(gate().check(Fixtures.podinfo(), ProviderFixtures.metric("up", "1m", null, 2.0)));
        assertThat(outcome.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(outcome.message())
                .startsWith("Metric template up.test provider keptn error: \"keptn\" is not supported");
    }

    @Test
    void theAnalyzerQueriesEveryTypeThatAdmissionAdmits() {
        Stream<String> registered = Stream.concat(
                Stream.of(PrometheusProvider.TYPE),
                Gates.providers(client, client, GatesConfig.builder().build()).stream()
                        .map(MetricsProvider::type));
        assertThat(registered).containsExactlyInAnyOrderElementsOf(MetricTemplateValidator.PROVIDER_TYPES);
    }
}
