package io.sluice.admission;

import io.sluice.certs.CaBundle;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.RenewalDecision;
import io.sluice.certs.RenewalPolicy;
import io.sluice.certs.RenewalVerdict;
import io.sluice.certs.ServingRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's own certificates: a long-lived CA shared by all replicas through a {@link CaStore}, and a short-lived
 * serving certificate each replica issues for itself and keeps in memory only (a key never written anywhere cannot
 * leak from there).
 *
 * <p>Each check reads the stored CA (another replica may have rotated it), rotates it when the renewal policy
 * says so, publishes the bundle, and only then issues and serves a new leaf: the API server must trust a CA before
 * the server presents a certificate signed by it. The next check is due when the policy's decision next changes,
 * and at the latest after {@code recheck}, to notice a rotation made elsewhere.
 */
final class ManagedCertificates implements CertificateSource {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedCertificates.class);

    private final Vertx vertx;
    private final CaStore store;
    private final ServingRequest serving;
    private final CaRequest caRequest;
    private final RenewalPolicy policy;
    private final Clock clock;
    private final Duration recheck;
    private Function<ServingCertificate, Future<Void>> install;
    private volatile KeyAndCert leaf;
    private volatile CaBundle lastPublished;
    private final AtomicLong publishFailures = new AtomicLong();
    private long timer = -1;
    private boolean stopped;

    ManagedCertificates(
            Vertx vertx, CaStore store, ServingRequest serving, CaRequest caRequest, Clock clock, Duration recheck) {
        this.vertx = vertx;
        this.store = store;
        this.serving = serving;
        this.caRequest = caRequest;
        this.policy = RenewalPolicy.of(serving);
        this.clock = clock;
        this.recheck = recheck;
    }

    @Override
    public Future<Void> start(Function<ServingCertificate, Future<Void>> install) {
        this.install = install;
        return check().onSuccess(next -> schedule(next)).mapEmpty();
    }

    private void schedule(Instant next) {
        if (stopped) {
            return;
        }
        long delay = Math.max(
                1000,
                Math.min(
                        recheck.toMillis(),
                        Duration.between(clock.instant(), next).toMillis()));
        timer = vertx.setTimer(
                delay,
                id -> check().onComplete(ar ->
                        schedule(ar.succeeded() ? ar.result() : clock.instant().plus(Duration.ofSeconds(30)))));
    }

    /**
     * One round; returns when the next round is due. Failures are logged and retried by the caller's timer.
     *
     * <p>A bundle that cannot be published (the configuration patch refused, the API server away) does not stop the
     * service: the failure is logged and counted, the next round comes within {@link #RETRY}, and the leaf goes on
     * as before, except that a leaf of a CA the API server may not trust yet is not served while an older leaf
     * still works. At the first start there is no older leaf: the service serves one of the stored CA rather than
     * nothing (a call the API server cannot verify fails open, as a missing service does).
     */
    Future<Instant> check() {
        Instant now = clock.instant();
        return currentCa(now)
                .compose(stored -> publish(stored, now).compose(published -> {
                    if (!published && leaf != null && !trusted(stored.ca().cert())) {
                        LOG.warn("the CA bundle is not published yet: the current serving certificate stays");
                        return Future.succeededFuture(now.plus(RETRY));
                    }
                    return renewLeaf(stored, now)
                            .map(next -> published || next.isBefore(now.plus(RETRY)) ? next : now.plus(RETRY));
                }))
                .onFailure(e -> LOG.error("certificate check failed, the current certificate stays: {}", e.toString()));
    }

    /** How soon a round that could not publish the bundle is tried again. */
    static final Duration RETRY = Duration.ofSeconds(30);

    /** Whether {@code ca} was in the last bundle published, so the API server trusts leaves it signs. */
    private boolean trusted(X509Certificate ca) {
        return lastPublished != null && lastPublished.certificates().contains(ca);
    }

    /** Rounds whose bundle could not be published; {@code sluice_admission_ca_publish_failures_total}. */
    long publishFailures() {
        return publishFailures.get();
    }

    /** The stored CA, created or rotated first when needed. */
    private Future<CaStore.StoredCa> currentCa(Instant now) {
        return store.read().compose(found -> {
            if (found.isEmpty()) {
                return crypto(() -> CertificateIssuer.createCa(caRequest, now))
                        .compose(ca -> {
                            LOG.info(
                                    "no CA stored yet: created one, serial={} notAfter={}",
                                    ca.cert().getSerialNumber().toString(16),
                                    ca.cert().getNotAfter().toInstant());
                            return store.create(ca);
                        })
                        .recover(e -> e instanceof CaStore.Conflict ? readExisting() : Future.failedFuture(e));
            }
            CaStore.StoredCa stored = found.get();
            RenewalVerdict verdict = policy.assessCa(stored.ca().cert(), now);
            if (verdict.decision() != RenewalDecision.ROTATE_CA) {
                return Future.succeededFuture(stored);
            }
            List<X509Certificate> previous = new ArrayList<>();
            previous.add(stored.ca().cert());
            previous.addAll(stored.previous());
            List<X509Certificate> keep =
                    CaBundle.merge(List.of(), previous, now).certificates();
            return crypto(() -> CertificateIssuer.createCa(caRequest, now))
                    .compose(ca -> {
                        LOG.info(
                                "rotating the CA: {}; new serial={}",
                                verdict.reason(),
                                ca.cert().getSerialNumber().toString(16));
                        return store.replace(stored, ca, keep);
                    })
                    .recover(e -> e instanceof CaStore.Conflict ? readExisting() : Future.failedFuture(e));
        });
    }

    private Future<CaStore.StoredCa> readExisting() {
        return store.read()
                .compose(again -> again.map(Future::succeededFuture)
                        .orElseGet(() ->
                                Future.failedFuture(new IllegalStateException("the CA vanished while being written"))));
    }

    /**
     * Publishes every round, not only when the bundle changed: a webhook configuration created or re-created
     * after start-up (a re-applied manifest, a Helm upgrade) must get the bundle too. The store patches only
     * configurations whose caBundle differs, so a round where nothing changed costs two reads.
     */
    private Future<Void> publish(CaBundle bundle) {
        return store.publish(bundle);
    }

    /** Publishes the stored CA's bundle; answers whether that worked, a failure being logged and counted. */
    private Future<Boolean> publish(CaStore.StoredCa stored, Instant now) {
        CaBundle bundle = CaBundle.merge(List.of(stored.ca().cert()), stored.previous(), now);
        return publish(bundle)
                .map(v -> {
                    lastPublished = bundle;
                    return true;
                })
                .recover(e -> {
                    publishFailures.incrementAndGet();
                    LOG.error(
                            "could not publish the CA bundle into the webhook configurations, retrying within {}: {}",
                            RETRY,
                            e.toString());
                    return Future.succeededFuture(false);
                });
    }

    private Future<Instant> renewLeaf(CaStore.StoredCa stored, Instant now) {
        X509Certificate ca = stored.ca().cert();
        RenewalVerdict verdict = leaf == null
                ? new RenewalVerdict(RenewalDecision.RENEW_LEAF, "no serving certificate yet")
                : policy.assess(ca, leaf.cert(), now);
        if (verdict.decision() == RenewalDecision.NOOP) {
            return Future.succeededFuture(policy.nextChange(ca, leaf.cert(), now));
        }
        return crypto(() -> CertificateIssuer.issueServing(stored.ca(), serving, now))
                .compose(next -> {
                    LOG.info(
                            "issuing a serving certificate: {}; serial={} notAfter={}",
                            verdict.reason(),
                            next.cert().getSerialNumber().toString(16),
                            next.cert().getNotAfter().toInstant());
                    return install.apply(ServingCertificate.of(next)).map(v -> {
                        leaf = next;
                        return policy.nextChange(ca, next.cert(), now);
                    });
                });
    }

    /** Key generation and signing take milliseconds of CPU: never on an event loop. */
    private Future<KeyAndCert> crypto(java.util.concurrent.Callable<KeyAndCert> work) {
        return vertx.executeBlocking(work, false);
    }

    @Override
    public void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
