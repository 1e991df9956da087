package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.Revisions;
import io.sluice.model.flagger.CanaryStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FlaggerStatusTest {
    static CanaryStatus status(String phase, String applied) {
        CanaryStatus s = new CanaryStatus();
        s.phase = phase;
        s.lastAppliedSpec = applied;
        return s;
    }

    @Test
    @DisplayName("Sluice's revisions have the form the rule expects, so Sluice never takes over its own Canaries")
    void sluiceRevisionForm() {
        String revision = Revisions.ofTemplate("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"b\"}]}}");
        assertThat(revision).matches(FlaggerStatus.SLUICE_REVISION);
        assertThat(FlaggerStatus.written(status("Succeeded", revision))).isFalse();
    }

    @Test
    @DisplayName("Flagger's short hash in a settled or running phase is Flagger's status")
    void flaggerHash() {
        assertThat(FlaggerStatus.written(status("Succeeded", "5f7b4d9c8"))).isTrue();
        assertThat(FlaggerStatus.written(status("Progressing", "6d9b7f45c"))).isTrue();
    }

    @Test
    @DisplayName("no status, Initializing, no applied revision, or a current run: not Flagger's")
    void notFlaggers() {
        assertThat(FlaggerStatus.written(null)).isFalse();
        assertThat(FlaggerStatus.written(status(null, "5f7b4d9c8"))).isFalse();
        assertThat(FlaggerStatus.written(status("Initializing", "5f7b4d9c8"))).isFalse();
        assertThat(FlaggerStatus.written(status("Succeeded", null))).isFalse();
        assertThat(FlaggerStatus.written(status("Succeeded", ""))).isFalse();
        CanaryStatus running = status("Progressing", "5f7b4d9c8");
        running.currentRun = new CanaryStatus.CurrentRun();
        assertThat(FlaggerStatus.written(running)).isFalse();
    }
}
