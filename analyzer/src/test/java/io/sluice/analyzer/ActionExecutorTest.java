package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.decision.Alerts;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.Canary;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SeededApi.PerTest.class)
class ActionExecutorTest {
    @Test
    void anAlertReachesTheNotifierAsTheDecisionWroteIt(SeededApi api) {
        List<String> sent = new CopyOnWriteArrayList<>();
        TestGates gates = new TestGates() {
            @Override
            public void alert(Canary canary, String message, Severity severity, boolean withMetadata) {
                sent.add(canary.key() + " " + severity + " " + withMetadata + " " + message);
            }
        };
        Kube kube = api.kube(() -> true);
        ActionExecutor executor = new ActionExecutor(
                kube,
                new ClusterView(api.cluster.caches(), kube),
                Settings.defaults(),
                gates,
                gates,
                new EventRecorder(kube, gates, Clock.systemUTC(), "test"));
        Canary canary = api.cluster.canary();
        Alerts.Alert alert = Alerts.holdDeadlineExceeded(Duration.ofSeconds(60));
        Snapshot nothingRead =
                Snapshot.blocked(canary, Observations.builder("podinfo", "test").build());

        await(executor.run(
                nothingRead, List.of(new Action.SendAlert(alert.message(), alert.severity(), alert.withMetadata()))));

        assertThat(sent).containsExactly("podinfo.test ERROR false Rolling back: no metric data for 1m0s");
    }
}
