package io.sluice.analyzer;

import static io.sluice.analyzer.ShardLeases.GRACE_RETRIES;
import static io.sluice.analyzer.ShardLeases.SURPLUS_HOLD;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The balance rules of {@link ShardLeases} on a clock the test moves: which free shard a replica takes, and when it
 * gives one back. A share of two, a retry period of one second and a lease duration of ten.
 */
class ShardLeasesBalanceTest {
    static final int SHARE = 2;
    static final Duration RETRY = Duration.ofSeconds(1);
    static final Duration DURATION = Duration.ofSeconds(10);
    static final Duration GRACE = RETRY.multipliedBy(GRACE_RETRIES);
    static final Duration HOLD = DURATION.multipliedBy(SURPLUS_HOLD);
    static final Duration TICK = Duration.ofMillis(1);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final ShardLeases.Balance balance = new ShardLeases.Balance(SHARE, RETRY, DURATION);

    static Stream<Arguments> takes() {
        return Stream.of(
                Arguments.of("holding none, a shard free this instant is taken", 0, Duration.ZERO, true),
                Arguments.of("one below the share, a shard free this instant is taken", SHARE - 1, Duration.ZERO, true),
                Arguments.of("at the share, a shard free this instant waits", SHARE, Duration.ZERO, false),
                Arguments.of(
                        "at the share, a shard free a moment less than the grace waits",
                        SHARE,
                        GRACE.minus(TICK),
                        false),
                Arguments.of("at the share, a shard free for the whole grace is taken", SHARE, GRACE, true),
                Arguments.of("above the share, a shard free this instant waits", SHARE + 1, Duration.ZERO, false),
                Arguments.of("above the share, a shard free for the whole grace is taken", SHARE + 1, GRACE, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("takes")
    void take(String name, int held, Duration freeFor, boolean taken) {
        Instant now = clock.instant();
        assertThat(balance.take(held, now.minus(freeFor), true, now)).isEqualTo(taken);
    }

    @Test
    @DisplayName("at its share, a replica takes a free shard only once it stayed free for the grace's retry periods")
    void atTheShareAfterTheGrace() {
        Instant freeSince = clock.instant();
        for (int retries = 0; retries < GRACE_RETRIES; retries++) {
            assertThat(balance.take(SHARE, freeSince, true, clock.instant()))
                    .as("free for %d retry periods", retries)
                    .isFalse();
            clock.advance(RETRY);
        }
        assertThat(balance.take(SHARE, freeSince, true, clock.instant())).isTrue();
    }

    @Test
    @DisplayName("at or below its share, a replica gives nothing back")
    void nothingGivenBackAtTheShare() {
        assertThat(balance.giveBack(SHARE, clock.instant())).isFalse();
        assertThat(balance.giveBack(0, clock.instant())).isFalse();
    }

    @Test
    @DisplayName("above its share, a replica gives one shard back at once and the next one lease duration later")
    void oncePerLeaseDuration() {
        assertThat(balance.giveBack(SHARE + 2, clock.instant())).isTrue();
        clock.advance(DURATION.minus(TICK));
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isFalse();
        clock.advance(TICK);
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
        assertThat(balance.giveBack(SHARE + 1, clock.instant()))
                .as("twice in one instant")
                .isFalse();
    }

    @Test
    @DisplayName(
            "a replica that took beyond its share a shard whose Lease existed gives none back for the surplus hold")
    void surplusHold() {
        Instant freeSince = clock.instant();
        clock.advance(GRACE);
        Instant took = clock.instant();
        assertThat(balance.take(SHARE, freeSince, true, took)).isTrue();

        clock.advance(HOLD.minus(TICK));
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isFalse();
        clock.advance(TICK);
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
    }

    @Test
    @DisplayName("the surplus hold outlasts a give-back pause that started before it")
    void surplusHoldAfterAGiveBack() {
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
        assertThat(balance.take(SHARE, clock.instant().minus(GRACE), true, clock.instant()))
                .isTrue();
        clock.advance(DURATION);
        assertThat(balance.giveBack(SHARE + 1, clock.instant()))
                .as("one lease duration later, still within the hold")
                .isFalse();
        clock.advance(HOLD.minus(DURATION));
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
    }

    @Test
    @DisplayName("a shard whose Lease did not exist yet, taken beyond the share, is given back without a hold")
    void noHoldForAFirstInstall() {
        assertThat(balance.take(SHARE, clock.instant().minus(GRACE), false, clock.instant()))
                .isTrue();
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
    }

    @Test
    @DisplayName("a shard taken below the share starts no hold, whether or not its Lease existed")
    void noHoldBelowTheShare() {
        assertThat(balance.take(SHARE - 1, clock.instant(), true, clock.instant()))
                .isTrue();
        assertThat(balance.giveBack(SHARE + 1, clock.instant())).isTrue();
    }
}
