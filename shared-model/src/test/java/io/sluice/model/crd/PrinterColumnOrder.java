package io.sluice.model.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.YamlDumpSettingsBuilder;
import io.sluice.model.Kinds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one step of CRD generation that the annotations cannot express: the order of the printer columns.
 *
 * <p>fabric8's generator (8.0) writes a CRD's {@code additionalPrinterColumns} sorted by JSON path, and its Maven
 * plugin takes no post-processor. kubectl prints the columns in the CRD's order, and Flagger's order is what
 * {@code kubectl get canary} shows ({@code NAME STATUS WEIGHT LASTTRANSITIONTIME}). This puts the columns of
 * each generated CRD back in the order of the {@code @AdditionalPrinterColumn} annotations on its class and
 * changes nothing else; a file already in that order is left untouched. The shared-model build runs it on the
 * generator's output directory right after the test classes compile (exec-maven-plugin,
 * {@code process-test-classes}), before any test reads the CRDs.
 */
public final class PrinterColumnOrder {
    /** Serializes as the generator does with {@code minimizeQuotes}: Jackson 2 defaults keep fabric8's key order. */
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(
            JsonMapper.builderWithJackson2Defaults().build(),
            false,
            new YamlDumpSettingsBuilder().setMinimizeQuotes(true).build());

    private PrinterColumnOrder() {}

    /** {@code args[0]}: the directory the generator wrote {@code <plural>.<group>-v1.yml} files into. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (Class<? extends HasMetadata> type : Kinds.RESOURCE_CLASSES) {
            List<String> declared = Stream.of(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::jsonPath)
                    .toList();
            Path file = dir.resolve(HasMetadata.getFullResourceName(type) + "-v1.yml");
            if (declared.size() > 1 && reorder(file, declared)) {
                System.out.println("[crd] printer columns of " + file.getFileName() + " put in declared order");
            }
        }
    }

    private static boolean reorder(Path file, List<String> declared) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int body = text.indexOf("\napiVersion:") + 1;
        CustomResourceDefinition crd = SERIALIZATION.unmarshal(text.substring(body), CustomResourceDefinition.class);
        boolean changed = false;
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
            List<CustomResourceColumnDefinition> ordered = columns.stream()
                    .sorted(Comparator.comparingInt(c -> position(declared, c, file)))
                    .toList();
            if (!ordered.equals(columns)) {
                version.setAdditionalPrinterColumns(ordered);
                changed = true;
            }
        }
        if (changed) {
            // The generator's header comment, then the CRD as the generator writes it, without the "---" line.
            String yaml = SERIALIZATION.asYaml(crd);
            Files.writeString(
                    file, text.substring(0, body) + yaml.substring(yaml.indexOf('\n') + 1), StandardCharsets.UTF_8);
        }
        return changed;
    }

    private static int position(List<String> declared, CustomResourceColumnDefinition column, Path file) {
        int i = declared.indexOf(column.getJsonPath());
        if (i < 0) {
            throw new IllegalStateException(file + ": column " + column.getName() + " (" + column.getJsonPath()
                    + ") is not declared with @AdditionalPrinterColumn on the class, so its place is unknown");
        }
        return i;
    }
}
