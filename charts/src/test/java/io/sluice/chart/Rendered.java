package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Kubernetes objects read from YAML: the chart rendered by Helm, or the plain files under manifests/. */
final class Rendered {
    /** The module's folder; Surefire runs with it as the working directory. */
    static final Path CHART = Path.of("sluice").toAbsolutePath();

    static final Path MANIFESTS = Path.of("..", "manifests").toAbsolutePath().normalize();

    /** A Kubernetes version the chart supports; Helm's own default (1.20) is older than the chart's floor. */
    static final String KUBE_VERSION = "1.30.0";

    private static final YAMLMapper YAML = new YAMLMapper();

    private final List<JsonNode> objects;

    Rendered(List<JsonNode> objects) {
        this.objects = objects;
    }

    /** {@code helm template} of the chart as release "sluice" in {@code namespace}, with {@code --set} values. */
    static Rendered chart(String namespace, Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART)
                .template()
                .withName("sluice")
                .withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return new Rendered(parse(template.call()));
    }

    /**
     * A copy of the chart in {@code dir} whose values.yaml has {@code values} set (dotted paths, as {@code --set}),
     * for the Helm commands that take no values.
     */
    static Path chartWithValues(Map<String, Object> values, Path dir) throws IOException {
        Path copy = dir.resolve("sluice");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        ObjectNode tree = (ObjectNode) yamlFile(CHART.resolve("values.yaml"));
        values.forEach((path, value) -> {
            String[] keys = path.split("\\.");
            ObjectNode node = tree;
            for (int i = 0; i < keys.length - 1; i++) {
                node = (ObjectNode) node.path(keys[i]);
            }
            node.set(keys[keys.length - 1], YAML.valueToTree(value));
        });
        Files.writeString(copy.resolve("values.yaml"), YAML.writeValueAsString(tree));
        return copy;
    }

    static Rendered chart(String namespace) {
        return chart(namespace, Map.of());
    }

    /** The objects of YAML files (several documents each), as they are on disk. */
    static Rendered files(List<Path> files) {
        List<JsonNode> all = new ArrayList<>();
        for (Path f : files) {
            try {
                all.addAll(parse(Files.readString(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Rendered(all);
    }

    /** One YAML document. */
    static JsonNode yamlFile(Path file) throws IOException {
        return YAML.readTree(Files.readString(file));
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    List<JsonNode> all() {
        return objects;
    }

    Stream<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asString()));
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind)
                .filter(o -> name.equals(o.path("metadata").path("name").asString()))
                .findFirst();
    }

    JsonNode get(String kind, String name) {
        Optional<JsonNode> found = find(kind, name);
        assertThat(found).as("%s %s", kind, name).isPresent();
        return found.orElseThrow();
    }

    /** The container's args of a Deployment's only container. */
    static List<String> args(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        container(deployment).path("args").forEach(a -> args.add(a.asString()));
        return args;
    }

    static JsonNode container(JsonNode deployment) {
        return deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
    }

    /** The value of an env entry of the Deployment's container, or null when it has none of that name. */
    static JsonNode env(JsonNode deployment, String name) {
        for (JsonNode e : container(deployment).path("env")) {
            if (name.equals(e.path("name").asString())) {
                return e;
            }
        }
        return null;
    }
}
