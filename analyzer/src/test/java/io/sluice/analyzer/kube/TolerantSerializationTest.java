package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.Kinds;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryList;
import org.junit.jupiter.api.Test;

class TolerantSerializationTest {

    static String canary(String name, String extraSpec) {
        return "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"test\",\"uid\":\"uid-" + name + "\",\"resourceVersion\":\"7\"},"
                + "\"spec\":{" + extraSpec + "\"targetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                + "\"name\":\"" + name + "\"},\"service\":{\"port\":9898}}}";
    }

    static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    static String list(String... items) {
        return "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"CanaryList\",\"metadata\":{},\"items\":["
                + String.join(",", items) + "]}";
    }

    static KubernetesSerialization registered(KubernetesSerialization json) {
        Kinds.RESOURCE_CLASSES.forEach(json::registerKubernetesResource);
        Kinds.LIST_KINDS.forEach(l -> json.registerKubernetesResource(l.apiVersion(), l.kind(), l.type()));
        return json;
    }

    @Test
    void a_canary_nested_2000_levels_deep_does_not_fail_the_list_and_the_others_decode() {
        String body = list(
                canary("deep", "\"preserved\":" + nested(2000) + ","),
                canary("podinfo", ""),
                canary("wrong", "\"progressDeadlineSeconds\":\"soon\","));
        CanaryList decoded = registered(TolerantSerialization.create()).unmarshal(body, CanaryList.class);
        assertThat(decoded.getItems()).hasSize(3);
        Canary deep = decoded.getItems().get(0);
        assertThat(deep).isInstanceOf(UndecodableCanary.class);
        assertThat(((UndecodableCanary) deep).problem()).isEqualTo("nested deeper than 100 levels");
        assertThat(deep.getMetadata().getUid()).isEqualTo("uid-deep");
        Canary good = decoded.getItems().get(1);
        assertThat(good).isNotInstanceOf(UndecodableCanary.class);
        assertThat(good.getSpec().targetRef.name).isEqualTo("podinfo");
        assertThat(decoded.getItems().get(2)).isInstanceOf(UndecodableCanary.class);
        assertThat(((UndecodableCanary) decoded.getItems().get(2)).problem())
                .contains("progressDeadlineSeconds")
                .contains("soon");
    }

    @Test
    void the_default_serialization_fails_the_whole_list_on_one_deep_canary() {
        String body = list(canary("deep", "\"preserved\":" + nested(2000) + ","), canary("ok", ""));
        assertThatThrownBy(() -> registered(new KubernetesSerialization()).unmarshal(body, CanaryList.class))
                .as("why the analyzer needs its own")
                .rootCause()
                .hasMessageContaining("nesting depth");
    }

    @Test
    void a_canary_deeper_than_the_api_server_allows_is_still_refused() {
        assertThatThrownBy(() -> TolerantSerialization.create()
                        .unmarshal(
                                canary("x", "\"x\":" + nested(TolerantSerialization.MAX_PARSER_DEPTH + 5) + ","),
                                Canary.class))
                .rootCause()
                .hasMessageContaining("nesting depth");
    }

    @Test
    void depth_counts_a_scalar_one_level_below_its_container_so_100_levels_decode_and_101_do_not() {
        KubernetesSerialization json = TolerantSerialization.create();
        // Levels: the Canary 1, spec 2, the nested objects 3..k+2, the scalar k+3.
        Canary at100 = json.unmarshal(canary("edge", "\"preserved\":" + nested(97) + ","), Canary.class);
        assertThat(at100).isNotInstanceOf(UndecodableCanary.class);
        assertThat(at100.getSpec().targetRef.name).isEqualTo("edge");
        Canary at101 = json.unmarshal(canary("over", "\"preserved\":" + nested(98) + ","), Canary.class);
        assertThat(((UndecodableCanary) at101).problem()).isEqualTo("nested deeper than 100 levels");
        assertThat(at101.getMetadata().getName()).isEqualTo("over");
    }

    @Test
    void the_bean_deserializer_is_built_once_however_many_canaries_the_watch_path_decodes() {
        KubernetesSerialization json = registered(TolerantSerialization.create());
        int before = TolerantSerialization.Tolerant.BUILT.get();
        for (int i = 0; i < 3; i++) {
            // Without a type, as a watch event's object: the client reads a tree, then the value of its kind.
            Object decoded = json.unmarshal(canary("c" + i, ""));
            assertThat(((Canary) decoded).getMetadata().getName()).isEqualTo("c" + i);
        }
        assertThat(TolerantSerialization.Tolerant.BUILT.get() - before).isEqualTo(1);
    }

    @Test
    void a_route_table_is_decoded_as_a_bean_not_through_the_clients_lookup_by_kind() {
        // The lookup by kind (what made every RouteTable watch event build a new deserializer) would answer a Canary
        // for this text; a bean deserializer reads it as the RouteTable asked for.
        Object decoded = registered(TolerantSerialization.create())
                .unmarshal(
                        "{\"apiVersion\":\"flagger.app/v1beta1\",\"kind\":\"Canary\",\"metadata\":{\"name\":\"x\"}}",
                        io.sluice.model.gloo.RouteTable.class);
        assertThat(decoded).isInstanceOf(io.sluice.model.gloo.RouteTable.class);
    }
}
