package io.sluice.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Certificates at fixed instants; keys are generated once per test class where they can be shared. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final String SERVICE = "sluice-admission";
    static final String NAMESPACE = "sluice-system";
    static final ServingRequest REQUEST = ServingRequest.of(SERVICE, NAMESPACE);

    private Fixtures() {}

    static KeyAndCert ca(String commonName, Instant now) {
        return CertificateIssuer.createCa(CaRequest.of(commonName), now);
    }

    static KeyAndCert ca(String commonName, Duration validity, Instant now) {
        return CertificateIssuer.createCa(CaRequest.of(commonName).withValidity(validity), now);
    }

    static KeyAndCert leaf(KeyAndCert ca, Instant now) {
        return CertificateIssuer.issueServing(ca, REQUEST, now);
    }

    static KeyAndCert leaf(KeyAndCert ca, ServingRequest request, Instant now) {
        return CertificateIssuer.issueServing(ca, request, now);
    }

    /** The instant at {@code fraction} of the lifetime written in the certificate. */
    static Instant atFraction(X509Certificate cert, double fraction) {
        Instant notBefore = cert.getNotBefore().toInstant();
        long lifetimeMillis =
                Duration.between(notBefore, cert.getNotAfter().toInstant()).toMillis();
        return notBefore.plusMillis(Math.round(lifetimeMillis * fraction));
    }

    static Instant notAfter(X509Certificate cert) {
        return cert.getNotAfter().toInstant();
    }

    static List<String> dnsNames(X509Certificate cert) {
        return CertificateChecks.dnsNames(cert);
    }
}
