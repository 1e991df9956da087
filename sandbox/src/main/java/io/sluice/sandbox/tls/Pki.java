package io.sluice.sandbox.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The sandbox's own throw-away certificate authority: one per sandbox run, so nothing the sandbox
 * trusts outlives it. Serves the API server's HTTPS and the test webhooks; Sluice's admission
 * service brings its own certificates and publishes its CA in the webhook configurations.
 */
public final class Pki {

  /** A certificate with its private key, both PEM-encoded. */
  public record Pem(String certificate, String privateKey) {}

  private static final Duration VALIDITY = Duration.ofDays(2);
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final SecureRandom random = new SecureRandom();

  public Pki(String commonName) {
    try {
      caKeys = keys();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=" + commonName);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), name, caKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caCert = sign(builder, caKeys);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the sandbox CA: " + e.getMessage(), e);
    }
  }

  public String caPem() {
    return pem(caCert);
  }

  /** A serving certificate for the given DNS names; IP literals among them become IP SANs. */
  public Pem issue(String commonName, List<String> names) {
    return issue("CN=" + commonName, names, false);
  }

  /**
   * A client certificate as the API server reads identities: the user in CN, each group an O.
   * Group names contain ':' which X.500 strings allow unquoted.
   */
  public Pem issueClient(String user, List<String> groups) {
    StringBuilder subject = new StringBuilder();
    for (String g : groups) {
      subject.append("O=").append(g.replace(",", "\\,")).append(',');
    }
    subject.append("CN=").append(user);
    return issue(subject.toString(), List.of(), true);
  }

  private Pem issue(String subject, List<String> names, boolean client) {
    try {
      // Client keys are RSA, as kubeadm issues them: some clients (fabric8) read only RSA PKCS#8 keys.
      KeyPair keys = client ? rsaKeys() : keys();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)),
          new X500Name(subject), keys.getPublic());
      List<GeneralName> sans = new ArrayList<>();
      if (client) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return new Pem(pem(sign(builder, caKeys)), pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
      }
      for (String n : names) {
        sans.add(isIp(n) ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
            : new GeneralName(GeneralName.dNSName, n));
      }
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      return new Pem(pem(sign(builder, caKeys)), pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + names + ": " + e.getMessage(), e);
    }
  }

  private static boolean isIp(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  private BigInteger serial() {
    return new BigInteger(64, random);
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static KeyPair rsaKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
