package io.sluice.model.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.sluice.model.Kinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The build's CRDs are fabric8's output with the printer columns reordered, and nothing else changed. */
class PrinterColumnOrderTest {
    private static final Path BUILD_OUTPUT = Path.of("target", "crds");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @TempDir
    Path generated;

    @Test
    void theBuildsCrdsAreTheGeneratorsWithOnlyTheColumnOrderChanged() throws IOException {
        // As the plugin runs it (see shared-model/pom.xml).
        new CRDGenerator()
                .inOutputDir(generated.toFile())
                .withMinQuotes(true)
                .forCRDVersions("v1")
                .customResourceClasses(Kinds.RESOURCE_CLASSES)
                .generate();
        List<String> files;
        try (Stream<Path> list = Files.list(BUILD_OUTPUT)) {
            files = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(files).hasSize(Kinds.RESOURCE_CLASSES.size());

        for (String file : files) {
            assertThat(columnsByPath(read(BUILD_OUTPUT.resolve(file))))
                    .as("%s apart from the column order", file)
                    .isEqualTo(read(generated.resolve(file)));
        }
        PrinterColumnOrder.main(new String[] {generated.toString()});
        for (String file : files) {
            assertThat(generated.resolve(file)).as(file).hasSameTextualContentAs(BUILD_OUTPUT.resolve(file));
        }
    }

    private static JsonNode read(Path file) throws IOException {
        return YAML.readTree(Files.readString(file));
    }

    /** The CRD with its printer columns sorted by JSON path, the generator's order. */
    private static JsonNode columnsByPath(JsonNode crd) {
        for (JsonNode version : crd.at("/spec/versions")) {
            if (version.has("additionalPrinterColumns")) {
                List<JsonNode> sorted = version.get("additionalPrinterColumns")
                        .valueStream()
                        .sorted(Comparator.comparing(
                                c -> c.get("jsonPath").asString().toLowerCase()))
                        .toList();
                ArrayNode columns = ((ObjectNode) version).putArray("additionalPrinterColumns");
                sorted.forEach(columns::add);
            }
        }
        return crd;
    }
}
