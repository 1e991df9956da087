package io.sluice.certs;

import static io.sluice.certs.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertsTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void writesFourParseableFilesThatChainAndCoverTheLocalNames() throws IOException {
        Path dir = tmp.resolve("certs-local");

        int status = run(
                T0,
                "--out",
                dir.toString(),
                "--service",
                "sluice-admission",
                "--namespace",
                "sluice-system",
                "--dns",
                "localhost",
                "--ip",
                "127.0.0.1");

        assertThat(status).as(err.toString()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("ca.crt", "ca.key", "tls.crt", "tls.key");
        }
        KeyAndCert ca = read(dir, "ca");
        KeyAndCert leaf = read(dir, "tls");
        for (String host : List.of("sluice-admission.sluice-system.svc", "localhost", "127.0.0.1")) {
            assertThatNoException()
                    .as(host)
                    .isThrownBy(() -> CertificateChecks.verifyServing(leaf.cert(), ca.cert(), host, T0));
        }
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
                    .isEqualTo("rw-------");
        }
        assertThat(out.toString()).contains("created CA CN=sluice-local-ca").contains("wrote ca.crt");
    }

    @Test
    void aRerunKeepsAHealthyCaAndReissuesTheLeaf() throws IOException {
        String[] args = {"--out", tmp.toString(), "--service", "webhook", "--namespace", "ns"};
        assertThat(run(T0, args)).isZero();
        String caBefore = Files.readString(tmp.resolve("ca.crt"));
        String leafBefore = Files.readString(tmp.resolve("tls.crt"));

        assertThat(run(T0.plus(Duration.ofDays(1)), args)).as(err.toString()).isZero();

        assertThat(Files.readString(tmp.resolve("ca.crt"))).isEqualTo(caBefore);
        assertThat(Files.readString(tmp.resolve("tls.crt"))).isNotEqualTo(leafBefore);
        assertThat(CertificateChecks.isSignedBy(
                        read(tmp, "tls").cert(), read(tmp, "ca").cert()))
                .isTrue();
        assertThat(out.toString()).contains("keeping the CA");
    }

    @Test
    void anAgedCaOrNewCaFlagReplacesTheCa() throws IOException {
        String[] args = {"--out", tmp.toString(), "--service", "webhook", "--namespace", "ns"};
        assertThat(run(T0, args)).isZero();
        String first = Files.readString(tmp.resolve("ca.crt"));

        assertThat(run(T0.plus(Duration.ofDays(4 * 365)), args)).isZero();
        String second = Files.readString(tmp.resolve("ca.crt"));
        assertThat(second).isNotEqualTo(first);
        assertThat(out.toString()).contains("replacing the CA").contains("two thirds");

        assertThat(run(T0.plus(Duration.ofDays(4 * 365)), append(args, "--new-ca")))
                .isZero();
        assertThat(Files.readString(tmp.resolve("ca.crt"))).isNotEqualTo(second);
    }

    @Test
    void anUnreadableCaIsAnErrorNotSilentlyReplaced() throws IOException {
        Files.writeString(tmp.resolve("ca.crt"), "garbage");
        Files.writeString(tmp.resolve("ca.key"), "garbage");

        int status = run(T0, "--out", tmp.toString(), "--service", "webhook", "--namespace", "ns");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("cannot be read").contains("--new-ca");
        assertThat(Files.readString(tmp.resolve("ca.crt"))).isEqualTo("garbage");
    }

    @Test
    void badArgumentsPrintUsageAndExitTwo() {
        assertThat(run(T0, "--out", tmp.toString(), "--service", "webhook")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--out, --service and --namespace are required")
                .contains("usage: LocalCerts");

        err.reset();
        assertThat(run(T0, "--out", tmp.toString(), "--service", "webhook", "--namespace", "ns", "--frobnicate"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("unknown argument '--frobnicate'");

        err.reset();
        assertThat(run(T0, "--out", tmp.toString(), "--service", "webhook", "--namespace", "ns", "--ip", "localhost"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("not an IPv4 or IPv6 address");

        err.reset();
        assertThat(run(T0, "--out", "--service", "webhook")).isEqualTo(2);
        assertThat(err.toString()).contains("--out needs a value");

        assertThat(tmp.resolve("ca.crt")).doesNotExist();
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        assertThat(run(T0, "--help")).isZero();
        assertThat(out.toString()).startsWith("usage: LocalCerts");
    }

    private int run(Instant now, String... args) {
        return LocalCerts.run(
                args,
                Clock.fixed(now, ZoneOffset.UTC),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static KeyAndCert read(Path dir, String name) throws IOException {
        return KeyAndCert.fromPem(
                Files.readString(dir.resolve(name + ".crt")), Files.readString(dir.resolve(name + ".key")));
    }

    private static String[] append(String[] args, String extra) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(extra);
        return all.toArray(String[]::new);
    }
}
