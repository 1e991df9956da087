package io.sluice.analyzer.crash;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every crash point of every seed scenario (see {@link CrashAtEveryStepTest} for the subset and the reasoning). */
class CrashAtEveryStepIT extends CrashAtEveryStep {
    @TestFactory
    Stream<DynamicTest> promotion() {
        return crashes(Scenario.promotion(), false);
    }

    @TestFactory
    Stream<DynamicTest> rollback() {
        return crashes(Scenario.rollback(), false);
    }

    @TestFactory
    Stream<DynamicTest> promotionWithGlooMesh() {
        return crashes(Scenario.promotion().withGlooMesh(), false);
    }

    @TestFactory
    Stream<DynamicTest> rollbackWithGlooMesh() {
        return crashes(Scenario.rollback().withGlooMesh(), false);
    }

    @TestFactory
    Stream<DynamicTest> abTesting() {
        return crashes(Scenario.abTesting(), false);
    }

    @TestFactory
    Stream<DynamicTest> blueGreen() {
        return crashes(Scenario.blueGreen(), false);
    }

    @TestFactory
    Stream<DynamicTest> deletion() {
        return crashes(Scenario.deletion(), false);
    }
}
