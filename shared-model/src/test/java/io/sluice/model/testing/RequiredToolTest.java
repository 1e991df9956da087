package io.sluice.model.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RequiredToolTest {
    @Test
    void aPresentToolNeitherSkipsNorFails() {
        RequiredTool.require(true, "prometheus", "prometheus");
    }

    @Test
    void ciIsReadFromTheVariable() {
        assertThat(RequiredTool.inCi("true")).isTrue();
        assertThat(RequiredTool.inCi("TRUE")).isTrue();
        assertThat(RequiredTool.inCi("1")).isTrue();
        assertThat(RequiredTool.inCi(null)).isFalse();
        assertThat(RequiredTool.inCi("false")).isFalse();
    }

    @Test
    void aMissingToolSkipsOutsideCiAndFailsInIt() {
        var thrown = assertThatThrownBy(() -> RequiredTool.require(false, "hey", "hey"));
        if (RequiredTool.inCi(System.getenv("CI"))) {
            thrown.isInstanceOf(AssertionError.class).hasMessageContaining("apt-get install -y hey");
        } else {
            thrown.isInstanceOf(TestAbortedException.class).hasMessageContaining("apt-get install -y hey");
        }
    }
}
