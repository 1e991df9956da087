package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.gloo.RouteTable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OwnRouteWritesTest {
    final OwnRouteWrites own = new OwnRouteWrites();

    static RouteTable at(String name, String version) {
        RouteTable rt = new RouteTable();
        rt.setMetadata(new ObjectMetaBuilder()
                .withNamespace("test")
                .withName(name)
                .withResourceVersion(version)
                .build());
        return rt;
    }

    @Test
    @DisplayName("the event of the version a write was answered with is its echo, once")
    void theWrittenVersionIsAnEchoOnce() {
        own.wrote(at("podinfo", "12"));
        assertThat(own.isEcho(at("podinfo", "12"))).isTrue();
        assertThat(own.isEcho(at("podinfo", "12")))
                .as("a second event of it is not silenced")
                .isFalse();
        assertThat(own.pending()).isZero();
    }

    @Test
    @DisplayName("an event of an older version is not the echo and keeps the write; a newer one forgets it")
    void otherVersionsAreNotEchoes() {
        own.wrote(at("podinfo", "12"));
        assertThat(own.isEcho(at("podinfo", "11")))
                .as("someone's change before the write")
                .isFalse();
        assertThat(own.isEcho(at("podinfo", "12"))).isTrue();

        own.wrote(at("podinfo", "20"));
        assertThat(own.isEcho(at("podinfo", "21")))
                .as("a change after the write, its echo missed")
                .isFalse();
        assertThat(own.pending()).isZero();
        assertThat(own.isEcho(at("podinfo", "20"))).isFalse();
    }

    @Test
    @DisplayName("writes of other tables, and answers without a version, silence nothing")
    void otherTablesAreNotEchoes() {
        own.wrote(at("podinfo", "12"));
        own.wrote(at("other", null));
        assertThat(own.isEcho(at("other", "12"))).isFalse();
        assertThat(own.isEcho(at("frontend", "12"))).isFalse();
        assertThat(own.isEcho(at("podinfo", "12"))).isTrue();
    }
}
