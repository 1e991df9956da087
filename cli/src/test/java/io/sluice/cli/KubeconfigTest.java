package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --kubeconfig, --context and the context's namespace, through the client the plugin builds for itself. */
class KubeconfigTest {
    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    private Path kubeconfig(Path dir) throws Exception {
        String url = api.client.getConfiguration().getMasterUrl();
        Path file = dir.resolve("config");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                - name: nowhere
                  cluster:
                    server: http://127.0.0.1:1
                users:
                - name: alice
                  user:
                    token: secret
                contexts:
                - name: staging
                  context: {cluster: mock, user: alice, namespace: staging}
                - name: broken
                  context: {cluster: nowhere, user: alice, namespace: staging}
                current-context: broken
                """.formatted(url));
        return file;
    }

    private static MockApi.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(Clients::fromKubeconfig, new PrintWriter(out), new PrintWriter(err), args);
        return new MockApi.Run(code, out.toString(), err.toString());
    }

    @Test
    void theContextChosenGivesServerAndNamespace(@TempDir Path dir) throws Exception {
        api.create("staging", "podinfo", MockApi.status("Succeeded", "rev1"));
        api.create("test", "other", MockApi.status("Succeeded", "rev1"));
        Path config = kubeconfig(dir);

        MockApi.Run staging = run("status", "--kubeconfig", config.toString(), "--context", "staging");
        MockApi.Run explicit = run("status", "--kubeconfig", config.toString(), "--context", "staging", "-n", "test");
        MockApi.Run current = run("status", "--kubeconfig", config.toString());

        assertThat(staging.code()).as(staging.err()).isEqualTo(ExitCodes.OK);
        assertThat(staging.out()).contains("podinfo").doesNotContain("other");
        assertThat(explicit.out()).contains("other").doesNotContain("podinfo");
        // The current context names a server nobody listens on.
        assertThat(current.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(current.err()).startsWith("error: ");
    }
}
