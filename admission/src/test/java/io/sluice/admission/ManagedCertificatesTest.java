package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.certs.CaBundle;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateChecks;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Self-managed certificates over real TLS. The renewal clock is injected and moved by hand; the certificates it
 * issues must still be valid in real time, since the TLS client checks them against the real clock, which is why
 * the scenarios start in the past and move forward to now.
 */
class ManagedCertificatesTest {
    static final Duration LEAF = Duration.ofDays(1);
    static final ServingRequest SERVING = ServingRequest.of("sluice-admission", "sluice-system")
            .withExtraDnsNames(List.of("localhost"))
            .withIpAddresses(List.of("127.0.0.1"))
            .withValidity(LEAF);
    static final CaRequest CA = CaRequest.of("sluice test CA").withValidity(Duration.ofDays(3));

    TlsHarness harness = new TlsHarness();
    List<ManagedCertificates> sources = new ArrayList<>();

    @AfterEach
    void tearDown() {
        sources.forEach(ManagedCertificates::stop);
        harness.close();
    }

    private ManagedCertificates managed(InMemoryCaStore store, MutableClock clock) {
        ManagedCertificates source =
                new ManagedCertificates(harness.vertx, store, SERVING, CA, clock, Duration.ofMinutes(5));
        sources.add(source);
        return source;
    }

    /** Sends {@code count} reviews at once, each on its own connection and TLS handshake. */
    private Future<List<Integer>> flood(WebClient client, int count) {
        List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
        String review = Fixtures.text("kubectl-set-image-podinfo.json");
        for (int i = 0; i < count; i++) {
            all.add(harness.mutate(client, review));
        }
        return Future.all(all)
                .map(done -> all.stream().map(f -> f.result().statusCode()).toList());
    }

    @Test
    void theFirstStartCreatesACaPublishesItAndServesALeafItSigned() {
        InMemoryCaStore store = new InMemoryCaStore();
        harness.start(managed(store, new MutableClock(Instant.now())));

        KeyAndCert ca = store.stored().ca();
        assertThat(store.published).singleElement().isEqualTo(CaBundle.of(ca.cert()));
        assertThat(CertificateChecks.isSignedBy(harness.tls.current().pair().cert(), ca.cert()))
                .isTrue();
        HttpResponse<Buffer> response = await(harness.mutate(
                harness.client(store.published.get(0)), Fixtures.text("kubectl-set-image-podinfo.json")));
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void theLeafIsRenewedAtTwoThirdsWhileRequestsFlow() {
        Instant now = Instant.now();
        InMemoryCaStore store = new InMemoryCaStore(CertificateIssuer.createCa(CA, now.minus(Duration.ofHours(20))));
        MutableClock clock = new MutableClock(now.minus(Duration.ofHours(17)));
        ManagedCertificates source = managed(store, clock);
        harness.start(source);
        BigInteger first = harness.presentedSerial();
        WebClient client = harness.client(store.published.get(0));

        Future<List<Integer>> during = flood(client, 150);
        clock.advance(Duration.ofHours(17));
        Instant next = await(source.check());
        List<Integer> statuses =
                await(during.compose(before -> flood(client, 50).map(after -> {
                    List<Integer> both = new ArrayList<>(before);
                    both.addAll(after);
                    return both;
                })));

        assertThat(statuses).hasSize(200).containsOnly(200);
        assertThat(harness.presentedSerial())
                .isNotEqualTo(first)
                .isEqualTo(harness.tls.current().pair().cert().getSerialNumber());
        assertThat(store.published)
                .as("the same CA is offered again every round")
                .hasSize(2)
                .containsOnly(store.published.get(0));
        assertThat(next).isAfter(clock.instant());
    }

    @Test
    void aCaNearItsEndIsRotatedAndBothCasArePublishedBeforeTheNewLeafIsServed() {
        Instant now = Instant.now();
        // Created so that two thirds of its life fall 30 seconds from now (its life starts a minute back-dated).
        KeyAndCert oldCa =
                CertificateIssuer.createCa(CA, now.minus(Duration.ofDays(2)).plusSeconds(50));
        InMemoryCaStore store = new InMemoryCaStore(oldCa);
        MutableClock clock = new MutableClock(now.minus(Duration.ofHours(16)));
        ManagedCertificates source = managed(store, clock);
        harness.start(source);
        WebClient trustsOldOnly = harness.client(CaBundle.of(oldCa.cert()));
        assertThat(await(flood(trustsOldOnly, 5))).containsOnly(200);

        clock.advance(Duration.ofHours(16).plusSeconds(40));
        await(source.check());

        KeyAndCert newCa = store.stored().ca();
        assertThat(newCa.cert()).isNotEqualTo(oldCa.cert());
        assertThat(store.stored().previous()).containsExactly(oldCa.cert());
        assertThat(store.published).last().isEqualTo(CaBundle.of(newCa.cert(), oldCa.cert()));
        assertThat(CertificateChecks.isSignedBy(harness.tls.current().pair().cert(), newCa.cert()))
                .isTrue();
        assertThat(await(flood(harness.client(store.published.get(store.published.size() - 1)), 20)))
                .containsOnly(200);
        assertThatThrownBy(() -> await(flood(trustsOldOnly, 1)))
                .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void twoReplicasShareOneCa() {
        InMemoryCaStore store = new InMemoryCaStore();
        MutableClock clock = new MutableClock(Instant.now());
        harness.start(managed(store, clock));
        TlsHarness second = new TlsHarness();
        try {
            ManagedCertificates other =
                    new ManagedCertificates(second.vertx, store, SERVING, CA, clock, Duration.ofMinutes(5));
            second.start(other);
            other.stop();

            assertThat(store.creates).isEqualTo(1);
            assertThat(CertificateChecks.isSignedBy(
                            second.tls.current().pair().cert(),
                            store.stored().ca().cert()))
                    .isTrue();
        } finally {
            second.close();
        }
    }
}
