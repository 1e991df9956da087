package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.model.flagger.Canary;
import io.sluice.model.validation.CanaryValidator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Any JSON object as a Canary, decoded as the validating webhook decodes it and then judged by the shared
 * validator: the answer is a decoding error naming a field, or a list of violations, never an exception.
 *
 * <p>{@code mvn test} replays the inputs kept under {@code CanaryValidatorFuzzTestInputs/verdict/}; {@code make
 * fuzz} fuzzes it.
 */
class CanaryValidatorFuzzTest {
    private static final ObjectDecoder DECODER = new ObjectDecoder();

    @FuzzTest(maxExecutions = AdmissionReviewFuzzTest.FUZZ_RUNS, maxDuration = "30m")
    void verdict(byte[] json) {
        JsonNode object;
        try {
            object = Fixtures.JSON.readTree(json);
        } catch (JacksonException e) {
            return; // not JSON: the endpoint's business, fuzzed in AdmissionReviewFuzzTest
        }
        if (object == null || !object.isObject()) {
            return;
        }
        ObjectDecoder.Decoded<Canary> decoded = DECODER.decode(object, Canary.class);
        if (decoded.error() != null) {
            assertThat(decoded.error().message()).isNotBlank();
            return;
        }
        CanaryValidator.Verdict verdict = CanaryValidator.judge(decoded.value());
        assertThat(verdict.violations()).allSatisfy(v -> assertThat(v.message()).isNotBlank());
        assertThat(verdict.warnings()).allSatisfy(v -> assertThat(v.message()).isNotBlank());
    }
}
