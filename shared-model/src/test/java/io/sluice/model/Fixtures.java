package io.sluice.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the project's manifests the way the services do: through fabric8's serialization. */
public final class Fixtures {
    public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    static {
        Kinds.RESOURCE_CLASSES.forEach(SERIALIZATION::registerKubernetesResource);
        Kinds.LIST_KINDS.forEach(l -> SERIALIZATION.registerKubernetesResource(l.apiVersion(), l.kind(), l.type()));
    }

    public static final Path EXAMPLES = Path.of("..", "manifests", "examples", "podinfo");

    private Fixtures() {}

    public static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T extends HasMetadata> T example(String file, Class<T> type) {
        try (InputStream in = Files.newInputStream(EXAMPLES.resolve(file))) {
            return SERIALIZATION.unmarshal(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
