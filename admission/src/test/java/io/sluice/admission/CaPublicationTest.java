package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.certs.CaBundle;
import io.sluice.certs.CertificateChecks;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.model.testing.MutableClock;
import io.vertx.ext.web.client.WebClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook configurations refuse the caBundle patch (as without RBAC for them): the service still serves over
 * TLS, counts and retries the publication, and does not switch to a leaf the API server cannot verify yet.
 */
class CaPublicationTest {
    MockApiServer api;
    TlsHarness harness;
    SecretCaStore store;
    ManagedCertificates source;

    @BeforeEach
    void setUp() {
        api = new MockApiServer();
        api.storeWebhookConfigurations();
        harness = new TlsHarness();
        store = new SecretCaStore(
                new KubeCalls(harness.vertx, api.client, 2),
                "sluice-system",
                "sluice-admission-ca",
                "sluice-admission",
                "sluice-admission");
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.stop();
        }
        harness.close();
        api.close();
    }

    private ManagedCertificates managed(MutableClock clock) {
        source = new ManagedCertificates(
                harness.vertx,
                store,
                ManagedCertificatesTest.SERVING,
                ManagedCertificatesTest.CA,
                clock,
                Duration.ofMinutes(5));
        harness.metrics.caPublishFailures(source);
        return source;
    }

    private int mutate(WebClient client) {
        return await(harness.mutate(client, Fixtures.text("kubectl-set-image-podinfo.json")))
                .statusCode();
    }

    private double counted() {
        return harness.registry
                .get("sluice.admission.ca.publish.failures")
                .functionCounter()
                .count();
    }

    @Test
    void aRefusedPublicationLeavesTheServiceServingAndIsRetried() {
        api.refusePatch = path -> path.contains("webhookconfigurations");
        MutableClock clock = new MutableClock(Instant.now());

        harness.start(managed(clock));

        CaBundle stored = CaBundle.of(await(store.read()).orElseThrow().ca().cert());
        assertThat(api.publishedBundle()).isEmpty();
        assertThat(mutate(harness.client(stored))).isEqualTo(200);
        assertThat(counted()).isEqualTo(1);

        Instant next = await(source.check());
        assertThat(next).isBeforeOrEqualTo(clock.instant().plus(ManagedCertificates.RETRY));
        assertThat(counted()).isEqualTo(2);

        api.refusePatch = path -> false;
        await(source.check());
        assertThat(CaBundle.fromPem(api.publishedBundle())).isEqualTo(stored);
        assertThat(counted()).isEqualTo(2);
    }

    @Test
    void aRotatedCaThatCannotBePublishedIsNotServedUntilItIs() {
        Instant now = Instant.now();
        // As in ManagedCertificatesTest: two thirds of this CA's life fall 30 seconds from now.
        KeyAndCert oldCa = CertificateIssuer.createCa(
                ManagedCertificatesTest.CA, now.minus(Duration.ofDays(2)).plusSeconds(50));
        await(store.create(oldCa));
        MutableClock clock = new MutableClock(now.minus(Duration.ofHours(16)));
        harness.start(managed(clock));
        BigInteger first = harness.presentedSerial();
        WebClient trustsOldOnly = harness.client(CaBundle.of(oldCa.cert()));

        api.refusePatch = path -> path.contains("webhookconfigurations");
        clock.advance(Duration.ofHours(16).plusSeconds(40));
        await(source.check());

        KeyAndCert newCa = await(store.read()).orElseThrow().ca();
        assertThat(newCa.cert()).as("the CA was rotated in the Secret").isNotEqualTo(oldCa.cert());
        assertThat(harness.presentedSerial()).as("the leaf of the old CA stays").isEqualTo(first);
        assertThat(mutate(trustsOldOnly)).isEqualTo(200);
        assertThat(counted()).isEqualTo(1);

        api.refusePatch = path -> false;
        await(source.check());

        assertThat(CaBundle.fromPem(api.publishedBundle())).isEqualTo(CaBundle.of(newCa.cert(), oldCa.cert()));
        assertThat(CertificateChecks.isSignedBy(harness.tls.current().pair().cert(), newCa.cert()))
                .isTrue();
        assertThat(mutate(harness.client(CaBundle.of(newCa.cert(), oldCa.cert()))))
                .isEqualTo(200);
    }
}
