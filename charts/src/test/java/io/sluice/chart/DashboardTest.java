package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard queries only what the services export: every {@code flagger_*} and {@code sluice_*} series in a
 * query is one that a metric registered in the analyzer's or the admission service's sources exposes, and every
 * label a query selects or groups by is one of that metric's labels (or one Prometheus adds to every target).
 */
class DashboardTest {
    private static final Path DASHBOARD = Rendered.CHART.resolve("dashboards/sluice.json");
    private static final Pattern SERIES = Pattern.compile("\\b((?:flagger|sluice)_[a-z0-9_]+)\\b(\\{[^}]*})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    /** The analyzer registers on the Prometheus client: the name is the series' name. */
    private static final Pattern PROMETHEUS_CLIENT = Pattern.compile(
            "(Gauge|Counter|Histogram)\\.builder\\(\\)\\s*\\.name\\(\"([a-z_]+)\"\\)(.*?)\\.build\\(\\)",
            Pattern.DOTALL);
    /** The admission service registers through Micrometer: dotted names, suffixes added by the Prometheus registry. */
    private static final Pattern MICROMETER =
            Pattern.compile("(Counter|Timer|Gauge)\\.builder\\(\"([a-z.]+)\"(.*?)\\.register\\(", Pattern.DOTALL);

    private static final Pattern QUOTED = Pattern.compile("\"([a-z_]+)\"");
    private static final Pattern TAG = Pattern.compile("\\.tag\\((\"[a-z_]+\")");
    /** Labels a scrape adds to every series (the Prometheus Operator's target labels), and the buckets' bound. */
    private static final Set<String> TARGET_LABELS =
            Set.of("job", "instance", "namespace", "pod", "container", "service", "endpoint", "le");

    private static JsonNode dashboard;
    private static Map<String, Set<String>> exported;

    @BeforeAll
    static void read() throws IOException {
        dashboard = Rendered.yamlFile(DASHBOARD);
        exported = exportedSeries(List.of(
                Rendered.MANIFESTS.resolveSibling("analyzer/src/main/java"),
                Rendered.MANIFESTS.resolveSibling("admission/src/main/java")));
    }

    @Test
    void everyQueriedSeriesIsOneTheServicesExport() {
        Set<String> queried = new TreeSet<>();
        for (String q : queries()) {
            Matcher m = SERIES.matcher(q);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }

        assertThat(exported).containsKeys("flagger_canary_status", "sluice_admission_requests_total");
        assertThat(queried)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(exported)
                        .as("%s is queried by the dashboard but no service exports it", s)
                        .containsKey(s));
    }

    @Test
    void everyLabelAQuerySelectsOrGroupsByExists() {
        for (String q : queries()) {
            Set<String> available = new HashSet<>(TARGET_LABELS);
            Matcher m = SERIES.matcher(q);
            while (m.find()) {
                Set<String> labels = exported.getOrDefault(m.group(1), Set.of());
                available.addAll(labels);
                if (m.group(2) != null) {
                    Matcher selected = MATCHER.matcher(m.group(2));
                    while (selected.find()) {
                        assertThat(labels)
                                .as("label %s of %s in: %s", selected.group(1), m.group(1), q)
                                .contains(selected.group(1));
                    }
                }
            }
            Matcher grouping = GROUPING.matcher(q);
            while (grouping.find()) {
                for (String label : grouping.group(1).split(",")) {
                    assertThat(available).as("by (%s) in: %s", label.strip(), q).contains(label.strip());
                }
            }
        }
    }

    @Test
    void showsFlaggersPanelsAndSluicesOwn() {
        String all = String.join("\n", queries());

        assertThat(queries()).hasSizeGreaterThan(20);
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

    /** The series the sources' metric registrations expose in Prometheus' text format, with their labels. */
    static Map<String, Set<String>> exportedSeries(List<Path> sourceRoots) throws IOException {
        Map<String, Set<String>> series = new TreeMap<>();
        for (Path root : sourceRoots) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(f -> f.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String source = Files.readString(f);
                Matcher client = PROMETHEUS_CLIENT.matcher(source);
                while (client.find()) {
                    Set<String> labels = labels(client.group(3), Pattern.compile("\\.labelNames\\(([^)]*)\\)"));
                    exposed(client.group(1), client.group(2)).forEach(s -> series.put(s, labels));
                }
                Matcher micrometer = MICROMETER.matcher(source);
                while (micrometer.find()) {
                    String base = micrometer.group(2).replace('.', '_');
                    Set<String> labels = labels(micrometer.group(3), TAG);
                    List<String> names = switch (micrometer.group(1)) {
                        case "Counter" -> List.of(base + "_total");
                        case "Timer" ->
                            Stream.concat(
                                            exposed("Histogram", base + "_seconds").stream(),
                                            Stream.of(base + "_seconds_max"))
                                    .toList();
                        default -> List.of(base);
                    };
                    names.forEach(s -> series.put(s, labels));
                }
            }
        }
        return series;
    }

    /** The quoted names in the arguments (group 1) of each match of {@code call} in a builder chain. */
    private static Set<String> labels(String chain, Pattern call) {
        Set<String> labels = new TreeSet<>();
        Matcher m = call.matcher(chain);
        while (m.find()) {
            Matcher quoted = QUOTED.matcher(m.group(1));
            while (quoted.find()) {
                labels.add(quoted.group(1));
            }
        }
        return labels;
    }

    private static List<String> exposed(String type, String name) {
        return switch (type) {
            case "Counter" -> List.of(name.endsWith("_total") ? name : name + "_total");
            case "Histogram" -> List.of(name + "_bucket", name + "_sum", name + "_count");
            default -> List.of(name);
        };
    }
}
