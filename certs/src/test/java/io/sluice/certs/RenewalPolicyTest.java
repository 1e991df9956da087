package io.sluice.certs;

import static io.sluice.certs.Fixtures.REQUEST;
import static io.sluice.certs.Fixtures.T0;
import static io.sluice.certs.Fixtures.atFraction;
import static io.sluice.certs.Fixtures.notAfter;
import static io.sluice.certs.RenewalDecision.NOOP;
import static io.sluice.certs.RenewalDecision.RENEW_LEAF;
import static io.sluice.certs.RenewalDecision.ROTATE_CA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RenewalPolicyTest {

    private static final RenewalPolicy POLICY = RenewalPolicy.of(REQUEST);
    private static final Duration SHORT_CA_VALIDITY = Duration.ofDays(10);

    /** A five-year CA, a seven-day leaf from it, both issued at T0. */
    private static KeyAndCert ca;

    private static KeyAndCert leaf;
    /** Same name as {@link #ca}, another key: a rotated or foreign CA. */
    private static KeyAndCert otherCa;
    /** Shorter than three leaf lifetimes, so "cannot sign a full leaf" comes before two thirds. */
    private static KeyAndCert shortCa;

    @BeforeAll
    static void certificates() {
        ca = Fixtures.ca("sluice-webhook-ca", T0);
        leaf = Fixtures.leaf(ca, T0);
        otherCa = Fixtures.ca("sluice-webhook-ca", T0);
        shortCa = Fixtures.ca("short-ca", SHORT_CA_VALIDITY, T0);
    }

    record Scenario(X509Certificate ca, X509Certificate leaf, RenewalPolicy policy, Instant now) {
        /** A leaf issued at {@code now} by {@code ca}: the CA alone decides. */
        static Scenario freshLeaf(KeyAndCert ca, Instant now) {
            return new Scenario(ca.cert(), Fixtures.leaf(ca, now).cert(), POLICY, now);
        }
    }

    private static Arguments row(String name, Supplier<Scenario> scenario, RenewalDecision expected, String reason) {
        return argumentSet(name, scenario, expected, reason);
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                row(
                        "a fresh leaf from a fresh CA needs nothing",
                        () -> new Scenario(ca.cert(), leaf.cert(), POLICY, T0),
                        NOOP,
                        "healthy until"),
                row(
                        "a leaf at 70% of its life is renewed",
                        () -> new Scenario(ca.cert(), leaf.cert(), POLICY, atFraction(leaf.cert(), 0.7)),
                        RENEW_LEAF,
                        "passed two thirds of its lifetime"),
                row(
                        "a leaf one second before two thirds of its life is kept",
                        () -> new Scenario(
                                ca.cert(),
                                leaf.cert(),
                                POLICY,
                                RenewalPolicy.twoThirds(leaf.cert()).minusSeconds(1)),
                        NOOP,
                        "healthy until"),
                row(
                        "a leaf exactly at two thirds of its life is renewed",
                        () -> new Scenario(ca.cert(), leaf.cert(), POLICY, RenewalPolicy.twoThirds(leaf.cert())),
                        RENEW_LEAF,
                        "passed two thirds of its lifetime"),
                row(
                        "an expired leaf is renewed",
                        () -> new Scenario(
                                ca.cert(),
                                leaf.cert(),
                                POLICY,
                                notAfter(leaf.cert()).plusSeconds(1)),
                        RENEW_LEAF,
                        "expired at"),
                row(
                        "a leaf at its notAfter instant is renewed for its age: notAfter itself is still valid",
                        () -> new Scenario(ca.cert(), leaf.cert(), POLICY, notAfter(leaf.cert())),
                        RENEW_LEAF,
                        "passed two thirds"),
                row(
                        "a leaf from another CA with the same name is renewed",
                        () -> new Scenario(ca.cert(), Fixtures.leaf(otherCa, T0).cert(), POLICY, T0),
                        RENEW_LEAF,
                        "not signed by the current CA"),
                row(
                        "a leaf missing a required DNS name is renewed",
                        () -> new Scenario(
                                ca.cert(),
                                leaf.cert(),
                                RenewalPolicy.of(REQUEST.withExtraDnsNames(List.of("localhost"))),
                                T0),
                        RENEW_LEAF,
                        "does not cover [localhost]"),
                row(
                        "a leaf missing a required IP address is renewed",
                        () -> new Scenario(
                                ca.cert(),
                                leaf.cert(),
                                RenewalPolicy.of(REQUEST.withIpAddresses(List.of("127.0.0.1"))),
                                T0),
                        RENEW_LEAF,
                        "does not cover [127.0.0.1]"),
                row(
                        "a CA at 70% of its life is rotated",
                        () -> Scenario.freshLeaf(ca, atFraction(ca.cert(), 0.7)),
                        ROTATE_CA,
                        "the CA passed two thirds of its lifetime"),
                row(
                        "a CA one second before two thirds of its life is kept",
                        () -> Scenario.freshLeaf(
                                ca, RenewalPolicy.twoThirds(ca.cert()).minusSeconds(1)),
                        NOOP,
                        "healthy until"),
                row(
                        "a CA exactly at two thirds of its life is rotated",
                        () -> Scenario.freshLeaf(ca, RenewalPolicy.twoThirds(ca.cert())),
                        ROTATE_CA,
                        "the CA passed two thirds of its lifetime"),
                row(
                        "an expired CA is rotated",
                        () -> new Scenario(
                                ca.cert(),
                                leaf.cert(),
                                POLICY,
                                notAfter(ca.cert()).plusSeconds(1)),
                        ROTATE_CA,
                        "the CA expired at"),
                row(
                        "a CA that expires before a new leaf would is rotated, before two thirds of its life",
                        () -> Scenario.freshLeaf(shortCa, T0.plus(Duration.ofDays(4))),
                        ROTATE_CA,
                        "before a serving certificate issued now would"),
                row(
                        "a CA exactly one leaf validity before its end is rotated",
                        () -> Scenario.freshLeaf(
                                shortCa, notAfter(shortCa.cert()).minus(REQUEST.validity())),
                        ROTATE_CA,
                        "before a serving certificate issued now would"),
                row(
                        "a CA one second more than a leaf validity before its end is kept",
                        () -> Scenario.freshLeaf(
                                shortCa,
                                notAfter(shortCa.cert())
                                        .minus(REQUEST.validity())
                                        .minusSeconds(1)),
                        NOOP,
                        "healthy until"),
                row(
                        "a CA to rotate wins over a leaf to renew",
                        () -> new Scenario(
                                ca.cert(), Fixtures.leaf(otherCa, T0).cert(), POLICY, atFraction(ca.cert(), 0.7)),
                        ROTATE_CA,
                        "the CA passed two thirds"));
    }

    @ParameterizedTest
    @MethodSource("decisions")
    void decides(Supplier<Scenario> scenario, RenewalDecision expected, String reason) {
        Scenario s = scenario.get();

        RenewalVerdict verdict = s.policy().assess(s.ca(), s.leaf(), s.now());

        assertThat(verdict.decision()).isEqualTo(expected);
        assertThat(verdict.reason()).contains(reason);
        assertThat(s.policy().decide(s.ca(), s.leaf(), s.now())).isEqualTo(expected);
    }

    @Test
    void nextChangeOfAFreshLeafIsTwoThirdsOfItsLife() {
        Instant next = POLICY.nextChange(ca.cert(), leaf.cert(), T0);

        assertThat(next).isEqualTo(RenewalPolicy.twoThirds(leaf.cert()));
        assertThat(POLICY.decide(ca.cert(), leaf.cert(), next.minusNanos(1))).isEqualTo(NOOP);
        assertThat(POLICY.decide(ca.cert(), leaf.cert(), next)).isEqualTo(RENEW_LEAF);
    }

    @Test
    void nextChangeOfAShortCaIsTheLastInstantItCanSignAFullLeaf() {
        Instant now = T0.plus(Duration.ofDays(1));
        X509Certificate freshLeaf = Fixtures.leaf(shortCa, now).cert();

        Instant next = POLICY.nextChange(shortCa.cert(), freshLeaf, now);

        assertThat(next).isEqualTo(notAfter(shortCa.cert()).minus(REQUEST.validity()));
        assertThat(POLICY.decide(shortCa.cert(), freshLeaf, next.minusNanos(1))).isEqualTo(NOOP);
        assertThat(POLICY.decide(shortCa.cert(), freshLeaf, next)).isEqualTo(ROTATE_CA);
    }

    @Test
    void nextChangeOfALongLivedLeafIsTwoThirdsOfTheCa() {
        RenewalPolicy yearLongLeaves = new RenewalPolicy(Duration.ofDays(365), Set.of());
        Instant now = atFraction(ca.cert(), 0.5);
        X509Certificate longLeaf = Fixtures.leaf(ca, REQUEST.withValidity(Duration.ofDays(1000)), now)
                .cert();

        Instant next = yearLongLeaves.nextChange(ca.cert(), longLeaf, now);

        assertThat(next).isEqualTo(RenewalPolicy.twoThirds(ca.cert()));
        assertThat(yearLongLeaves.decide(ca.cert(), longLeaf, next)).isEqualTo(ROTATE_CA);
    }

    @Test
    void nextChangeIsNowWhenSomethingIsAlreadyDue() {
        Instant late = atFraction(leaf.cert(), 0.9);
        X509Certificate foreignLeaf = Fixtures.leaf(otherCa, T0).cert();

        assertThat(POLICY.nextChange(ca.cert(), leaf.cert(), late)).isEqualTo(late);
        assertThat(POLICY.nextChange(ca.cert(), foreignLeaf, T0)).isEqualTo(T0);
    }

    @Test
    void aCaAloneIsJudgedWithoutALeaf() {
        assertThat(POLICY.assessCa(ca.cert(), T0).decision()).isEqualTo(NOOP);
        assertThat(POLICY.assessCa(ca.cert(), atFraction(ca.cert(), 0.7)).decision())
                .isEqualTo(ROTATE_CA);
        assertThat(POLICY.assessCa(shortCa.cert(), T0.plus(Duration.ofDays(4))).decision())
                .isEqualTo(ROTATE_CA);
    }

    @Test
    void twoThirdsCountsTheBackdatedLifetimeWrittenInTheCertificate() {
        // 7 days plus the 1 minute of backdating, two thirds of it from notBefore.
        Instant expected = T0.minus(Duration.ofMinutes(1))
                .plus(Duration.ofDays(7).plusMinutes(1).multipliedBy(2).dividedBy(3));

        assertThat(RenewalPolicy.twoThirds(leaf.cert())).isEqualTo(expected);
    }
}
