package io.sluice.certs;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A private key and the certificate for its public key: what a CA or a TLS server holds. */
public record KeyAndCert(PrivateKey key, X509Certificate cert) {

    public KeyAndCert {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cert, "cert");
    }

    /**
     * Reads a {@code tls.crt}/{@code tls.key} (or {@code ca.crt}/{@code ca.key}) pair. The first
     * certificate is the one the key belongs to; any further ones are the chain, which a server does
     * not need to send, so they are dropped.
     *
     * @throws PemException if either text is malformed or the key does not belong to the certificate
     */
    public static KeyAndCert fromPem(String certPem, String keyPem) {
        X509Certificate cert = Pem.readCertificates(certPem).get(0);
        PrivateKey key = Pem.readPrivateKey(keyPem);
        if (!belongTogether(key, cert)) {
            throw new PemException("the private key does not belong to the certificate "
                    + cert.getSubjectX500Principal().getName());
        }
        return new KeyAndCert(key, cert);
    }

    public String certPem() {
        return Pem.encode(cert);
    }

    /** PKCS#8 ({@code PRIVATE KEY}), the encoding every TLS stack reads. */
    public String keyPem() {
        return Pem.encode(key);
    }

    /** Never prints the key: some JDK keys print their private exponent, and records land in logs. */
    @Override
    public String toString() {
        return "KeyAndCert[subject=" + cert.getSubjectX500Principal().getName()
                + ", serial=" + cert.getSerialNumber().toString(16)
                + ", notAfter=" + cert.getNotAfter().toInstant() + "]";
    }

    /**
     * Swapped Secrets (a key from one rotation, a certificate from the next) are the classic way to
     * take a webhook down, and TLS would only fail at the first handshake. A test signature tells
     * now, for any key type, without comparing key internals.
     */
    static boolean belongTogether(PrivateKey key, X509Certificate cert) {
        if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = KeyType.signatureAlgorithm(key);
            byte[] probe = "sluice key pairing probe".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
