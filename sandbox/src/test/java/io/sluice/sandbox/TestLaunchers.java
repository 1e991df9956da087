package io.sluice.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * How the integration tests start Sluice. The analyzer runs from its packaged jar and
 * {@code target/lib} (Failsafe runs after the package phase). The admission module packages no
 * runtime class path of its own, so it runs from this JVM's class path, which also holds test-scoped
 * libraries; {@code make demo} runs it from its jar and runtime class path only.
 */
final class TestLaunchers {

    private TestLaunchers() {}

    static Environment.Launchers of(Path repo) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return (module, mainClass) -> module.equals("analyzer")
                ? SluiceProcess.packaged(repo, module, mainClass)
                : List.of("-cp", classpath, mainClass);
    }
}
