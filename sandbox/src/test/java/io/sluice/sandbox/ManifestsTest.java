package io.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    @Test
    void splitsDocumentsByTheYamlGrammarNotByLines() {
        String yaml = """
        # a comment before the first document
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: one
        data:
          script: |
            echo a
            ---
            echo b
        ---
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: two}
        spec: {size: 3}
        --- # a trailing document with only a comment
        """;
        List<JsonObject> docs = Manifests.parse(yaml);
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).getJsonObject("data").getString("script")).isEqualTo("echo a\n---\necho b\n");
        assertThat(docs.get(1).getString("kind")).isEqualTo("Widget");
        assertThat(docs.get(1).getJsonObject("spec").getInteger("size")).isEqualTo(3);
    }
}
