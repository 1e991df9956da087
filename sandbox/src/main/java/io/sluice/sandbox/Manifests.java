package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.type.TypeReference;

/** Reads Kubernetes YAML manifests (one or many documents per file) as JSON trees. */
public final class Manifests {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Manifests() {}

    public static List<JsonObject> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + file, e);
        }
    }

    /** The documents of a YAML stream (empty ones skipped), split by the YAML parser, not by lines. */
    public static List<JsonObject> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                new TypeReference<GenericKubernetesResource>() {});
        List<JsonObject> out = new ArrayList<>();
        for (Object doc : parsed instanceof List<?> list ? list : java.util.Collections.singletonList(parsed)) {
            if (doc != null) {
                out.add(new JsonObject(SERIALIZATION.asJson(doc)));
            }
        }
        return out;
    }

    /** Every manifest of a directory, files in name order. */
    public static List<JsonObject> readDir(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<JsonObject> out = new ArrayList<>();
            files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .forEach(f -> out.addAll(read(f)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list manifests in " + dir, e);
        }
    }
}
