package io.sluice.analyzer.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryService;
import io.sluice.model.flagger.CanarySpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the MetricTemplate query renderer: {@link TemplateSources#values} fills the actions'
 * values from a Canary and {@link Queries#render} renders the template's query with them. Whatever the template and the
 * Canary hold, the result is a query or a {@link Queries.RenderException} with a message; any other exception, or an
 * input that does not finish, is a finding.
 *
 * <p>An input is UTF-8 text. The lines before the first line that is exactly {@code ---} set the Canary, one
 * {@code key=value} a line: {@code name}, {@code namespace}, {@code target}, {@code service}, {@code ingress},
 * {@code route}, {@code interval} and {@code variables.<key>}; a key that is not given stays unset. The text after that
 * line is the template's query. Without a {@code ---} line the whole input is the query, for a Canary with no field
 * set. The corpus (readable seeds and what fuzzing found worth keeping) is replayed by every test run from
 * {@code QueriesFuzzTestInputs/render/}; {@code make fuzz-analyzer} fuzzes.
 */
class QueriesFuzzTest {
    private static final String SEPARATOR = "\n---\n";

    @FuzzTest
    void render(byte[] input) {
        Case c = Case.parse(new String(input, StandardCharsets.UTF_8));
        Map<String, String> values = TemplateSources.values(c.canary(), c.metric());
        String rendered;
        try {
            rendered = Queries.render(c.template(), values, c.metric().templateVariables);
        } catch (Queries.RenderException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(rendered).isNotNull();
        if (!c.template().contains("{{")) {
            assertThat(rendered)
                    .as("a query without actions is sent as written")
                    .isEqualTo(c.template());
        }
        assertThat(Queries.collapse(rendered)).doesNotContain("\n", "\t");
    }

    /** The input format itself, so that the corpus means what its files say. */
    @Test
    void readsTheCanaryFromTheLinesBeforeTheSeparator() throws Exception {
        Case c = Case.parse("namespace=test\ntarget=podinfo\nvariables.route=checkout\n---\n{{ namespace }}");
        assertThat(Queries.render(
                        "{{ namespace }}/{{ target }}/{{ service }}/{{ interval }}/{{ variables.route }}",
                        TemplateSources.values(c.canary(), c.metric()),
                        c.metric().templateVariables))
                .isEqualTo("test/podinfo/podinfo/1m/checkout");
        assertThat(c.template()).isEqualTo("{{ namespace }}");
        assertThat(Case.parse("sum(up)\n").template()).isEqualTo("sum(up)\n");
    }

    /**
     * Found by reading the action pattern: a lazy regex looked for "}}" from every "{{", so a query of many unclosed
     * actions took time quadratic in its length (64,000 characters about 97 s on 2 cores). The renderer now scans
     * once; at this length the quadratic scan would take about a quarter of an hour, so a regression shows as a
     * test that does not end. The refusal names the first unclosed action.
     */
    @Test
    void manyUnclosedActionsAreRefusedWithoutScanningTheQueryOverAndOver() {
        String template = "sum(up) " + "{{".repeat(100_000);

        assertThatThrownBy(() -> Queries.render(template, Map.of("name", "podinfo"), Map.of()))
                .isInstanceOf(Queries.RenderException.class)
                .hasMessageStartingWith("unclosed action \"{{{{{{");
    }

    /** One fuzz input: the Canary and metric the values come from, and the template's query. */
    private record Case(Canary canary, CanaryAnalysis.Metric metric, String template) {
        static Case parse(String text) {
            int split = text.startsWith("---\n") ? 0 : text.indexOf(SEPARATOR);
            String header = split < 0 ? "" : text.substring(0, split);
            String template = split < 0 ? text : text.substring(split + (split == 0 ? 4 : SEPARATOR.length()));
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, String> variables = null;
            for (String line : header.split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1);
                if (key.startsWith("variables.")) {
                    variables = variables == null ? new LinkedHashMap<>() : variables;
                    variables.put(key.substring("variables.".length()), value);
                } else {
                    fields.put(key, value);
                }
            }
            Canary canary = new Canary();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(fields.get("name"));
            meta.setNamespace(fields.get("namespace"));
            canary.setMetadata(meta);
            CanarySpec spec = new CanarySpec();
            spec.targetRef = new CanarySpec.TargetReference("apps/v1", "Deployment", fields.get("target"));
            if (fields.containsKey("service")) {
                spec.service = new CanaryService();
                spec.service.name = fields.get("service");
            }
            if (fields.containsKey("ingress")) {
                spec.ingressRef = new CanarySpec.TargetReference(null, null, fields.get("ingress"));
            }
            if (fields.containsKey("route")) {
                spec.routeRef = new CanarySpec.TargetReference(null, null, fields.get("route"));
            }
            canary.setSpec(spec);
            CanaryAnalysis.Metric metric = new CanaryAnalysis.Metric();
            metric.name = "fuzzed";
            metric.interval = fields.get("interval");
            metric.templateVariables = variables;
            return new Case(canary, metric, template);
        }
    }
}
