package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WaitCommandTest {
    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    /** A run of rev2 in progress after `set image` admitted it; rev1 was promoted before. */
    private void runOfRev2() {
        CanaryStatus s = MockApi.status("Progressing", "rev2");
        s.canaryWeight = 30;
        s.lastPromotedSpec = "rev1";
        s.admittedRevision = new CanaryStatus.AdmittedRevision();
        s.admittedRevision.revision = "rev2";
        s.admittedRevision.user = "alice";
        s.admittedRevision.source = "kubectl";
        api.create("test", "podinfo", s);
    }

    /** Runs {@code wait} until it follows the Canary, then applies {@code change}, and returns the run's result. */
    private MockApi.Run waitWhile(Consumer<CanaryStatus> change, String... args) throws Exception {
        CompletableFuture<MockApi.Run> run = CompletableFuture.supplyAsync(() -> api.run(args));
        assertThat(api.watching.await(30, TimeUnit.SECONDS))
                .as("wait follows the canary")
                .isTrue();
        api.status("test", "podinfo", change);
        return run.get(30, TimeUnit.SECONDS);
    }

    private static void finished(CanaryStatus s, String phase, String promoted, String message) {
        s.phase = phase;
        s.canaryWeight = 0;
        s.lastPromotedSpec = promoted;
        CanaryCondition c = new CanaryCondition();
        c.type = "Promoted";
        c.status = phase.equals("Succeeded") ? "True" : "False";
        c.reason = phase;
        c.message = message;
        s.conditions = List.of(c);
    }

    @Test
    void exitsZeroWhenTheAdmittedRevisionIsPromoted() throws Exception {
        runOfRev2();

        MockApi.Run run = waitWhile(
                s -> finished(s, "Succeeded", "rev2", "Canary analysis completed successfully, promotion finished."),
                "wait",
                "podinfo",
                "-n",
                "test",
                "--for=promoted");

        assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.err()).contains("waiting for revision rev2 of test/podinfo (admitted for alice via kubectl)");
        assertThat(run.out())
                .isEqualTo("revision rev2 of test/podinfo promoted: Canary analysis completed successfully,"
                        + " promotion finished.\n");
    }

    @Test
    void exitsOneWhenItFailsInsteadAndZeroWhenFailureWasAwaited() throws Exception {
        runOfRev2();
        Consumer<CanaryStatus> rollback =
                s -> finished(s, "Failed", "rev1", "Canary analysis failed, Deployment scaled to zero.");

        MockApi.Run forPromoted = waitWhile(rollback, "wait", "podinfo", "-n", "test", "--for", "promoted");
        MockApi.Run forFailed = api.run("wait", "podinfo", "-n", "test", "--for", "FAILED");

        assertThat(forPromoted.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(forPromoted.err())
                .contains("error: revision rev2 of test/podinfo failed: Canary analysis failed, Deployment scaled"
                        + " to zero.");
        assertThat(forFailed.code()).isEqualTo(ExitCodes.OK);
        assertThat(forFailed.out()).startsWith("revision rev2 of test/podinfo failed");
    }

    @Test
    void aLaterRevisionSupersedesTheAwaitedOne() throws Exception {
        runOfRev2();

        MockApi.Run run =
                waitWhile(s -> s.admittedRevision.revision = "rev3", "wait", "podinfo", "-n", "test", "--for=promoted");

        assertThat(run.code()).isEqualTo(ExitCodes.SUPERSEDED);
        assertThat(run.err()).contains("revision rev2 of test/podinfo was superseded by revision rev3");
    }

    @Test
    void theSucceededStateOfThePreviousRevisionDoesNotCount() throws Exception {
        runOfRev2();
        // Succeeded again, but with rev1 still the promoted one: not rev2's outcome.
        api.status("test", "podinfo", s -> finished(s, "Succeeded", "rev1", null));

        MockApi.Run run = api.run("wait", "podinfo", "-n", "test", "--for=promoted", "--timeout", "300ms");

        assertThat(run.code()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.err()).contains("timed out after 0.3s waiting for revision rev2 to be promoted");
    }

    @Test
    void nothingAdmittedIsAnError() {
        api.create("test", "podinfo", MockApi.status("Initialized", "rev1"));

        MockApi.Run run = api.run("wait", "podinfo", "-n", "test", "--for=promoted");
        MockApi.Run usage = api.run("wait", "podinfo", "-n", "test", "--for=done");

        assertThat(run.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(run.err()).contains("has no admitted revision to wait for");
        assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("Invalid value for option '--for'");
    }
}
