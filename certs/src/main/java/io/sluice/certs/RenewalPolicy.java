package io.sluice.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When the webhook's CA and serving certificate must be replaced: at two thirds of their lives,
 * as cert-manager does, so the last third is the margin for a failed renewal to be noticed.
 *
 * <p>The boundaries are inclusive: exactly at two thirds the decision is already to renew, so that
 * {@link #nextChange} can name the first instant at which the decision changes.
 *
 * @param leafValidity the validity a new serving certificate would get; a CA that ends before a
 *     leaf issued now would, is rotated rather than asked to sign a truncated leaf
 * @param requiredNames DNS names and IP addresses the serving certificate must cover; a leaf
 *     missing one (the configuration grew) is renewed
 */
public record RenewalPolicy(Duration leafValidity, Set<String> requiredNames) {

    public RenewalPolicy {
        Objects.requireNonNull(leafValidity, "leafValidity");
        requiredNames = Set.copyOf(requiredNames);
        if (leafValidity.isNegative() || leafValidity.isZero()) {
            throw new IllegalArgumentException("leaf validity must be positive, got " + leafValidity);
        }
    }

    /** The policy that keeps certificates issued for {@code request} healthy. */
    public static RenewalPolicy of(ServingRequest request) {
        return new RenewalPolicy(request.validity(), request.requiredNames());
    }

    public RenewalDecision decide(X509Certificate ca, X509Certificate leaf, Instant now) {
        return assess(ca, leaf, now).decision();
    }

    /** The decision with its reason. The CA is judged first: rotating it renews the leaf too. */
    public RenewalVerdict assess(X509Certificate ca, X509Certificate leaf, Instant now) {
        RenewalVerdict caVerdict = assessCa(ca, now);
        if (caVerdict.decision() != RenewalDecision.NOOP) {
            return caVerdict;
        }
        if (!CertificateChecks.isSignedBy(leaf, ca)) {
            return new RenewalVerdict(
                    RenewalDecision.RENEW_LEAF,
                    "the serving certificate is not signed by the current CA (issuer "
                            + leaf.getIssuerX500Principal().getName() + ")");
        }
        Instant leafNotAfter = notAfter(leaf);
        if (now.isAfter(leafNotAfter)) {
            return new RenewalVerdict(RenewalDecision.RENEW_LEAF, "the serving certificate expired at " + leafNotAfter);
        }
        List<String> missing = requiredNames.stream()
                .filter(name -> !CertificateChecks.covers(leaf, name))
                .sorted()
                .toList();
        if (!missing.isEmpty()) {
            return new RenewalVerdict(RenewalDecision.RENEW_LEAF, "the serving certificate does not cover " + missing);
        }
        Instant leafRenewal = twoThirds(leaf);
        if (!now.isBefore(leafRenewal)) {
            return new RenewalVerdict(
                    RenewalDecision.RENEW_LEAF,
                    "the serving certificate passed two thirds of its lifetime at " + leafRenewal + " (expires "
                            + leafNotAfter + ")");
        }
        return new RenewalVerdict(RenewalDecision.NOOP, "certificates are healthy until " + firstTimedChange(ca, leaf));
    }

    /**
     * The CA alone: {@code ROTATE_CA} or {@code NOOP}. For a caller that holds a CA but no serving
     * certificate yet, and must know whether the CA is still worth issuing from.
     */
    public RenewalVerdict assessCa(X509Certificate ca, Instant now) {
        Instant caNotAfter = notAfter(ca);
        if (now.isAfter(caNotAfter)) {
            return new RenewalVerdict(RenewalDecision.ROTATE_CA, "the CA expired at " + caNotAfter);
        }
        Instant caRenewal = twoThirds(ca);
        if (!now.isBefore(caRenewal)) {
            return new RenewalVerdict(
                    RenewalDecision.ROTATE_CA,
                    "the CA passed two thirds of its lifetime at " + caRenewal + " (expires " + caNotAfter + ")");
        }
        Instant lastFullLeaf = caNotAfter.minus(leafValidity);
        if (!now.isBefore(lastFullLeaf)) {
            return new RenewalVerdict(
                    RenewalDecision.ROTATE_CA,
                    "the CA expires at " + caNotAfter + ", before a serving certificate issued now would (validity "
                            + leafValidity + ")");
        }
        return new RenewalVerdict(RenewalDecision.NOOP, "the CA is healthy until " + earliest(caRenewal, lastFullLeaf));
    }

    /**
     * The first instant at which {@link #decide} stops answering {@code NOOP}; {@code now} itself
     * when it already does not. Time for the caller's timer; no earlier check can change anything
     * unless the certificates or the policy do.
     */
    public Instant nextChange(X509Certificate ca, X509Certificate leaf, Instant now) {
        return decide(ca, leaf, now) == RenewalDecision.NOOP ? firstTimedChange(ca, leaf) : now;
    }

    /**
     * The earliest of the time-driven triggers. Expiry is not among them: both certificates reach
     * two thirds before they expire. While the decision is NOOP, this lies after {@code now}.
     */
    private Instant firstTimedChange(X509Certificate ca, X509Certificate leaf) {
        return earliest(twoThirds(ca), notAfter(ca).minus(leafValidity), twoThirds(leaf));
    }

    /** notBefore plus two thirds of the lifetime written in the certificate, backdating included. */
    static Instant twoThirds(X509Certificate cert) {
        Instant notBefore = cert.getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter(cert));
        return notBefore.plus(lifetime.multipliedBy(2).dividedBy(3));
    }

    private static Instant notAfter(X509Certificate cert) {
        return cert.getNotAfter().toInstant();
    }

    private static Instant earliest(Instant first, Instant... others) {
        Instant min = first;
        for (Instant other : others) {
            if (other.isBefore(min)) {
                min = other;
            }
        }
        return min;
    }
}
