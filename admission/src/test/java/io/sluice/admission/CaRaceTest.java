package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.certs.CaBundle;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateChecks;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.sluice.model.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas sharing the CA Secret on the mock API server, interleaved so that both decide from the same read:
 * the second writer gets the API server's 409 (on create, or on an update at a stale resourceVersion), reads again
 * and adopts the winner's CA.
 */
class CaRaceTest {
    static final ServingRequest SERVING =
            ServingRequest.of("sluice-admission", "sluice-system").withValidity(Duration.ofDays(1));
    static final CaRequest CA = CaRequest.of("sluice test CA").withValidity(Duration.ofDays(3));

    MockApiServer api;
    Vertx vertx;
    SecretCaStore first;
    HeldStore second;
    List<ManagedCertificates> replicas = new ArrayList<>();

    @BeforeEach
    void setUp() {
        api = new MockApiServer();
        vertx = Vertx.vertx();
        first = store(new KubeCalls(vertx, api.client, 2));
        second = new HeldStore(store(new KubeCalls(vertx, api.client, 2)));
    }

    private static SecretCaStore store(KubeCalls calls) {
        return new SecretCaStore(calls, "sluice-system", "sluice-admission-ca", "sluice-admission", "sluice-admission");
    }

    @AfterEach
    void tearDown() {
        replicas.forEach(ManagedCertificates::stop);
        await(vertx.close());
        api.close();
    }

    /**
     * A store whose first read answers only when released: its replica has read the Secret and decided, and the
     * other replica writes in the meantime. Records what its writes answered.
     */
    static final class HeldStore implements CaStore {
        final CaStore delegate;
        final Promise<Void> hasRead = Promise.promise();
        final Promise<Void> release = Promise.promise();
        final List<String> writes = new ArrayList<>();
        private boolean held;

        HeldStore(CaStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Future<Optional<StoredCa>> read() {
            Future<Optional<StoredCa>> read = delegate.read();
            if (held) {
                return read;
            }
            held = true;
            return read.compose(found -> {
                hasRead.complete();
                return release.future().map(found);
            });
        }

        @Override
        public Future<StoredCa> create(KeyAndCert ca) {
            return recorded("create", delegate.create(ca));
        }

        @Override
        public Future<StoredCa> replace(StoredCa current, KeyAndCert ca, List<X509Certificate> previous) {
            return recorded("replace", delegate.replace(current, ca, previous));
        }

        private Future<StoredCa> recorded(String what, Future<StoredCa> write) {
            return write.onComplete(ar -> writes.add(
                    what + (ar.succeeded() ? " ok" : " " + ar.cause().getClass().getSimpleName())));
        }

        @Override
        public Future<Void> publish(CaBundle bundle) {
            return delegate.publish(bundle);
        }
    }

    private ManagedCertificates replica(CaStore store, MutableClock clock) {
        ManagedCertificates replica = new ManagedCertificates(vertx, store, SERVING, CA, clock, Duration.ofMinutes(5));
        replicas.add(replica);
        return replica;
    }

    /** Starts a replica; what it serves goes into {@code serving}. */
    private static Future<Void> start(ManagedCertificates replica, AtomicReference<KeyAndCert> serving) {
        return replica.start(certificate -> {
            serving.set(certificate.pair());
            return Future.succeededFuture();
        });
    }

    /** Runs the second replica's start around the first's: it reads, the first starts fully, then it goes on. */
    private void race(
            MutableClock clock, AtomicReference<KeyAndCert> servedByFirst, AtomicReference<KeyAndCert> servedBySecond) {
        Future<Void> late = start(replica(second, clock), servedBySecond);
        await(second.hasRead.future());
        await(start(replica(first, clock), servedByFirst));
        second.release.complete();
        await(late);
    }

    private X509Certificate storedCa() {
        return await(first.read()).orElseThrow().ca().cert();
    }

    @Test
    void twoReplicasCreatingTheCaAtOnceEndWithTheWinnersCa() {
        AtomicReference<KeyAndCert> a = new AtomicReference<>();
        AtomicReference<KeyAndCert> b = new AtomicReference<>();

        race(new MutableClock(Instant.now()), a, b);

        assertThat(second.writes)
                .as("the second replica's create lost the race")
                .containsExactly("create Conflict");
        X509Certificate ca = storedCa();
        assertThat(CertificateChecks.isSignedBy(a.get().cert(), ca)).isTrue();
        assertThat(CertificateChecks.isSignedBy(b.get().cert(), ca)).isTrue();
    }

    @Test
    void twoReplicasRotatingTheCaAtOnceEndWithTheWinnersCa() {
        Instant now = Instant.now();
        // Past two thirds of its three days: both replicas decide to rotate it.
        KeyAndCert old = CertificateIssuer.createCa(CA, now.minus(Duration.ofHours(56)));
        String before = await(first.create(old)).version();
        AtomicReference<KeyAndCert> a = new AtomicReference<>();
        AtomicReference<KeyAndCert> b = new AtomicReference<>();

        race(new MutableClock(now), a, b);

        assertThat(second.writes)
                .as("the second replica's update at a stale resourceVersion was refused")
                .containsExactly("replace Conflict");
        CaStore.StoredCa stored = await(first.read()).orElseThrow();
        assertThat(stored.version()).isNotEqualTo(before);
        assertThat(stored.ca().cert()).isNotEqualTo(old.cert());
        assertThat(stored.previous()).containsExactly(old.cert());
        assertThat(CertificateChecks.isSignedBy(a.get().cert(), stored.ca().cert()))
                .isTrue();
        assertThat(CertificateChecks.isSignedBy(b.get().cert(), stored.ca().cert()))
                .isTrue();
    }
}
