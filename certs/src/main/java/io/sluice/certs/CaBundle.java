package io.sluice.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The CA certificates a webhook configuration's {@code caBundle} trusts. During a CA rotation it
 * holds the old CA and the new one, so that the API server accepts the serving certificate from
 * before and after the swap; an old CA leaves the bundle when it expires, since nothing it signed
 * can still be valid.
 *
 * @param certificates newest first, no duplicates
 */
public record CaBundle(List<X509Certificate> certificates) {

    public CaBundle {
        certificates = List.copyOf(new LinkedHashSet<>(certificates));
    }

    public static CaBundle of(X509Certificate... cas) {
        return new CaBundle(List.of(cas));
    }

    /** An unset or blank {@code caBundle} is an empty bundle, not an error. */
    public static CaBundle fromPem(String pem) {
        if (pem == null || pem.isBlank()) {
            return new CaBundle(List.of());
        }
        return new CaBundle(Pem.readCertificates(pem));
    }

    /**
     * {@code newer} first, then {@code older}; certificates are equal when their encodings are, and
     * appear once, at their first position. Those expired at {@code now} are dropped.
     */
    public static CaBundle merge(Collection<X509Certificate> newer, Collection<X509Certificate> older, Instant now) {
        Set<X509Certificate> merged = new LinkedHashSet<>(newer);
        merged.addAll(older);
        return new CaBundle(unexpired(merged, now));
    }

    /** This bundle with {@code ca} added in front: what to publish when rotating to {@code ca}. */
    public CaBundle withCa(X509Certificate ca, Instant now) {
        return merge(List.of(ca), certificates, now);
    }

    public CaBundle withoutExpired(Instant now) {
        return new CaBundle(unexpired(certificates, now));
    }

    public boolean contains(X509Certificate ca) {
        return certificates.contains(ca);
    }

    public boolean isEmpty() {
        return certificates.isEmpty();
    }

    /** The text that, base64-encoded by the caller, goes into {@code caBundle}. */
    public String toPem() {
        return Pem.encodeAll(certificates);
    }

    /** Subjects and expiry only: the default would print every certificate in full. */
    @Override
    public String toString() {
        return "CaBundle"
                + certificates.stream()
                        .map(ca -> ca.getSubjectX500Principal().getName() + " until "
                                + ca.getNotAfter().toInstant())
                        .toList();
    }

    /** notAfter is the last valid instant (RFC 5280), so a CA is expired only after it. */
    private static List<X509Certificate> unexpired(Collection<X509Certificate> cas, Instant now) {
        List<X509Certificate> kept = new ArrayList<>();
        for (X509Certificate ca : cas) {
            if (!now.isAfter(ca.getNotAfter().toInstant())) {
                kept.add(ca);
            }
        }
        return kept;
    }
}
