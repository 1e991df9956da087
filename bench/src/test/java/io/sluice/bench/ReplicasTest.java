package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicasTest {

    @Test
    void oneReplicaRunsAsTheBenchmarkAlwaysRanTheAnalyzer() {
        assertThat(Replicas.electionFlags(1)).containsExactly("--no-leader-election");
        assertThat(Replicas.identity(0, 1)).isEqualTo("sluice-analyzer-bench");
        assertThat(Replicas.file(0, 1, "log")).isEqualTo("analyzer.log");
    }

    @Test
    void threeReplicasShareThreeShardsUnderLeaderElectionEachUnderItsOwnName() {
        assertThat(Replicas.electionFlags(3))
                .contains("--leader-election", "--shards=3", "--replicas=3")
                .doesNotContain("--no-leader-election");
        assertThat(List.of(Replicas.identity(0, 3), Replicas.identity(1, 3), Replicas.identity(2, 3)))
                .doesNotHaveDuplicates();
        assertThat(List.of(Replicas.file(0, 3, "log"), Replicas.file(1, 3, "log"), Replicas.file(2, 3, "log")))
                .doesNotHaveDuplicates();
        assertThat(Replicas.leasePath(2)).endsWith("/leases/" + Replicas.LEASE_NAME + "-shard-2");
        assertThatThrownBy(() -> Replicas.electionFlags(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theShardsAreSpreadOnlyOnceEveryReplicaHoldsOne() {
        List<String> ids = List.of("a", "b", "c");
        Map<String, List<Integer>> early = Replicas.held(ids, Arrays.asList("a", "a", null));
        assertThat(early).containsEntry("a", List.of(0, 1)).containsEntry("b", List.of());
        assertThat(Replicas.spread(early)).isFalse();
        Map<String, List<Integer>> later = Replicas.held(ids, List.of("a", "c", "b"));
        assertThat(later)
                .containsEntry("a", List.of(0))
                .containsEntry("b", List.of(2))
                .containsEntry("c", List.of(1));
        assertThat(Replicas.spread(later)).isTrue();
    }

    @Test
    void aLeaseHolderIsReadFromItsSpec() {
        assertThat(Replicas.holder(null)).isNull();
        assertThat(Replicas.holder("{\"spec\":{\"holderIdentity\":\"\"}}")).isNull();
        assertThat(Replicas.holder("{\"spec\":{\"holderIdentity\":\"b\",\"leaseDurationSeconds\":60}}"))
                .isEqualTo("b");
    }

    @Test
    void theSumAddsEveryReplicasFiguresAndItsRowIsPerTickOverEveryTick() {
        Replicas.Figures sum = Replicas.Figures.sum(List.of(
                new Replicas.Figures(100L << 20, 300 * 1024, 1_000, 40),
                new Replicas.Figures(120L << 20, 310 * 1024, 2_000, 60)));
        assertThat(sum).isEqualTo(new Replicas.Figures(220L << 20, 610 * 1024, 3_000, 100));
        assertThat(Replicas.row(1000, "all", "0,1", sum, 100, 10))
                .isEqualTo("| 1000 | all | 0,1 | 220 | 610 | 30.00 | 0.300 | 1.0 |");
    }

    @Test
    void aReconcileCountThatCouldNotBeReadIsNotApplicableNotNegative() {
        Replicas.Figures sum = Replicas.Figures.sum(List.of(
                new Replicas.Figures(100L << 20, 300 * 1024, 1_000, 40),
                new Replicas.Figures(100L << 20, 300 * 1024, 1_000, -1)));
        assertThat(sum.reconciles()).isEqualTo(-1);
        assertThat(Replicas.perTick(sum.reconciles(), 100)).isEqualTo("n/a");
        assertThat(Replicas.perTick(250, 100)).isEqualTo("2.5");
    }
}
