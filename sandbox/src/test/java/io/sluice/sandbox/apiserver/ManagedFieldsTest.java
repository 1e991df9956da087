package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManagedFieldsTest {

    static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    static final Instant T1 = Instant.parse("2026-12-05T12:01:00Z");

    static JsonObject deployment(String image, String envName) {
        JsonObject container = new JsonObject().put("name", "podinfod").put("image", image);
        if (envName != null) {
            container.put(
                    "env",
                    new io.vertx.core.json.JsonArray()
                            .add(new JsonObject().put("name", envName).put("value", "1")));
        }
        return new JsonObject()
                .put("apiVersion", "apps/v1")
                .put("kind", "Deployment")
                .put("metadata", new JsonObject().put("name", "podinfo").put("namespace", "test"))
                .put(
                        "spec",
                        new JsonObject()
                                .put("replicas", 2)
                                .put(
                                        "template",
                                        new JsonObject()
                                                .put(
                                                        "spec",
                                                        new JsonObject()
                                                                .put(
                                                                        "containers",
                                                                        new io.vertx.core.json.JsonArray()
                                                                                .add(container)))));
    }

    @Test
    void updateTakesTheChangedFieldsFromTheApplier() {
        JsonObject live = deployment("podinfo:1", null);
        ManagedFields.recordCreateByApply(live, deployment("podinfo:1", null), "flux", "apps/v1", T0);
        JsonObject next = deployment("podinfo:2", null)
                .put("metadata", live.getJsonObject("metadata").copy());
        ManagedFields.recordUpdate(live, next, "kubectl-set", null, "apps/v1", T1);
        JsonObject set =
                next.getJsonObject("metadata").getJsonArray("managedFields").getJsonObject(1);
        assertThat(set.getString("operation")).isEqualTo("Update");
        assertThat(set.getJsonObject("fieldsV1").encode())
                .isEqualTo("{\"f:spec\":{\"f:template\":{\"f:spec\":"
                        + "{\"f:containers\":{\"k:{\\\"name\\\":\\\"podinfod\\\"}\":{\"f:image\":{}}}}}}}");
        JsonObject flux =
                next.getJsonObject("metadata").getJsonArray("managedFields").getJsonObject(0);
        assertThat(flux.getJsonObject("fieldsV1").encode())
                .doesNotContain("f:image")
                .contains("f:replicas");
    }

    @Test
    void aConflictIsTheApiServers409WithOneCausePerField() {
        JsonObject live = deployment("podinfo:1", null);
        ManagedFields.recordCreateByApply(live, deployment("podinfo:1", null), "flux", "apps/v1", T0);
        JsonObject next = deployment("podinfo:2", null)
                .put("metadata", live.getJsonObject("metadata").copy());
        ManagedFields.recordUpdate(live, next, "kubectl-set", null, "apps/v1", T1);

        assertThatThrownBy(() -> ManagedFields.apply(next, deployment("podinfo:3", null), "flux", false, "apps/v1", T1))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code).isEqualTo(409);
                    assertThat(e.reason).isEqualTo("Conflict");
                    assertThat(e.getMessage())
                            .isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl-set\" using "
                                    + "apps/v1: .spec.template.spec.containers[name=\"podinfod\"].image");
                    JsonObject cause = e.status()
                            .getJsonObject("details")
                            .getJsonArray("causes")
                            .getJsonObject(0);
                    assertThat(cause.getString("type")).isEqualTo("FieldManagerConflict");
                    assertThat(cause.getString("field"))
                            .isEqualTo(".spec.template.spec.containers[name=\"podinfod\"].image");
                    assertThat(cause.getString("message")).isEqualTo("conflict with \"kubectl-set\" using apps/v1");
                });

        JsonObject forced = ManagedFields.apply(next, deployment("podinfo:3", "A"), "flux", true, "apps/v1", T1);
        assertThat(forced.getJsonObject("spec")
                        .getJsonObject("template")
                        .getJsonObject("spec")
                        .getJsonArray("containers")
                        .getJsonObject(0)
                        .getString("image"))
                .isEqualTo("podinfo:3");
        // kubectl-set owned nothing else, so its entry goes.
        assertThat(forced.getJsonObject("metadata").getJsonArray("managedFields"))
                .hasSize(1);
    }

    @Test
    void sameValueIsNoConflictAndListElementsMergeByKey() {
        JsonObject live = deployment("podinfo:1", "A");
        ManagedFields.recordUpdate(null, live, "kubectl-create", null, "apps/v1", T0);
        JsonObject merged = ManagedFields.apply(live, deployment("podinfo:1", "B"), "flux", false, "apps/v1", T1);
        assertThat(merged.getJsonObject("spec")
                        .getJsonObject("template")
                        .getJsonObject("spec")
                        .getJsonArray("containers")
                        .getJsonObject(0)
                        .getJsonArray("env"))
                .hasSize(2);
        assertThat(merged.getJsonObject("metadata").getJsonArray("managedFields"))
                .hasSize(2);
    }

    @Test
    void pathsRenderAsConflictMessagesPrintThem() {
        assertThat(ManagedFields.render(
                        java.util.List.of("f:spec", "f:ports", "k:{\"port\":80,\"protocol\":\"TCP\"}", "f:targetPort")))
                .isEqualTo(".spec.ports[port=80,protocol=\"TCP\"].targetPort");
    }
}
