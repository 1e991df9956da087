package io.sluice.certs;

import static io.sluice.certs.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PemTest {

    private static KeyAndCert ecCa;
    private static KeyAndCert ecLeaf;
    private static KeyAndCert rsaCa;

    @BeforeAll
    static void certificates() {
        ecCa = Fixtures.ca("ec-ca", T0);
        ecLeaf = Fixtures.leaf(ecCa, T0);
        rsaCa = CertificateIssuer.createCa(CaRequest.of("rsa-ca").withKeyType(KeyType.RSA_2048), T0);
    }

    @Test
    void certificateRoundTrip() {
        String pem = Pem.encode(ecLeaf.cert());

        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(Pem.readCertificate(pem)).isEqualTo(ecLeaf.cert());
    }

    @Test
    void chainRoundTripKeepsOrderAndIgnoresTextBetweenBlocks() {
        String pem = "subject=CN=leaf\n" + Pem.encode(ecLeaf.cert()) + "\n# the CA\n" + Pem.encode(ecCa.cert());

        assertThat(Pem.readCertificates(pem)).containsExactly(ecLeaf.cert(), ecCa.cert());
        assertThat(Pem.readCertificates(Pem.encodeAll(List.of(ecCa.cert(), ecLeaf.cert()))))
                .containsExactly(ecCa.cert(), ecLeaf.cert());
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void pkcs8KeyRoundTrip(KeyType keyType) {
        KeyAndCert ca = keyType == KeyType.RSA_2048 ? rsaCa : ecCa;

        String pem = Pem.encode(ca.key());
        PrivateKey read = Pem.readPrivateKey(pem);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(read.getEncoded()).isEqualTo(ca.key().getEncoded());
        assertThat(KeyAndCert.belongTogether(read, ca.cert())).isTrue();
    }

    @Test
    void readsPkcs1RsaKeysAsOpensslWritesThem() throws IOException {
        String pem = bouncyCastlePem(rsaCa.key());

        RSAPrivateCrtKey read = (RSAPrivateCrtKey) Pem.readPrivateKey(pem);

        assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        RSAPrivateCrtKey original = (RSAPrivateCrtKey) rsaCa.key();
        assertThat(read.getModulus()).isEqualTo(original.getModulus());
        assertThat(read.getPrivateExponent()).isEqualTo(original.getPrivateExponent());
        assertThat(KeyAndCert.belongTogether(read, rsaCa.cert())).isTrue();
    }

    @Test
    void readsSec1EcKeysAsOpensslWritesThem() throws IOException {
        // openssl and Go name the curve inside the SEC1 structure; BouncyCastle's JcaPEMWriter does
        // not for JDK keys, so the structure is built with BouncyCastle's ASN.1 classes here.
        ECPrivateKey original = (ECPrivateKey) ecCa.key();
        ASN1Encodable curve = PrivateKeyInfo.getInstance(original.getEncoded())
                .getPrivateKeyAlgorithm()
                .getParameters();
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, original.getS(), curve);
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }

        ECPrivateKey read = (ECPrivateKey) Pem.readPrivateKey(text.toString());

        assertThat(read.getS()).isEqualTo(original.getS());
        assertThat(KeyAndCert.belongTogether(read, ecCa.cert())).isTrue();
    }

    @Test
    void refusesSec1KeysThatDoNotNameTheirCurve() throws IOException {
        String pem = bouncyCastlePem(ecCa.key());

        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThatThrownBy(() -> Pem.readPrivateKey(pem))
                .isInstanceOf(PemException.class)
                .hasMessageContaining("the EC PRIVATE KEY does not name its curve");
    }

    @Test
    void readsPkcs8KeysWrittenByBouncyCastle() throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(rsaCa.key(), null));
        }

        assertThat(text.toString()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(KeyAndCert.belongTogether(Pem.readPrivateKey(text.toString()), rsaCa.cert()))
                .isTrue();
    }

    @Test
    void keyAndCertFromPemTakesTheFirstCertificateOfAChain() {
        String chain = ecLeaf.certPem() + ecCa.certPem();

        KeyAndCert read = KeyAndCert.fromPem(chain, ecLeaf.keyPem());

        assertThat(read).isEqualTo(ecLeaf);
    }

    @Test
    void keyAndCertFromPemRejectsAKeyOfAnotherCertificate() {
        assertThatThrownBy(() -> KeyAndCert.fromPem(ecLeaf.certPem(), ecCa.keyPem()))
                .isInstanceOf(PemException.class)
                .hasMessageContaining(
                        "the private key does not belong to the certificate CN=sluice-admission.sluice-system.svc");
        assertThatThrownBy(() -> KeyAndCert.fromPem(ecCa.certPem(), rsaCa.keyPem()))
                .isInstanceOf(PemException.class)
                .hasMessageContaining("does not belong");
    }

    @Test
    void keyAndCertNeverPrintsTheKey() {
        String text = rsaCa.toString();

        assertThat(text).contains("CN=rsa-ca").contains("notAfter=2034-12-31T00:00:00Z");
        assertThat(text)
                .doesNotContain(
                        ((RSAPrivateCrtKey) rsaCa.key()).getPrivateExponent().toString())
                .doesNotContain(
                        ((RSAPrivateCrtKey) rsaCa.key()).getPrivateExponent().toString(16));
    }

    enum Reader {
        CERTIFICATE(Pem::readCertificate),
        CERTIFICATES(Pem::readCertificates),
        PRIVATE_KEY(Pem::readPrivateKey);

        final Function<String, Object> read;

        Reader(Function<String, Object> read) {
            this.read = read;
        }
    }

    static Stream<Arguments> malformed() {
        String cert = Pem.encode(ecLeaf.cert());
        String key = Pem.encode(ecLeaf.key());
        String notADerCertificate = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getEncoder().encodeToString("not DER at all".getBytes()) + "\n-----END CERTIFICATE-----\n";
        return Stream.of(
                argumentSet(
                        "empty text is not a certificate",
                        "",
                        Reader.CERTIFICATE,
                        "expected CERTIFICATE, found empty text"),
                argumentSet(
                        "text without a BEGIN line is not a key",
                        "just some text\n",
                        Reader.PRIVATE_KEY,
                        "expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, found no PEM block"),
                argumentSet(
                        "a key where a certificate is expected",
                        key,
                        Reader.CERTIFICATE,
                        "expected CERTIFICATE, found PRIVATE KEY"),
                argumentSet(
                        "a certificate where a key is expected",
                        cert,
                        Reader.PRIVATE_KEY,
                        "expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, found CERTIFICATE"),
                argumentSet(
                        "a key in the middle of a chain",
                        cert + key + cert,
                        Reader.CERTIFICATES,
                        "expected CERTIFICATE, found PRIVATE KEY (block 2 of 3)"),
                argumentSet(
                        "two certificates where one is expected",
                        cert + cert,
                        Reader.CERTIFICATE,
                        "expected exactly one CERTIFICATE, found 2"),
                argumentSet(
                        "a key and a certificate where one key is expected",
                        key + cert,
                        Reader.PRIVATE_KEY,
                        "found 2 PEM blocks: [PRIVATE KEY, CERTIFICATE]"),
                argumentSet(
                        "a block without its END line",
                        cert.replace("-----END CERTIFICATE-----", ""),
                        Reader.CERTIFICATE,
                        "malformed PEM while looking for CERTIFICATE"),
                argumentSet(
                        "a block with invalid base64",
                        cert.replaceFirst("\n.", "\n!"),
                        Reader.CERTIFICATE,
                        "unable to decode base64"),
                argumentSet(
                        "base64 that is not a certificate",
                        notADerCertificate,
                        Reader.CERTIFICATE,
                        "the CERTIFICATE block is not a valid X.509 certificate"),
                argumentSet(
                        "base64 that is not a key",
                        notADerCertificate.replace("CERTIFICATE", "EC PRIVATE KEY"),
                        Reader.PRIVATE_KEY,
                        "the EC PRIVATE KEY block is not a valid EC PRIVATE KEY"),
                argumentSet(
                        "an encrypted PKCS#8 key",
                        key.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
                        Reader.PRIVATE_KEY,
                        "found an encrypted ENCRYPTED PRIVATE KEY"),
                argumentSet(
                        "a legacy encrypted RSA key",
                        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
                                + "-----END RSA PRIVATE KEY-----\n",
                        Reader.PRIVATE_KEY,
                        "found an encrypted RSA PRIVATE KEY"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedPemIsRejectedWithAMessageNamingExpectedAndFound(String pem, Reader reader, String message) {
        assertThatThrownBy(() -> reader.read.apply(pem))
                .isInstanceOf(PemException.class)
                .hasMessageContaining(message);
    }

    private static String bouncyCastlePem(PrivateKey key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        }
        return text.toString();
    }
}
