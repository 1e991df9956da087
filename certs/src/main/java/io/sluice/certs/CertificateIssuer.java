package io.sluice.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Creates self-signed CAs and the serving certificates they sign. */
public final class CertificateIssuer {

    /**
     * notBefore lies this far before {@code now}: the API server checking the certificate may run
     * a little behind the process that issued it, and a certificate from "the future" is rejected.
     */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateIssuer() {}

    /**
     * A self-signed CA: basicConstraints CA with path length 0 (it signs leaves, never other CAs),
     * keyUsage keyCertSign and cRLSign, a subject key identifier for leaves to point back to.
     */
    public static KeyAndCert createCa(CaRequest request, Instant now) {
        KeyPair keys = request.keyType().generate(RANDOM);
        X500Name subject = commonName(request.commonName());
        Instant issued = now.truncatedTo(ChronoUnit.SECONDS);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                serialNumber(),
                Date.from(issued.minus(BACKDATE)),
                Date.from(issued.plus(request.validity())),
                subject,
                keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, subjectKeyIdentifier(keys.getPublic()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode CA extensions", e);
        }
        return new KeyAndCert(keys.getPrivate(), sign(builder, keys.getPrivate()));
    }

    /**
     * A serving certificate for the request's Service, signed by {@code ca}. It never outlives the
     * CA: a leaf valid past its issuer would fail verification anyway, and its dates would lie to
     * the renewal decision.
     *
     * @throws IllegalArgumentException if {@code ca} is not a CA or is not valid at {@code now}
     */
    public static KeyAndCert issueServing(KeyAndCert ca, ServingRequest request, Instant now) {
        X509Certificate caCert = ca.cert();
        if (caCert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(caCert.getSubjectX500Principal().getName() + " is not a CA certificate");
        }
        Instant issued = now.truncatedTo(ChronoUnit.SECONDS);
        Instant caNotAfter = caCert.getNotAfter().toInstant();
        if (!issued.isBefore(caNotAfter) || now.isBefore(caCert.getNotBefore().toInstant())) {
            throw new IllegalArgumentException(
                    "CA " + caCert.getSubjectX500Principal().getName()
                            + " is not valid at " + now + " (valid "
                            + caCert.getNotBefore().toInstant()
                            + " to " + caNotAfter + ")");
        }
        Instant notAfter = min(issued.plus(request.validity()), caNotAfter);

        KeyPair keys = request.keyType().generate(RANDOM);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                serialNumber(),
                Date.from(issued.minus(BACKDATE)),
                Date.from(notAfter),
                commonName(leafCommonName(request)),
                keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, leafKeyUsage(request.keyType()));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(request));
            builder.addExtension(Extension.subjectKeyIdentifier, false, subjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(caCert));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode serving certificate extensions", e);
        }
        return new KeyAndCert(keys.getPrivate(), sign(builder, ca.key()));
    }

    /**
     * RSA keys also encipher: TLS 1.2's RSA key exchange needs keyEncipherment. ECDSA keys only
     * sign (ECDHE is the key exchange), and some verifiers reject EC leaves that claim more.
     */
    private static KeyUsage leafKeyUsage(KeyType keyType) {
        return keyType == KeyType.RSA_2048
                ? new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                : new KeyUsage(KeyUsage.digitalSignature);
    }

    private static GeneralNames subjectAlternativeNames(ServingRequest request) {
        List<GeneralName> names = new ArrayList<>();
        request.dnsNames().forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        request.distinctIpAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** Clients match the SANs, the CN is for humans; it is still capped at the 64 characters X.509 allows. */
    private static String leafCommonName(ServingRequest request) {
        String hostname = request.serviceHostname();
        return hostname.length() <= 64 ? hostname : request.service();
    }

    /**
     * Only the key identifier, not the CA's issuer and serial: those would tie the leaf to one CA
     * certificate, and a CA re-issued for the same key could no longer be found by chain builders.
     */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate caCert) {
        byte[] extension = caCert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension == null) {
            return new AuthorityKeyIdentifier(
                    subjectKeyIdentifier(caCert.getPublicKey()).getKeyIdentifier());
        }
        byte[] keyId = SubjectKeyIdentifier.getInstance(
                        ASN1OctetString.getInstance(extension).getOctets())
                .getKeyIdentifier();
        return new AuthorityKeyIdentifier(keyId);
    }

    private static SubjectKeyIdentifier subjectKeyIdentifier(PublicKey key) {
        try {
            return new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-1 digest for the subject key identifier", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey) {
        try {
            var signer = new JcaContentSignerBuilder(KeyType.signatureAlgorithm(signingKey)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            // Input was validated above; this is a JDK without the usual algorithms.
            throw new IllegalStateException(
                    "cannot sign a certificate with a " + signingKey.getAlgorithm() + " key", e);
        }
    }

    private static X500Name commonName(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    /**
     * Random and unpredictable, as RFC 5280 asks; the top bits are fixed so the number is positive,
     * never zero, and always 16 octets (RFC 5280 allows 20).
     */
    private static BigInteger serialNumber() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[0] &= 0x7f;
        bytes[0] |= 0x40;
        return new BigInteger(1, bytes);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
