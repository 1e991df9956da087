package io.sluice.certs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.util.IPAddress;

/** Does a serving certificate chain to a CA and cover a host: what a TLS client will check. */
public final class CertificateChecks {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private CertificateChecks() {}

    /** Issued by {@code issuer}: the names line up and {@code issuer}'s key verifies the signature. */
    public static boolean isSignedBy(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The certificate names {@code host}: an IP literal against the IP SANs, anything else against
     * the DNS SANs, case-insensitively, a {@code *.} SAN standing for exactly one label (RFC 6125).
     * The subject CN is ignored, as Go and modern browsers ignore it.
     */
    public static boolean covers(X509Certificate cert, String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (isIpLiteral(name)) {
            byte[] wanted = ipBytes(name);
            return ipAddresses(cert).stream().anyMatch(ip -> Arrays.equals(ipBytes(ip), wanted));
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return dnsNames(cert).stream().anyMatch(san -> dnsMatches(san.toLowerCase(Locale.ROOT), lower));
    }

    /**
     * Everything a TLS client calling {@code host} at {@code now} would check, with a message that
     * says which check failed.
     *
     * @throws CertificateException naming the first problem found
     */
    public static void verifyServing(X509Certificate leaf, X509Certificate ca, String host, Instant now)
            throws CertificateException {
        Date at = Date.from(now);
        if (ca.getBasicConstraints() < 0) {
            throw new CertificateException(subject(ca) + " is not a CA certificate");
        }
        ca.checkValidity(at);
        if (!isSignedBy(leaf, ca)) {
            throw new CertificateException(subject(leaf) + " is not signed by " + subject(ca));
        }
        leaf.checkValidity(at);
        List<String> purposes = leaf.getExtendedKeyUsage();
        if (purposes != null && !purposes.contains(KeyPurposeId.id_kp_serverAuth.getId())) {
            throw new CertificateException(subject(leaf) + " is not meant for TLS servers (no serverAuth usage)");
        }
        if (!covers(leaf, host)) {
            throw new CertificateException(subject(leaf) + " does not cover " + host + " (DNS " + dnsNames(leaf)
                    + ", IP " + ipAddresses(leaf) + ")");
        }
    }

    static List<String> dnsNames(X509Certificate cert) {
        return subjectAlternativeNames(cert, SAN_DNS);
    }

    static List<String> ipAddresses(X509Certificate cert) {
        return subjectAlternativeNames(cert, SAN_IP);
    }

    static boolean isIpLiteral(String host) {
        return IPAddress.isValid(host);
    }

    private static boolean dnsMatches(String san, String host) {
        if (san.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(san.substring(1));
        }
        return san.equals(host);
    }

    /** Only called on validated literals, so no lookup can happen. */
    private static byte[] ipBytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static List<String> subjectAlternativeNames(X509Certificate cert, int type) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subjectAltName in " + subject(cert), e);
        }
        List<String> names = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == type && san.get(1) instanceof String value) {
                    names.add(value);
                }
            }
        }
        return names;
    }

    private static String subject(X509Certificate cert) {
        return cert.getSubjectX500Principal().getName();
    }
}
