package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.bench.HeapTrend.Growth;
import io.sluice.bench.HeapTrend.Sample;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A soak's live heap: slopes over all samples and over the second half, and the classes that grew. */
class HeapTrendTest {
    static final long MIB = 1024 * 1024;

    /** Samples every five minutes from minute 0, in MiB. */
    static List<Sample> everyFiveMinutes(double... mib) {
        return IntStream.range(0, mib.length)
                .mapToObj(i -> new Sample(5.0 * i, Math.round(mib[i] * MIB)))
                .toList();
    }

    @Test
    void theSlopeIsTheLeastSquaresFitOverEverySample() {
        assertThat(HeapTrend.slope(everyFiveMinutes(100, 110, 118, 130))).isCloseTo(1.96, within(1e-9));
    }

    @Test
    void aFillAtTheStartBendsTheWholeSlopeButNotTheSecondHalfs() {
        List<Sample> samples = everyFiveMinutes(300, 330, 336, 336, 336);

        assertThat(HeapTrend.slope(samples)).isCloseTo(1.56, within(1e-9));
        assertThat(HeapTrend.secondHalf(samples)).extracting(Sample::minute).containsExactly(10.0, 15.0, 20.0);
        assertThat(HeapTrend.slope(HeapTrend.secondHalf(samples))).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void aLeakKeepsBothSlopes() {
        List<Sample> samples = everyFiveMinutes(300, 302, 304, 306, 308);

        assertThat(HeapTrend.slope(samples)).isCloseTo(0.4, within(1e-9));
        assertThat(HeapTrend.slope(HeapTrend.secondHalf(samples))).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void fewerThanTwoSamplesHaveNoSlope() {
        assertThat(HeapTrend.slope(everyFiveMinutes(300))).isNaN();
        assertThat(HeapTrend.slope(List.of())).isNaN();
        // Of two samples, the second half holds the last only.
        assertThat(HeapTrend.slope(HeapTrend.secondHalf(everyFiveMinutes(300, 310))))
                .isNaN();
    }

    @Test
    void theClassesThatGrewMostComeFirstAndTheOthersAreLeftOut() {
        Map<String, Long> first = Map.of("A", 100L, "B", 500L, "C", 300L, "D", 50L);
        Map<String, Long> last = Map.of("A", 400L, "B", 500L, "C", 100L, "E", 250L, "F", 300L);

        assertThat(HeapTrend.grewMost(first, last, 10))
                .containsExactly(new Growth("A", 100, 400), new Growth("F", 0, 300), new Growth("E", 0, 250));
        assertThat(HeapTrend.grewMost(first, last, 2))
                .containsExactly(new Growth("A", 100, 400), new Growth("F", 0, 300));
    }

    @Test
    void replicasSampledTogetherSumAtTheFirstSeriesMinutes() {
        List<Sample> a = List.of(new Sample(0, 10), new Sample(5, 20));
        List<Sample> b = List.of(new Sample(0.1, 1), new Sample(5.1, 2));

        assertThat(HeapTrend.sum(List.of(a, b))).containsExactly(new Sample(0, 11), new Sample(5, 22));
    }

    @Test
    void theReportListsSamplesSlopesAndGrowth() {
        List<Sample> samples = everyFiveMinutes(300, 330, 336, 336, 336);

        assertThat(HeapTrend.report("analyzer", samples, List.of(new Growth("[B", 2 * MIB, 5 * MIB + MIB / 2))))
                .containsExactly(
                        "analyzer live heap samples (minute: MiB): 0.0: 300.0; 5.0: 330.0; 10.0: 336.0; 15.0: 336.0;"
                                + " 20.0: 336.0",
                        "analyzer live heap slope: +1.560 MiB per minute over all 5 samples, +0.000 over the window's"
                                + " second half (3 samples)",
                        "analyzer classes whose live bytes grew most from the first sample to the last:",
                        "  +3.50 MiB  [B (2.00 -> 5.50 MiB)");
        assertThat(HeapTrend.report("all", everyFiveMinutes(300), null))
                .containsExactly(
                        "all live heap samples (minute: MiB): 0.0: 300.0",
                        "all live heap slope: n/a MiB per minute over all 1 samples, n/a over the window's second half"
                                + " (1 samples)");
    }

    @Test
    void theSoakSamplesEveryFiveMinutesUnlessToldOtherwise() {
        ScaleBench defaults = new ScaleBench();
        new picocli.CommandLine(defaults).parseArgs("--repo", ".", "--soak");
        ScaleBench every = new ScaleBench();
        new picocli.CommandLine(every).parseArgs("--repo", ".", "--soak", "--heap-every", "90s");

        assertThat(defaults.heapEvery).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(every.heapEvery).isEqualTo(java.time.Duration.ofSeconds(90));
    }

    @Test
    void aClassHistogramIsReadWithEveryClassByName() {
        List<String> out = List.of(
                "25584:",
                " num     #instances         #bytes  class name (module)",
                "-------------------------------------------------------",
                "   1:         16472        1234568  [B (java.base@17.0.15)",
                "   2:          3001          72024  java.lang.String (java.base@17.0.15)",
                "   3:            10            640  io.sluice.Cached",
                "   4:             5            320  io.sluice.Cached",
                "Total         19488        1307552");

        ChildJvm.Histogram h = ChildJvm.Histogram.parse(out, 2);

        assertThat(h.totalBytes()).isEqualTo(1_307_552);
        assertThat(h.top())
                .containsExactly(
                        "1:         16472        1234568  [B (java.base@17.0.15)",
                        "2:          3001          72024  java.lang.String (java.base@17.0.15)");
        assertThat(h.bytesByClass())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("[B", 1_234_568L, "java.lang.String", 72_024L, "io.sluice.Cached", 960L));
        assertThat(ChildJvm.Histogram.parse(List.of("25584:", "no such command"), 2))
                .isNull();
    }
}
