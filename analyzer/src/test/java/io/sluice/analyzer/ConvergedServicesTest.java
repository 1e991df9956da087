package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvergedServicesTest {
    private final byte[] canary = "{\"kind\":\"Service\"}".getBytes();
    private final byte[] primary = "{\"kind\":\"Service\",\"x\":1}".getBytes();

    private ConvergedServices.Inputs inputs(long generation, String target, byte[]... texts) {
        return new ConvergedServices.Inputs("uid-1", generation, target, false, Arrays.asList(texts));
    }

    @Test
    void the_same_inputs_and_the_same_cached_texts_are_unchanged() {
        ConvergedServices c = new ConvergedServices();
        assertThat(c.unchanged("test/podinfo", inputs(1, "7", canary, primary))).isFalse();
        c.converged("test/podinfo", inputs(1, "7", canary, primary));
        assertThat(c.unchanged("test/podinfo", inputs(1, "7", canary, primary))).isTrue();
        assertThat(c.unchanged("test/other", inputs(1, "7", canary, primary))).isFalse();
    }

    @Test
    void an_equal_text_in_a_new_array_is_a_new_version_and_is_looked_at() {
        ConvergedServices c = new ConvergedServices();
        c.converged("test/podinfo", inputs(1, "7", canary, primary));
        assertThat(c.unchanged("test/podinfo", inputs(1, "7", canary, primary.clone())))
                .isFalse();
    }

    @Test
    void a_new_generation_target_version_or_apex_is_looked_at() {
        ConvergedServices c = new ConvergedServices();
        c.converged("test/podinfo", inputs(1, "7", canary, primary));
        assertThat(c.unchanged("test/podinfo", inputs(2, "7", canary, primary))).isFalse();
        assertThat(c.unchanged("test/podinfo", inputs(1, "8", canary, primary))).isFalse();
        assertThat(c.unchanged(
                        "test/podinfo", new ConvergedServices.Inputs("uid-1", 1L, "7", true, List.of(canary, primary))))
                .isFalse();
    }

    @Test
    void a_missing_service_is_never_remembered_and_forget_drops_the_canary() {
        ConvergedServices c = new ConvergedServices();
        c.converged("test/podinfo", inputs(1, "7", canary, null));
        assertThat(c.size()).isZero();
        assertThat(c.unchanged("test/podinfo", inputs(1, "7", canary, null))).isFalse();
        c.converged("test/podinfo", inputs(1, "7", canary, primary));
        c.forget("test/podinfo");
        assertThat(c.unchanged("test/podinfo", inputs(1, "7", canary, primary))).isFalse();
    }
}
