package io.sluice.model.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The one place a test says it needs a program from the machine (prometheus, kubectl, hey, curl).
 *
 * <p>On a developer's machine a missing tool skips the test and names the package to install. With
 * {@code CI=true} it fails the test: a green CI run means every test ran.
 */
public final class RequiredTool {
    private RequiredTool() {}

    /**
     * Skips the calling test (or fails it under CI) when {@code present} is false.
     *
     * @param tool the command the test runs, e.g. {@code prometheus}
     * @param debianPackage the package that provides it
     */
    public static void require(boolean present, String tool, String debianPackage) {
        if (present) {
            return;
        }
        String message = tool + " is not installed (apt-get install -y " + debianPackage + ")";
        if (inCi(System.getenv("CI"))) {
            fail(message + "; CI=true, so a missing tool fails the build instead of skipping the test");
        }
        abort(message + ": skipping");
    }

    /** Whether the process runs under CI, read from the value of the {@code CI} variable. */
    static boolean inCi(String ciVariable) {
        return ciVariable != null && (ciVariable.equalsIgnoreCase("true") || ciVariable.equals("1"));
    }
}
