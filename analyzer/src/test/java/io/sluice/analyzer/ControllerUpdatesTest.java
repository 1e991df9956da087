package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which updates of a Canary the controller reconciles at once, and which (its own status writes) it does not. */
class ControllerUpdatesTest {

    static Canary canary() {
        Canary c = new Canary();
        c.setMetadata(new ObjectMetaBuilder()
                .withName("podinfo")
                .withNamespace("test")
                .withGeneration(3L)
                .build());
        c.setStatus(new CanaryStatus());
        c.getStatus().phase = "Progressing";
        c.getStatus().canaryWeight = 30;
        return c;
    }

    @Test
    @DisplayName("a status write of the analyzer's own is not reconciled again")
    void ownStatusWrite() {
        Canary before = canary();
        Canary after = canary();
        after.getStatus().canaryWeight = 60;
        after.getStatus().phase = "Promoting";
        assertThat(Controller.worthReconciling(before, after)).isFalse();
    }

    @Test
    @DisplayName("a runtime request the admission service recorded in the status is reconciled at once")
    void recordedRequest() {
        Canary before = canary();
        Canary after = canary();
        after.getStatus().request = new CanaryStatus.RecordedRequest();
        after.getStatus().request.action = "promote";
        after.getStatus().request.uid = "uid-1";
        assertThat(Controller.worthReconciling(before, after)).isTrue();

        Canary answered = canary();
        answered.getStatus().request = after.getStatus().request;
        answered.getStatus().requestHandled = new CanaryStatus.HandledRequest();
        answered.getStatus().requestHandled.uid = "uid-1";
        assertThat(Controller.worthReconciling(after, answered))
                .as("the analyzer's answer is its own write")
                .isFalse();
    }

    @Test
    @DisplayName("a run that ends frees a slot of the concurrency budget; one that goes on does not")
    void endedRun() {
        Canary before = canary();
        Canary promoting = canary();
        promoting.getStatus().phase = "Promoting";
        Canary succeeded = canary();
        succeeded.getStatus().phase = "Succeeded";
        assertThat(Controller.endedRun(before, promoting)).isFalse();
        assertThat(Controller.endedRun(promoting, succeeded)).isTrue();
        assertThat(Controller.endedRun(succeeded, before)).isFalse();
    }
}
