package io.sluice.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InstallationTest {
    @TempDir
    Path dir;

    private void mount(String namespace, String subject) throws Exception {
        Files.writeString(dir.resolve("namespace"), namespace);
        String claims = "{\"iss\":\"https://kubernetes.default.svc\",\"sub\":\"" + subject + "\"}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        Files.writeString(
                dir.resolve("token"),
                b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln");
    }

    private Installation parsed(String... args) {
        Main m = new Main();
        new CommandLine(m).parseArgs(args);
        return m.installation(dir);
    }

    @Test
    @DisplayName("installed into another namespace, the Lease and the identity follow the pod's ServiceAccount files")
    void followsThePod() throws Exception {
        mount("delivery", "system:serviceaccount:delivery:sluice-analyzer");
        Installation i = parsed();
        if (System.getenv("POD_NAMESPACE") == null) {
            assertThat(i.namespace()).isEqualTo("delivery");
        }
        if (System.getenv("POD_SERVICE_ACCOUNT") == null) {
            assertThat(i.serviceAccount()).isEqualTo("system:serviceaccount:delivery:sluice-analyzer");
        }
    }

    @Test
    @DisplayName("the flag wins over the pod's namespace")
    void flagWins() throws Exception {
        mount("delivery", "system:serviceaccount:delivery:sluice-analyzer");
        assertThat(parsed("--leader-election-namespace=leases").namespace()).isEqualTo("leases");
    }

    @Test
    @DisplayName("the downward API's ServiceAccount name, with the namespace, is the identity")
    void downwardApi() {
        Installation i = Installation.read("delivery", "analyzer", dir);
        assertThat(i).isEqualTo(new Installation("delivery", "system:serviceaccount:delivery:analyzer"));
    }

    @Test
    @DisplayName("outside a pod: the manifests' namespace, and no ServiceAccount")
    void outsideAPod() {
        assertThat(Installation.read(null, null, dir)).isEqualTo(new Installation("sluice-system", null));
    }

    @Test
    @DisplayName("a token that is no JWT gives no identity rather than an error")
    void badToken() throws Exception {
        Files.writeString(dir.resolve("namespace"), "delivery\n");
        Files.writeString(dir.resolve("token"), "not-a-token");
        assertThat(Installation.read("", "", dir)).isEqualTo(new Installation("delivery", null));
    }
}
