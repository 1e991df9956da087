package io.sluice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code manifests/} as {@code kubectl kustomize} builds it, without kubectl: the files each kustomization's
 * {@code resources} lists, directories recursively, with the root's {@code images} transformer applied. That is all
 * kustomize does for the features manifests/ uses; any other field of a kustomization fails here, and
 * {@link KustomizeIT} checks the equivalence against kubectl's own render.
 */
final class Manifests {
    private static final Set<String> SUPPORTED_FIELDS = Set.of("apiVersion", "kind", "resources", "images");

    private Manifests() {}

    static Rendered render() throws IOException {
        List<Path> files = new ArrayList<>();
        resources(Rendered.MANIFESTS, files);
        Rendered objects = Rendered.files(files);
        JsonNode images = Rendered.yamlFile(Rendered.MANIFESTS.resolve("kustomization.yaml"))
                .path("images");
        objects.ofKind("Deployment").forEach(d -> {
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                ((ObjectNode) c).put("image", transformed(c.path("image").asString(), images));
            }
        });
        return objects;
    }

    /** kustomize's images transformer: a rule whose name is the image's repository replaces its name and tag. */
    static String transformed(String image, JsonNode rules) {
        String repository = image.replaceFirst("[:@][^/]*$", "");
        String tag = image.substring(repository.length());
        for (JsonNode rule : rules) {
            if (rule.path("name").asString().equals(repository)) {
                String name = rule.path("newName").asString(repository);
                return name + (rule.has("newTag") ? ":" + rule.path("newTag").asString() : tag);
            }
        }
        return image;
    }

    private static void resources(Path dir, List<Path> into) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        JsonNode k = Rendered.yamlFile(file);
        Set<String> fields = new TreeSet<>(k.propertyNames());
        fields.removeAll(SUPPORTED_FIELDS);
        assertThat(fields)
                .as("%s uses kustomize features Manifests does not apply; render with kubectl kustomize", file)
                .isEmpty();
        for (JsonNode entry : k.path("resources")) {
            Path p = dir.resolve(entry.asString());
            if (p.toFile().isDirectory()) {
                resources(p, into);
            } else {
                into.add(p);
            }
        }
    }
}
