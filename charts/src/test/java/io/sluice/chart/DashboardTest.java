package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard queries only series the services export: every {@code flagger_*} and {@code sluice_*} name in a
 * query is one that a metric registered in the analyzer's or the admission service's sources exposes.
 */
class DashboardTest {
    private static final Path DASHBOARD = Rendered.CHART.resolve("dashboards/sluice.json");
    private static final Pattern SERIES = Pattern.compile("\\b((?:flagger|sluice)_[a-z0-9_]+)\\b");
    /** The analyzer registers on the Prometheus client: the name is the series' name. */
    private static final Pattern PROMETHEUS_CLIENT =
            Pattern.compile("(Gauge|Counter|Histogram)\\.builder\\(\\)\\s*\\.name\\(\"([a-z_]+)\"\\)");
    /** The admission service registers through Micrometer: dotted names, suffixes added by the Prometheus registry. */
    private static final Pattern MICROMETER = Pattern.compile("(Counter|Timer|Gauge)\\.builder\\(\"([a-z.]+)\"");

    private static JsonNode dashboard;
    private static Set<String> exported;

    @BeforeAll
    static void read() throws IOException {
        dashboard = Rendered.yamlFile(DASHBOARD);
        exported = exportedSeries(List.of(
                Rendered.MANIFESTS.resolveSibling("analyzer/src/main/java"),
                Rendered.MANIFESTS.resolveSibling("admission/src/main/java")));
    }

    @Test
    void everyQueriedSeriesIsOneTheServicesExport() {
        List<String> queries = queries();
        Set<String> queried = new TreeSet<>();
        for (String q : queries) {
            Matcher m = SERIES.matcher(q);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }

        assertThat(queries).hasSizeGreaterThan(20);
        assertThat(exported).contains("flagger_canary_status", "sluice_admission_requests_total");
        assertThat(queried)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(exported)
                        .as("%s is queried by the dashboard but no service exports it", s)
                        .contains(s));
    }

    @Test
    void showsFlaggersPanelsAndSluicesOwn() {
        String all = String.join("\n", queries());

        assertThat(all)
                .contains(
                        "flagger_info",
                        "flagger_canary_total",
                        "flagger_canary_status",
                        "flagger_canary_weight",
                        "flagger_canary_duration_seconds_bucket",
                        "sluice_detection_latency_seconds_bucket",
                        "sluice_admission_requests_total",
                        "sluice_admission_request_duration_seconds_bucket",
                        "sluice_metric_query_duration_seconds_bucket",
                        "sluice_webhook_duration_seconds_bucket");
    }

    @Test
    void panelIdsAreUniqueAndEveryPanelUsesTheDatasourceVariable() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        Set<Integer> ids = new HashSet<>();

        assertThat(panels)
                .allSatisfy(p -> assertThat(ids.add(p.path("id").asInt()))
                        .as("panel id %s", p.path("id"))
                        .isTrue());
        assertThat(panels.stream().filter(p -> !"row".equals(p.path("type").asString())))
                .allSatisfy(p ->
                        assertThat(p.path("datasource").path("uid").asString()).isEqualTo("${datasource}"));
    }

    private static List<String> queries() {
        List<String> queries = new ArrayList<>();
        dashboard
                .path("panels")
                .forEach(p -> p.path("targets")
                        .forEach(t -> queries.add(t.path("expr").asString())));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("definition").isString()) {
                queries.add(v.path("definition").asString());
            }
        });
        return queries;
    }

    /** The series names the sources' metric registrations expose in Prometheus' text format. */
    static Set<String> exportedSeries(List<Path> sourceRoots) throws IOException {
        Set<String> series = new TreeSet<>();
        for (Path root : sourceRoots) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(f -> f.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String source = Files.readString(f);
                Matcher client = PROMETHEUS_CLIENT.matcher(source);
                while (client.find()) {
                    series.addAll(exposed(client.group(1), client.group(2)));
                }
                Matcher micrometer = MICROMETER.matcher(source);
                while (micrometer.find()) {
                    String base = micrometer.group(2).replace('.', '_');
                    series.addAll(
                            switch (micrometer.group(1)) {
                                case "Counter" -> List.of(base + "_total");
                                case "Timer" ->
                                    Stream.concat(
                                                    exposed("Histogram", base + "_seconds").stream(),
                                                    Stream.of(base + "_seconds_max"))
                                            .toList();
                                default -> List.of(base);
                            });
                }
            }
        }
        return series;
    }

    private static List<String> exposed(String type, String name) {
        return switch (type) {
            case "Counter" -> List.of(name.endsWith("_total") ? name : name + "_total");
            case "Histogram" -> List.of(name + "_bucket", name + "_sum", name + "_count");
            default -> List.of(name);
        };
    }
}
