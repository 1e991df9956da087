package io.sluice.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads Kubernetes YAML manifests (one or many documents per file) as JSON trees. */
public final class Manifests {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  public static List<JsonObject> read(Path file) {
    try {
      List<JsonObject> out = new ArrayList<>();
      for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
        if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
          continue;
        }
        GenericKubernetesResource r = SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class);
        out.add(new JsonObject(SERIALIZATION.asJson(r)));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + file, e);
    }
  }

  /** Every manifest of a directory, files in name order. */
  public static List<JsonObject> readDir(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<JsonObject> out = new ArrayList<>();
      files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
          .forEach(f -> out.addAll(read(f)));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list manifests in " + dir, e);
    }
  }
}
