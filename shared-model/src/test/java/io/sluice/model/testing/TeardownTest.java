package io.sluice.model.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class TeardownTest {

    @Test
    void onlyAShutdownTimeoutIsIgnored() {
        assertThatCode(() -> Teardown.ignoringShutdownTimeout("server", () -> {
                    throw new IllegalStateException("Unable to close", new TimeoutException());
                }))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> Teardown.ignoringShutdownTimeout("server", () -> {
                    throw new IllegalStateException("broken");
                }))
                .hasMessage("broken");
    }
}
