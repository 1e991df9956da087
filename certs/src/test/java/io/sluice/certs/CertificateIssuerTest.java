package io.sluice.certs;

import static io.sluice.certs.Fixtures.NAMESPACE;
import static io.sluice.certs.Fixtures.REQUEST;
import static io.sluice.certs.Fixtures.SERVICE;
import static io.sluice.certs.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateIssuerTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    // java.security.cert.X509Certificate#getKeyUsage indexes
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void createsSelfSignedCaWithConstraintsUsagesAndBackdatedValidity(KeyType keyType) throws Exception {
        KeyAndCert ca =
                CertificateIssuer.createCa(CaRequest.of("sluice-webhook-ca").withKeyType(keyType), T0);
        X509Certificate cert = ca.cert();

        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=sluice-webhook-ca");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThatNoException().isThrownBy(() -> cert.verify(cert.getPublicKey()));
        assertThat(cert.getBasicConstraints()).as("CA with path length 0").isZero();
        assertThat(cert.getCriticalExtensionOIDs())
                .contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(cert.getKeyUsage()[KEY_CERT_SIGN]).isTrue();
        assertThat(cert.getKeyUsage()[CRL_SIGN]).isTrue();
        assertThat(cert.getKeyUsage()[DIGITAL_SIGNATURE]).isFalse();
        assertThat(subjectKeyId(cert)).isNotEmpty();
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(T0.minus(Duration.ofMinutes(1)));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(T0.plus(CaRequest.DEFAULT_VALIDITY));
        assertThat(KeyAndCert.belongTogether(ca.key(), cert)).isTrue();
        if (keyType == KeyType.EC_P256) {
            assertThat(((ECPublicKey) cert.getPublicKey())
                            .getParams()
                            .getCurve()
                            .getField()
                            .getFieldSize())
                    .isEqualTo(256);
            assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        } else {
            assertThat(((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength())
                    .isEqualTo(2048);
            assertThat(cert.getSigAlgName()).isEqualTo("SHA256withRSA");
        }
    }

    @Test
    void caValidityIsConfigurable() {
        KeyAndCert ca = Fixtures.ca("short", Duration.ofDays(30), T0);

        assertThat(Fixtures.notAfter(ca.cert())).isEqualTo(T0.plus(Duration.ofDays(30)));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void issuesServingCertificateForTheServiceNamesSignedByTheCa(KeyType keyType) throws Exception {
        KeyAndCert ca = Fixtures.ca("sluice-webhook-ca", T0);
        ServingRequest request = REQUEST.withKeyType(keyType)
                .withExtraDnsNames(List.of("localhost"))
                .withIpAddresses(List.of("127.0.0.1", "::1"));
        Instant now = T0.plusSeconds(3600).plusMillis(500);

        X509Certificate leaf = CertificateIssuer.issueServing(ca, request, now).cert();

        assertThat(Fixtures.dnsNames(leaf))
                .containsExactly(SERVICE, SERVICE + "." + NAMESPACE, SERVICE + "." + NAMESPACE + ".svc", "localhost");
        assertThat(CertificateChecks.ipAddresses(leaf)).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId());
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=" + SERVICE + "." + NAMESPACE + ".svc");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.cert().getSubjectX500Principal());
        assertThatNoException().isThrownBy(() -> leaf.verify(ca.cert().getPublicKey()));
        assertThat(authorityKeyId(leaf)).isEqualTo(subjectKeyId(ca.cert()));
        assertThat(leaf.getKeyUsage()[DIGITAL_SIGNATURE]).isTrue();
        assertThat(leaf.getKeyUsage()[KEY_ENCIPHERMENT]).isEqualTo(keyType == KeyType.RSA_2048);
        assertThat(leaf.getKeyUsage()[KEY_CERT_SIGN]).isFalse();
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo(keyType == KeyType.RSA_2048 ? "RSA" : "EC");
        Instant wholeSecond = T0.plusSeconds(3600);
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(wholeSecond.minus(Duration.ofMinutes(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(wholeSecond.plus(ServingRequest.DEFAULT_VALIDITY));
    }

    @Test
    void anRsaCaSignsAnEcLeafWithRsa() {
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("rsa-ca").withKeyType(KeyType.RSA_2048), T0);

        X509Certificate leaf = Fixtures.leaf(ca, T0).cert();

        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(CertificateChecks.isSignedBy(leaf, ca.cert())).isTrue();
    }

    @Test
    void leafValidityIsConfigurable() {
        KeyAndCert ca = Fixtures.ca("ca", T0);

        X509Certificate leaf =
                Fixtures.leaf(ca, REQUEST.withValidity(Duration.ofDays(30)), T0).cert();

        assertThat(Fixtures.notAfter(leaf)).isEqualTo(T0.plus(Duration.ofDays(30)));
    }

    @Test
    void aLeafNeverOutlivesItsCa() {
        KeyAndCert ca = Fixtures.ca("short-ca", Duration.ofDays(3), T0);

        X509Certificate leaf = Fixtures.leaf(ca, T0.plus(Duration.ofDays(1))).cert();

        assertThat(Fixtures.notAfter(leaf)).isEqualTo(Fixtures.notAfter(ca.cert()));
    }

    @Test
    void refusesToIssueFromAnExpiredCa() {
        KeyAndCert ca = Fixtures.ca("short-ca", Duration.ofDays(3), T0);

        assertThatThrownBy(() -> Fixtures.leaf(ca, T0.plus(Duration.ofDays(4))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CN=short-ca is not valid at 2030-01-05T00:00:00Z");
    }

    @Test
    void refusesToIssueFromACertificateThatIsNotACa() {
        KeyAndCert leaf = Fixtures.leaf(Fixtures.ca("ca", T0), T0);

        assertThatThrownBy(() -> Fixtures.leaf(leaf, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a CA certificate");
    }

    @Test
    void serialNumbersAreRandomAndPositive() {
        KeyAndCert ca = Fixtures.ca("ca", T0);
        X509Certificate first = Fixtures.leaf(ca, T0).cert();
        X509Certificate second = Fixtures.leaf(ca, T0).cert();

        assertThat(first.getSerialNumber()).isPositive().isNotEqualTo(second.getSerialNumber());
        assertThat(first.getSerialNumber().bitLength()).isEqualTo(127);
    }

    private static byte[] subjectKeyId(X509Certificate cert) {
        byte[] value = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        return SubjectKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(value).getOctets())
                .getKeyIdentifier();
    }

    private static byte[] authorityKeyId(X509Certificate cert) {
        byte[] value = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        return AuthorityKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(value).getOctets())
                .getKeyIdentifierOctets();
    }
}
