package io.sluice.certs;

import static io.sluice.certs.Fixtures.T0;
import static io.sluice.certs.Fixtures.notAfter;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CaBundleTest {

    private static X509Certificate oldCa;
    private static X509Certificate newCa;
    private static X509Certificate shortCa;

    @BeforeAll
    static void certificates() {
        oldCa = Fixtures.ca("sluice-webhook-ca", T0).cert();
        newCa = Fixtures.ca("sluice-webhook-ca", T0.plus(Duration.ofDays(1000))).cert();
        shortCa = Fixtures.ca("short-ca", Duration.ofDays(1), T0).cert();
    }

    @Test
    void rotationPutsTheNewCaFirstAndKeepsTheOldOne() {
        CaBundle bundle = CaBundle.of(oldCa).withCa(newCa, T0.plus(Duration.ofDays(1000)));

        assertThat(bundle.certificates()).containsExactly(newCa, oldCa);
    }

    @Test
    void aCaAppearsOnceAtItsFirstPosition() {
        CaBundle merged = CaBundle.merge(List.of(newCa, oldCa), List.of(oldCa, newCa, oldCa), T0);

        assertThat(merged.certificates()).containsExactly(newCa, oldCa);
        assertThat(CaBundle.of(oldCa, oldCa).certificates()).containsExactly(oldCa);
        assertThat(CaBundle.of(oldCa).withCa(oldCa, T0).certificates()).containsExactly(oldCa);
    }

    @Test
    void aCaReadBackFromItsPemIsTheSameCa() {
        X509Certificate copy = Pem.readCertificate(Pem.encode(oldCa));

        assertThat(CaBundle.of(oldCa).withCa(copy, T0).certificates()).hasSize(1);
    }

    @Test
    void expiredCasAreDropped() {
        CaBundle bundle = CaBundle.of(shortCa, oldCa);

        assertThat(bundle.withCa(newCa, T0.plus(Duration.ofDays(2))).certificates())
                .containsExactly(newCa, oldCa);
        assertThat(bundle.withoutExpired(T0.plus(Duration.ofDays(2))).certificates())
                .containsExactly(oldCa);
        assertThat(bundle.withoutExpired(notAfter(shortCa)).certificates())
                .as("notAfter is still a valid instant")
                .containsExactly(shortCa, oldCa);
    }

    @Test
    void pemRoundTripAndAnUnsetBundle() {
        CaBundle bundle = CaBundle.of(newCa, oldCa);

        assertThat(CaBundle.fromPem(bundle.toPem())).isEqualTo(bundle);
        assertThat(CaBundle.fromPem("  \n").isEmpty()).isTrue();
        assertThat(CaBundle.fromPem(null).toPem()).isEmpty();
        assertThat(bundle.contains(oldCa)).isTrue();
        assertThat(CaBundle.of(newCa).contains(oldCa)).isFalse();
    }

    @Test
    void toStringNamesSubjectsAndExpiryOnly() {
        assertThat(CaBundle.of(shortCa).toString()).isEqualTo("CaBundle[CN=short-ca until 2030-01-02T00:00:00Z]");
    }
}
