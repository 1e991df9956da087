package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueriesTest {
    private static final Map<String, String> VALUES = Map.of(
            "name",
            "podinfo",
            "namespace",
            "test",
            "target",
            "podinfo",
            "service",
            "podinfo-svc",
            "ingress",
            "podinfo",
            "route",
            "podinfo",
            "interval",
            "1m");

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "spaces inside the braces are optional            | x{a=\"{{namespace}}\"}             | x{a=\"test\"}",
                "the service is the apex service name             | {{ service }}                      | podinfo-svc",
                "variables come from templateVariables             | {{ variables.route_name }}         | checkout",
                "a left trim marker eats the whitespace before it | a   {{- name }}                    | apodinfo",
                "a right trim marker eats the whitespace after it | {{ name -}}   b                    | podinfob",
                "text without actions is kept as written          | sum(up)                            | sum(up)",
            })
    void renders(String name, String template, String expected) throws Exception {
        assertThat(Queries.render(template, VALUES, Map.of("route_name", "checkout")))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a missing variable names the key                 | {{ variables.nope }} | {{ variables.nope }}: templateVariables has no key \"nope\"",
                "Go's dot syntax is not an action Sluice knows    | {{ .name }}          | {{ .name }}: unknown action; use one of ingress, interval, name, namespace, route, service, target or variables.<key>",
                "an unclosed action is an error                   | sum({{ name )        | unclosed action \"{{ name )\"",
            })
    void refusesWhatItCannotRender(String name, String template, String message) {
        assertThatThrownBy(() -> Queries.render(template, VALUES, Map.of()))
                .isInstanceOf(Queries.RenderException.class)
                .hasMessage(message);
    }

    @Test
    void collapsesEveryWhitespaceRunToOneSpace() {
        assertThat(Queries.collapse("\n\tsum(\n\t\trate(x[1m])\n\t)\n")).isEqualTo(" sum( rate(x[1m]) ) ");
    }

    @Test
    void escapesQuotesInLabelValues() {
        Queries.Scope scope = new Queries.Scope("test", "podinfo", "1m", "destination_cluster", "we\"ird");
        assertThat(Queries.duration(scope)).contains("destination_cluster=\"we\\\"ird\"");
    }
}
