package io.sluice.sandbox.tls;

import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The sandbox's own throw-away certificate authority: one per sandbox run, so nothing the sandbox
 * trusts outlives it. The CA and the serving certificates (the API server's, the test webhooks')
 * come from Sluice's {@code certs} module; client certificates, which Sluice never issues, are made
 * here. Sluice's admission service brings its own certificates and publishes its CA in the webhook
 * configurations.
 */
public final class Pki {

    /** A certificate with its private key, both PEM-encoded. */
    public record Pem(String certificate, String privateKey) {}

    private static final Duration VALIDITY = Duration.ofDays(2);
    private final KeyAndCert ca;
    private final SecureRandom random = new SecureRandom();

    public Pki(String commonName) {
        ca = CertificateIssuer.createCa(CaRequest.of(commonName).withValidity(VALIDITY), Instant.now());
    }

    public String caPem() {
        return ca.certPem();
    }

    /**
     * A serving certificate for the Service {@code service} in {@code namespace} (its cluster names)
     * and {@code extraNames}: DNS names, or IP literals that become IP SANs.
     */
    public Pem issueServing(String service, String namespace, List<String> extraNames) {
        List<String> ips = extraNames.stream().filter(Pki::isIp).toList();
        List<String> dns = extraNames.stream().filter(n -> !isIp(n)).toList();
        KeyAndCert leaf = CertificateIssuer.issueServing(
                ca,
                ServingRequest.of(service, namespace)
                        .withExtraDnsNames(dns)
                        .withIpAddresses(ips)
                        .withValidity(VALIDITY),
                Instant.now());
        return new Pem(leaf.certPem(), leaf.keyPem());
    }

    /**
     * A client certificate as the API server reads identities: the user in CN, each group an O.
     * Group names contain ':' which X.500 strings allow unquoted. The key is RSA, as kubeadm issues
     * them: some clients (fabric8) read only RSA PKCS#8 keys.
     */
    public Pem issueClient(String user, List<String> groups) {
        StringBuilder subject = new StringBuilder();
        for (String g : groups) {
            subject.append("O=").append(g.replace(",", "\\,")).append(',');
        }
        subject.append("CN=").append(user);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    ca.cert(),
                    new BigInteger(64, random),
                    Date.from(now.minus(CertificateIssuer.BACKDATE)),
                    Date.from(now.plus(VALIDITY)),
                    new X500Name(subject.toString()),
                    keys.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
            KeyAndCert client = new KeyAndCert(keys.getPrivate(), cert);
            return new Pem(client.certPem(), client.keyPem());
        } catch (GeneralSecurityException | java.io.IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a client certificate for " + user + ": " + e.getMessage(), e);
        }
    }

    private static boolean isIp(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }
}
