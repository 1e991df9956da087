package io.sluice.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtherValidatorsTest {

    static MetricTemplate template() {
        MetricTemplate t = new MetricTemplate();
        t.setSpec(new MetricTemplate.Spec());
        t.getSpec().provider = new MetricTemplate.Provider();
        t.getSpec().provider.type = "prometheus";
        t.getSpec().provider.address = "http://prometheus.monitoring:9090";
        t.getSpec().query = "sum(rate(http_errors{namespace=\"{{ namespace }}\",app=\"{{ target }}\"}[{{ interval }}]))"
                + " / {{ variables.scale }}";
        return t;
    }

    static AlertProvider provider() {
        AlertProvider p = new AlertProvider();
        p.setSpec(new AlertProvider.Spec());
        p.getSpec().type = "slack";
        p.getSpec().address = "https://hooks.slack.example/services/T0/B0/X";
        return p;
    }

    @Test
    void aWellFormedTemplateAndProviderAreValid() {
        assertThat(MetricTemplateValidator.validate(template())).isEmpty();
        assertThat(AlertProviderValidator.validate(provider())).isEmpty();
    }

    static Stream<Arguments> templateRules() {
        return Stream.of(
                Arguments.of(
                        "a template needs a provider",
                        (Consumer<MetricTemplate>) t -> t.getSpec().provider = null,
                        "spec.provider",
                        "is required"),
                Arguments.of(
                        "only prometheus is queried",
                        (Consumer<MetricTemplate>) t -> t.getSpec().provider.type = "keptn",
                        "spec.provider.type",
                        "\"keptn\" is not supported: Sluice queries prometheus (and Prometheus-compatible endpoints"
                                + " such as Thanos, Mimir or VictoriaMetrics), datadog, newrelic, dynatrace, graphite,"
                                + " influxdb and splunk"),
                Arguments.of(
                        "a Datadog template needs a Secret with its keys",
                        (Consumer<MetricTemplate>) t -> provider(t, "datadog", null, null),
                        "spec.provider.secretRef",
                        "is required: datadog reads its credentials from a Secret with the keys datadog_api_key and"
                                + " datadog_application_key"),
                Arguments.of(
                        "a New Relic template needs a Secret with its keys",
                        (Consumer<MetricTemplate>) t -> provider(t, "newrelic", null, null),
                        "spec.provider.secretRef",
                        "is required: newrelic reads its credentials from a Secret with the keys newrelic_account_id"
                                + " and newrelic_query_key"),
                Arguments.of(
                        "a Dynatrace template needs a Secret with its token",
                        (Consumer<MetricTemplate>)
                                t -> provider(t, "dynatrace", "https://abc123.live.dynatrace.com", null),
                        "spec.provider.secretRef",
                        "is required: dynatrace reads its credentials from a Secret with the keys dynatrace_token"),
                Arguments.of(
                        "a Dynatrace template needs the environment's address",
                        (Consumer<MetricTemplate>) t -> provider(t, "dynatrace", null, "dt"),
                        "spec.provider.address",
                        "is required: dynatrace has no default address"),
                Arguments.of(
                        "a Graphite template needs Graphite's address",
                        (Consumer<MetricTemplate>) t -> provider(t, "graphite", null, null),
                        "spec.provider.address",
                        "is required: graphite has no default address; set Graphite's URL"),
                Arguments.of(
                        "an InfluxDB template needs InfluxDB's address",
                        (Consumer<MetricTemplate>) t -> provider(t, "influxdb", null, "influx"),
                        "spec.provider.address",
                        "is required: influxdb has no default address; set InfluxDB's URL"),
                Arguments.of(
                        "a Splunk template needs the realm's address",
                        (Consumer<MetricTemplate>) t -> provider(t, "splunk", null, "sfx"),
                        "spec.provider.address",
                        "is required: splunk has no default address; set the realm's API URL, for example"
                                + " https://api.<realm>.signalfx.com"),
                Arguments.of(
                        "a Splunk template needs a Secret with its token",
                        (Consumer<MetricTemplate>) t -> provider(t, "splunk", "https://api.us1.signalfx.com", null),
                        "spec.provider.secretRef",
                        "is required: splunk reads its credentials from a Secret with the keys sf_token_key"),
                Arguments.of(
                        "cloudwatch needs the AWS SDK, which Sluice does not include",
                        (Consumer<MetricTemplate>) t -> t.getSpec().provider.type = "cloudwatch",
                        "spec.provider.type",
                        "needs the AWS SDK"),
                Arguments.of(
                        "stackdriver needs Google's SDK; Cloud Monitoring's PromQL endpoint is the way",
                        (Consumer<MetricTemplate>) t -> t.getSpec().provider.type = "stackdriver",
                        "spec.provider.type",
                        "Cloud Monitoring's PromQL endpoint"),
                Arguments.of(
                        "the address is an http URL",
                        (Consumer<MetricTemplate>) t -> t.getSpec().provider.address = "prometheus:9090",
                        "spec.provider.address",
                        "must use http or https"),
                Arguments.of(
                        "a query is required",
                        (Consumer<MetricTemplate>) t -> t.getSpec().query = "",
                        "spec.query",
                        "is required"),
                Arguments.of(
                        "placeholders are balanced",
                        (Consumer<MetricTemplate>) t -> t.getSpec().query = "up{job=\"{{ target \"}",
                        "spec.query",
                        "'{{'"),
                Arguments.of(
                        "placeholders are known",
                        (Consumer<MetricTemplate>) t -> t.getSpec().query = "up{pod=\"{{ pod }}\"}",
                        "spec.query",
                        "unknown placeholder {{ pod }}"));
    }

    static void provider(MetricTemplate t, String type, String address, String secret) {
        t.getSpec().provider.type = type;
        t.getSpec().provider.address = address;
        if (secret != null) {
            t.getSpec().provider.secretRef = new MetricTemplate.SecretReference();
            t.getSpec().provider.secretRef.name = secret;
        }
    }

    static Stream<Arguments> queriedProviders() {
        return Stream.of(
                Arguments.of("prometheus without address or Secret", "prometheus", null, null),
                Arguments.of("datadog with its Secret and the default address", "datadog", null, "dd"),
                Arguments.of("newrelic with its Secret and the default address", "newrelic", null, "nr"),
                Arguments.of(
                        "dynatrace with its Secret and address",
                        "dynatrace",
                        "https://abc123.live.dynatrace.com",
                        "dt"),
                Arguments.of("graphite with its address and no Secret", "graphite", "http://graphite.monitoring", null),
                Arguments.of("graphite with its address and a Secret", "graphite", "http://graphite.monitoring", "gr"),
                Arguments.of(
                        "influxdb with its address and no Secret", "influxdb", "http://influxdb.monitoring:8086", null),
                Arguments.of(
                        "influxdb with its address and a Secret", "influxdb", "http://influxdb.monitoring:8086", "in"),
                Arguments.of("splunk with its Secret and address", "splunk", "https://api.us1.signalfx.com", "sfx"));
    }

    @ParameterizedTest(name = "a template of {0} is admitted")
    @MethodSource("queriedProviders")
    void templatesOfTheQueriedProvidersAreAdmitted(String name, String type, String address, String secret) {
        MetricTemplate t = template();
        provider(t, type, address, secret);
        assertThat(MetricTemplateValidator.validate(t)).isEmpty();
    }

    @ParameterizedTest(name = "Flagger's placeholder {{ {0} }} is accepted")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"name", "namespace", "target", "service", "ingress", "route", "interval", "variables.team"})
    void everyPlaceholderFlaggerRendersIsAccepted(String placeholder) {
        MetricTemplate t = template();
        t.getSpec().query = "up{job=\"{{ " + placeholder + " }}\"}";

        assertThat(MetricTemplateValidator.validate(t)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templateRules")
    void templateRulesReportTheirField(String rule, Consumer<MetricTemplate> breakIt, String field, String message) {
        MetricTemplate t = template();
        breakIt.accept(t);
        assertThat(MetricTemplateValidator.validate(t)).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    static Stream<Arguments> providerRules() {
        return Stream.of(
                Arguments.of(
                        "the type comes from the list",
                        (Consumer<AlertProvider>) p -> p.getSpec().type = "pagerduty",
                        "spec.type",
                        "must be one of"),
                Arguments.of(
                        "an address or a secret is needed",
                        (Consumer<AlertProvider>) p -> p.getSpec().address = null,
                        "spec.address",
                        "is required unless"),
                Arguments.of(
                        "the proxy is an http URL",
                        (Consumer<AlertProvider>) p -> p.getSpec().proxy = "socks5://proxy:1080",
                        "spec.proxy",
                        "must use http or https"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerRules")
    void providerRulesReportTheirField(String rule, Consumer<AlertProvider> breakIt, String field, String message) {
        AlertProvider p = provider();
        breakIt.accept(p);
        List<Violation> violations = AlertProviderValidator.validate(p);
        assertThat(violations).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    @Test
    void aSecretStandsInForTheAddress() {
        AlertProvider p = provider();
        p.getSpec().address = null;
        p.getSpec().secretRef = new MetricTemplate.SecretReference();
        p.getSpec().secretRef.name = "slack-url";
        assertThat(AlertProviderValidator.validate(p)).isEmpty();
    }
}
