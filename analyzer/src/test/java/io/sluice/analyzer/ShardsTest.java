package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shard of a Canary must never change between JVMs or Sluice versions: the hash is pinned here to FNV-1a's
 * published test vectors and to a few assignments, which a change of the function would break.
 */
class ShardsTest {

    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of("", 0x811c9dc5), Arguments.of("a", 0xe40c292c), Arguments.of("foobar", 0xbf9cf968));
    }

    @ParameterizedTest(name = "FNV-1a of \"{0}\" is the published value")
    @MethodSource("vectors")
    void publishedVectors(String input, int expected) {
        assertThat(Shards.fnv1a(input)).isEqualTo(expected);
    }

    static Stream<Arguments> assignments() {
        return Stream.of(
                // FNV-1a of "test/podinfo" is 0x3a6e4019.
                Arguments.of("test", "podinfo", 3, 2),
                Arguments.of("test", "podinfo", 1, 0),
                // Non-ASCII names hash their UTF-8 bytes (0xe28718f0 here), not UTF-16 chars.
                Arguments.of("équipe", "café", 7, 6));
    }

    @ParameterizedTest(name = "{0}/{1} among {2} shards is shard {3}")
    @MethodSource("assignments")
    void assignment(String ns, String name, int count, int shard) {
        assertThat(Shards.of(ns, name, count)).isEqualTo(shard);
        assertThat(Shards.of(ns + "/" + name, count)).isEqualTo(shard);
    }

    @Test
    void oneShardKeepsTheLeaseName() {
        assertThat(Shards.leaseName("sluice-analyzer-leader", 0, 1)).isEqualTo("sluice-analyzer-leader");
        assertThat(Shards.leaseName("sluice-analyzer-leader", 2, 3)).isEqualTo("sluice-analyzer-leader-shard-2");
    }

    @Test
    void noShardCountBelowOne() {
        assertThatThrownBy(() -> Shards.of("a", "b", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spreadsCanariesOverEveryShard() {
        int[] seen = new int[3];
        for (int i = 0; i < 300; i++) {
            seen[Shards.of("apps", "canary-" + i, 3)]++;
        }
        for (int n : seen) {
            assertThat(n).isBetween(70, 130);
        }
    }
}
