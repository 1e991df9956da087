package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TicksTest {

    @Test
    void aTickStartsAfterHalfAnIntervalOfQuietAndIsLateAgainstThePreviousStart() {
        Ticks t = new Ticks(60_000);
        t.measure();
        t.seen("ns/a", 1_000); // first tick seen: counted, nothing to be late against
        t.seen("ns/a", 1_200); // the same tick's next check
        t.seen("ns/a", 61_700); // the next tick, 700 ms after one interval from the first start
        t.seen("ns/b", 5_000);
        t.seen("ns/b", 64_000); // 1 s early: a negative lateness, kept as measured
        Ticks.Result r = t.stop();
        assertThat(r.ticks()).isEqualTo(4);
        assertThat(r.latenessMs()).containsExactly(700L, -1_000L);
        assertThat(r.percentile(100)).isEqualTo(700);
        assertThat(r.percentile(50)).isEqualTo(-1_000);
    }

    @Test
    void nothingIsCountedOutsideTheMeasuredWindow() {
        Ticks t = new Ticks(10_000);
        t.seen("ns/a", 0);
        t.measure();
        t.seen("ns/a", 10_300);
        assertThat(t.stop()).isEqualTo(new Ticks.Result(1, List.of(300L), List.of(), new Ticks.Spread(1, 1, 1, 1, 0)));
        t.seen("ns/a", 20_300);
        assertThat(t.stop().ticks()).isZero();
    }

    @Test
    void ticksASecondOrMoreLateAreCountedByTheSecondTheyStartedIn() {
        Ticks t = new Ticks(10_000);
        long at = 1_796_000_000_000L; // 2026-11-30T00:53:20Z
        t.seen("ns/a", at);
        t.seen("ns/b", at);
        t.seen("ns/c", at);
        t.measure();
        t.seen("ns/a", at + 10_999); // 999 ms: not late enough
        t.seen("ns/b", at + 11_000); // 1 s, in the second at + 11 s
        t.seen("ns/c", at + 11_900); // 1.9 s, the same second
        t.seen("ns/a", at + 23_500); // 2.501 s after a's tick at + 10.999 s
        Ticks.Result r = t.stop();
        assertThat(r.late())
                .containsExactly(
                        new Ticks.LateSecond(at / 1000 + 11, 2, 1_900), new Ticks.LateSecond(at / 1000 + 23, 1, 2_501));
        assertThat(r.describeLate(1))
                .containsExactly(
                        "ticks at least 1 s late, by the second (UTC) they started in: 3 in 2 seconds; the 1 with the"
                                + " most",
                        "  00:53:31 2 (up to 1.90 s)");
        assertThat(r.describeLate(5)).hasSize(3).endsWith("  00:53:43 1 (up to 2.50 s)");
    }

    @Test
    void theSpreadCountsTicksPerSecondFromTheFirstToTheLastIncludingEmptySeconds() {
        Ticks t = new Ticks(60_000);
        t.measure();
        t.seen("ns/a", 10_000);
        t.seen("ns/b", 10_500);
        t.seen("ns/c", 10_900);
        t.seen("ns/d", 13_100); // seconds 10 (3 ticks), 11 and 12 (none), 13 (1)
        Ticks.Spread s = t.stop().spread();
        assertThat(s).isEqualTo(new Ticks.Spread(4, 1.0, 3, 3, 2));
        assertThat(s.toString())
                .isEqualTo("ticks started per second over 4 s: mean 1.0, p99 3, busiest 3; 2 seconds without one");
        assertThat(new Ticks(1).stop().spread()).isEqualTo(Ticks.Spread.NONE);
    }

    @Test
    void durationsReadAsTheMakeTargetPassesThem() {
        assertThat(ScaleBench.parse("90s").toSeconds()).isEqualTo(90);
        assertThat(ScaleBench.parse("3m").toSeconds()).isEqualTo(180);
        assertThat(ScaleBench.parse("500ms").toMillis()).isEqualTo(500);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScaleBench.parse("3 minutes"))
                .hasMessageContaining("not a duration: '3 minutes'");
    }
}
