package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FailedStartTest {
    @Test
    @DisplayName("a Canary failed its start when it is Failed and was never Initialized; one that failed later is not")
    void onlyCanariesNeverInitializedFailedTheirStart() {
        StandInApi api = new StandInApi();
        api.phases.put("bench-1/app-2", "Failed");
        api.phases.put("bench-0/app-1", "Failed");
        api.phases.put("bench-0/app-3", "Failed");
        api.initializedAt.put("bench-0/app-3", 1L);
        api.phases.put("bench-0/app-4", "Initializing");
        api.phases.put("bench-0/app-5", "Initialized");
        api.initializedAt.put("bench-0/app-5", 2L);

        assertThat(ScaleBench.failedStart(api)).containsExactly("bench-0/app-1", "bench-1/app-2");
    }
}
