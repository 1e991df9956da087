package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class ReplicaGuardTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "a scale-up by Git keeps the stored count and records the wish",
                        "{\"spec\":{\"replicas\":0}}",
                        "{\"spec\":{\"replicas\":3}}",
                        "{\"metadata\":{\"annotations\":{\"sluice.io/desired-replicas\":\"3\"}},\"spec\":{\"replicas\":0}}"),
                Arguments.of(
                        "existing annotations are kept beside the new one",
                        "{\"spec\":{\"replicas\":2}}",
                        "{\"metadata\":{\"annotations\":{\"a\":\"b\"}},\"spec\":{\"replicas\":5}}",
                        "{\"metadata\":{\"annotations\":{\"a\":\"b\",\"sluice.io/desired-replicas\":\"5\"}},\"spec\":{\"replicas\":2}}"),
                Arguments.of(
                        "a dropped replicas field is the default of one",
                        "{\"spec\":{\"replicas\":0}}",
                        "{\"spec\":{}}",
                        "{\"metadata\":{\"annotations\":{\"sluice.io/desired-replicas\":\"1\"}},\"spec\":{\"replicas\":0}}"),
                Arguments.of(
                        "an unchanged count changes nothing",
                        "{\"spec\":{\"replicas\":2}}",
                        "{\"spec\":{\"replicas\":2}}",
                        null),
                Arguments.of(
                        "no stored count means nothing to keep", "{\"spec\":{}}", "{\"spec\":{\"replicas\":2}}", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsTheStoredReplicas(String name, String stored, String requested, String expected) {
        ObjectNode mutable = (ObjectNode) Fixtures.json(requested);

        boolean changed = ReplicaGuard.keepStoredReplicas(Fixtures.json(stored), mutable);

        assertThat(changed).isEqualTo(expected != null);
        assertThat(mutable).isEqualTo(Fixtures.json(expected == null ? requested : expected));
        // A second pass over its own output is a fixed point.
        assertThat(ReplicaGuard.keepStoredReplicas(Fixtures.json(stored), mutable))
                .isFalse();
    }
}
