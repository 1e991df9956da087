package io.sluice.sandbox.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableStatusTest {

    static final JsonObject PARENT = new JsonObject("""
      {"metadata": {"name": "podinfo", "namespace": "test", "generation": 1},
       "spec": {"hosts": ["podinfo.test.svc.cluster.local"],
                "http": [{"delegate": {"routeTables": [{"name": "podinfo-delegate", "namespace": "test"}]}}]}}
      """);

    static JsonObject delegate(int primary, int canary) {
        return new JsonObject("""
        {"metadata": {"name": "podinfo-delegate", "namespace": "test", "generation": 4},
         "spec": {"http": [{"name": "weighted-route", "forwardTo": {"destinations": [
           {"ref": {"name": "podinfo-primary"}, "weight": %d}, {"ref": {"name": "podinfo-canary"}, "weight": %d}]}}]}}
        """.formatted(primary, canary));
    }

    static JsonObject state(JsonObject status) {
        return status.getJsonObject("common").getJsonObject("State");
    }

    @Test
    void acceptedDelegateCarriesItsGenerationAndParentCount() {
        JsonObject child = delegate(70, 30);
        JsonObject status = RouteTableStatus.of(child, List.of(PARENT, child));
        assertThat(state(status).getString("approval")).isEqualTo("ACCEPTED");
        assertThat(state(status).getLong("observedGeneration")).isEqualTo(4L);
        assertThat(status.getLong("numParentRouteTables")).isEqualTo(1L);
    }

    @Test
    void weightsNotSummingToHundredAreInvalid() {
        JsonObject child = delegate(50, 60);
        JsonObject status = RouteTableStatus.of(child, List.of(PARENT, child));
        assertThat(state(status).getString("approval")).isEqualTo("INVALID");
        assertThat(state(status).getString("message")).contains("sum to 110");
    }

    @Test
    void allZeroWeightsAreInvalid() {
        JsonObject child = delegate(0, 0);
        assertThat(state(RouteTableStatus.of(child, List.of(PARENT, child))).getString("approval"))
                .isEqualTo("INVALID");
    }

    @Test
    void undelegatedTableHasNoParents() {
        JsonObject child = delegate(100, 0);
        assertThat(RouteTableStatus.of(child, List.of(child)).getLong("numParentRouteTables"))
                .isZero();
    }
}
