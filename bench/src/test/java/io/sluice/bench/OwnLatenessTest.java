package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The analyzer's own tick lateness over a window, from two readings of its histogram. */
class OwnLatenessTest {
    static List<String> exposition(long... cumulative) {
        String[] bounds = {"0.005", "0.1", "1.0", "+Inf"};
        List<String> lines = new java.util.ArrayList<>(List.of(
                "# HELP sluice_tick_lateness_seconds How long after it was due an analysis tick's reconcile started.",
                "# TYPE sluice_tick_lateness_seconds histogram"));
        for (int i = 0; i < bounds.length; i++) {
            lines.add("sluice_tick_lateness_seconds_bucket{le=\"" + bounds[i] + "\"} " + cumulative[i]);
        }
        lines.add("sluice_tick_lateness_seconds_count " + cumulative[bounds.length - 1]);
        lines.add("sluice_reconcile_duration_seconds_bucket{result=\"ok\",le=\"0.005\"} 99");
        return lines;
    }

    @Test
    void theWindowIsTheEndLessTheStart() {
        OwnLateness start = OwnLateness.parse(exposition(900, 950, 990, 1000));
        OwnLateness end = OwnLateness.parse(exposition(1800, 1935, 1989, 2000));

        OwnLateness window = end.since(start);

        // 900 within 5 ms, 85 more within 0.1 s, 14 more within 1 s, 1 later.
        assertThat(window.ticks()).isEqualTo(1000);
        assertThat(window.atMost(50)).isEqualTo(0.005);
        assertThat(window.atMost(99)).isEqualTo(1.0);
        assertThat(window.atMost(100)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(window.within(0.1)).isEqualTo(0.985);
        assertThat(window.cell()).isEqualTo("≤ 0.005 / ≤ 1.000 / ≤ +Inf");
        assertThat(window.describe())
                .isEqualTo("the analyzer's own tick lateness over the window: 1000 ticks; 90.0% ≤ 0.005 s;"
                        + " 98.5% ≤ 0.100 s; 99.9% ≤ 1.000 s");
    }

    @Test
    void replicasAreSummedBucketByBucket() {
        OwnLateness a = OwnLateness.parse(exposition(10, 10, 10, 10));
        OwnLateness b = OwnLateness.parse(exposition(0, 0, 5, 10));

        OwnLateness both = a.plus(b);

        assertThat(both.ticks()).isEqualTo(20);
        assertThat(both.atMost(50)).isEqualTo(0.005);
        assertThat(both.atMost(75)).isEqualTo(1.0);
    }

    @Test
    void anUnreadHistogramSaysSo() {
        OwnLateness none = OwnLateness.parse(List.of("sluice_reconcile_duration_seconds_count 3"));

        assertThat(none.ticks()).isZero();
        assertThat(none.atMost(99)).isNaN();
        assertThat(none.cell()).isEqualTo("not read");
        assertThat(OwnLateness.NONE.since(OwnLateness.NONE).describe())
                .isEqualTo("the analyzer's own tick lateness: not read");
    }

    @Test
    void longCollectionsAreCountedApart() {
        try (Pauses p = new Pauses()) {
            p.record(40);
            p.record(1500);
            p.record(999);

            assertThat(p.describe())
                    .isEqualTo("the benchmark process's garbage collections over the window: 3, 2.5 s in all, the"
                            + " longest 1.50 s, 1 of a second or more");
        }
    }
}
