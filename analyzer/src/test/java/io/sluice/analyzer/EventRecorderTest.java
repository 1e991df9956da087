package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.decision.Action.EmitEvent.Type;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SeededApi.PerTest.class)
class EventRecorderTest {
    @Test
    @DisplayName(
            "a repeated Event raises the count it remembers without a read; after a restart the count is read once")
    void remembersTheCountsItWrote(SeededApi api) {
        Kube kube = api.kube(() -> true);
        TestGates gates = new TestGates();
        Canary canary = api.cluster.canary();
        Action.EmitEvent done = new Action.EmitEvent(Type.Normal, "Initialization done! podinfo.test", Map.of());
        EventRecorder recorder = new EventRecorder(kube, gates, java.time.Clock.systemUTC(), "test");
        int from = api.cluster.requests.size();
        await(recorder.record(canary, done));
        await(recorder.record(canary, done));
        assertThat(api.cluster.requestsSince(from)).noneMatch(r -> r.startsWith("GET "));

        EventRecorder restarted = new EventRecorder(kube, gates, java.time.Clock.systemUTC(), "test");
        await(restarted.record(canary, done));

        assertThat(api.cluster.events()).singleElement().satisfies(e -> {
            assertThat(e.getCount()).isEqualTo(3);
            assertThat(e.getMessage()).isEqualTo("Initialization done! podinfo.test");
            assertThat(e.getSource().getComponent()).isEqualTo("sluice");
        });
        assertThat(gates.events)
                .containsExactly(
                        "Normal Initialization done! podinfo.test",
                        "Normal Initialization done! podinfo.test",
                        "Normal Initialization done! podinfo.test");
    }
}
