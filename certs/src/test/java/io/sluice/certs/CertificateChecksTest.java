package io.sluice.certs;

import static io.sluice.certs.Fixtures.REQUEST;
import static io.sluice.certs.Fixtures.T0;
import static io.sluice.certs.Fixtures.notAfter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateChecksTest {

    private static KeyAndCert ca;
    private static X509Certificate leaf;

    @BeforeAll
    static void certificates() {
        ca = Fixtures.ca("sluice-webhook-ca", T0);
        leaf = Fixtures.leaf(
                        ca,
                        REQUEST.withExtraDnsNames(List.of("localhost", "*.example.test"))
                                .withIpAddresses(List.of("127.0.0.1", "::1")),
                        T0)
                .cert();
    }

    @ParameterizedTest(name = "{0} covered: {1}")
    @CsvSource({
        "sluice-admission, true",
        "sluice-admission.sluice-system, true",
        "sluice-admission.sluice-system.svc, true",
        "SLUICE-Admission.Sluice-System.SVC, true",
        "sluice-admission.sluice-system.svc., true",
        "sluice-admission.sluice-system.svc.cluster.local, false",
        "other.sluice-system.svc, false",
        "localhost, true",
        "a.example.test, true",
        "example.test, false",
        "a.b.example.test, false",
        "127.0.0.1, true",
        "127.0.0.2, false",
        "::1, true",
        "0:0:0:0:0:0:0:1, true",
    })
    void coversTheNamesItWasIssuedFor(String host, boolean covered) {
        assertThat(CertificateChecks.covers(leaf, host)).isEqualTo(covered);
    }

    @Test
    void isSignedByChecksTheSignatureNotJustTheName() {
        KeyAndCert sameNameOtherKey = Fixtures.ca("sluice-webhook-ca", T0);

        assertThat(CertificateChecks.isSignedBy(leaf, ca.cert())).isTrue();
        assertThat(CertificateChecks.isSignedBy(leaf, sameNameOtherKey.cert())).isFalse();
        assertThat(CertificateChecks.isSignedBy(
                        leaf, Fixtures.ca("another-ca", T0).cert()))
                .isFalse();
    }

    @Test
    void verifyServingAcceptsAGoodLeaf() {
        assertThatNoException()
                .isThrownBy(() ->
                        CertificateChecks.verifyServing(leaf, ca.cert(), "sluice-admission.sluice-system.svc", T0));
        assertThatNoException().isThrownBy(() -> CertificateChecks.verifyServing(leaf, ca.cert(), "127.0.0.1", T0));
    }

    @Test
    void verifyServingNamesWhatIsWrong() {
        KeyAndCert otherCa = Fixtures.ca("sluice-webhook-ca", T0);

        assertThatThrownBy(() -> CertificateChecks.verifyServing(leaf, ca.cert(), "evil.test", T0))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("does not cover evil.test");
        assertThatThrownBy(() -> CertificateChecks.verifyServing(leaf, otherCa.cert(), "localhost", T0))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("is not signed by CN=sluice-webhook-ca");
        assertThatThrownBy(() -> CertificateChecks.verifyServing(
                        leaf, ca.cert(), "localhost", notAfter(leaf).plusSeconds(1)))
                .isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(() -> CertificateChecks.verifyServing(leaf, leaf, "localhost", T0))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("is not a CA certificate");
    }
}
