package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.certs.CaBundle;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service over real TLS with certificates from files, as when cert-manager provides them. */
class TlsEndToEndTest {
    static final ServingRequest SERVING = ServingRequest.of("sluice-admission", "sluice-system")
            .withExtraDnsNames(List.of("localhost"))
            .withIpAddresses(List.of("127.0.0.1"));

    @TempDir
    Path dir;

    TlsHarness harness;
    FileCertificates files;
    KeyAndCert ca;

    @BeforeEach
    void setUp() throws IOException {
        ca = CertificateIssuer.createCa(CaRequest.of("test CA one"), Instant.now());
        write(CertificateIssuer.issueServing(ca, SERVING, Instant.now()), 0);
        harness = new TlsHarness();
        files = new FileCertificates(
                harness.vertx,
                dir.resolve("tls.crt").toString(),
                dir.resolve("tls.key").toString(),
                Duration.ofHours(1));
        harness.start(files);
    }

    @AfterEach
    void tearDown() {
        files.stop();
        harness.close();
    }

    private void write(KeyAndCert pair, long secondsLater) throws IOException {
        Files.writeString(dir.resolve("tls.crt"), pair.certPem());
        Files.writeString(dir.resolve("tls.key"), pair.keyPem());
        // Coarse file-system clocks could give the rewrite the same modification time; make the change visible.
        FileTime time = FileTime.from(Instant.now().plusSeconds(secondsLater));
        Files.setLastModifiedTime(dir.resolve("tls.crt"), time);
        Files.setLastModifiedTime(dir.resolve("tls.key"), time);
    }

    @Test
    void aClientTrustingTheCaGetsTheReviewAnswered() {
        WebClient client = harness.client(CaBundle.of(ca.cert()));

        HttpResponse<Buffer> response = await(harness.mutate(client, Fixtures.text("kubectl-set-image-podinfo.json")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject().getJsonObject("response").getString("uid"))
                .isEqualTo("0d2b5c1e-7f43-4e8a-b1a6-3c9e5d7f2a10");
    }

    @Test
    void tls12And13AreBothSpoken() {
        // Older protocols are not probed: this JVM's client refuses them itself, so the probe would prove nothing.
        assertThat(harness.handshake("TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(harness.handshake("TLSv1.2")).isEqualTo("TLSv1.2");
    }

    @Test
    void healthReadinessAndMetricsAreServed() {
        WebClient client = harness.client(CaBundle.of(ca.cert()));
        await(harness.mutate(client, Fixtures.text("kubectl-set-image-podinfo.json")));

        assertThat(await(client.get(harness.port(), "localhost", "/healthz").send())
                        .statusCode())
                .isEqualTo(200);
        harness.cluster.synced = false;
        HttpResponse<Buffer> unready =
                await(client.get(harness.port(), "localhost", "/readyz").send());
        assertThat(unready.statusCode()).isEqualTo(503);
        assertThat(unready.bodyAsString()).isEqualTo("waiting for: caches\n");
        harness.cluster.synced = true;
        assertThat(await(client.get(harness.port(), "localhost", "/readyz").send())
                        .statusCode())
                .isEqualTo(200);
        String metrics = await(
                        client.get(harness.port(), "localhost", "/metrics").send())
                .bodyAsString();
        assertThat(metrics)
                .contains("sluice_admission_requests_total{decision=\"allowed\",kind=\"Deployment\","
                        + "operation=\"UPDATE\",webhook=\"mutate\"} 1.0");
        assertThat(metrics).contains("sluice_admission_request_duration_seconds_bucket{");
        assertThat(metrics).contains("sluice_admission_status_write_failures_total{field=\"admittedRevision\"} 0.0");
    }

    @Test
    void changedFilesAreServedWithoutARestart() throws IOException {
        KeyAndCert otherCa = CertificateIssuer.createCa(CaRequest.of("test CA two"), Instant.now());
        KeyAndCert next = CertificateIssuer.issueServing(otherCa, SERVING, Instant.now());
        write(next, 10);

        assertThat(await(files.check(harness.tls::install))).isTrue();

        assertThat(harness.presentedSerial()).isEqualTo(next.cert().getSerialNumber());
        HttpResponse<Buffer> response = await(harness.mutate(
                harness.client(CaBundle.of(otherCa.cert())), Fixtures.text("kubectl-set-image-podinfo.json")));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void aHalfWrittenPairKeepsTheCurrentCertificate() throws IOException {
        var before = harness.presentedSerial();
        KeyAndCert otherCa = CertificateIssuer.createCa(CaRequest.of("test CA two"), Instant.now());
        KeyAndCert next = CertificateIssuer.issueServing(otherCa, SERVING, Instant.now());
        Files.writeString(dir.resolve("tls.crt"), next.certPem());
        Files.setLastModifiedTime(
                dir.resolve("tls.crt"), FileTime.from(Instant.now().plusSeconds(20)));

        assertThat(await(files.check(harness.tls::install))).isFalse();

        assertThat(harness.presentedSerial()).isEqualTo(before);
    }
}
