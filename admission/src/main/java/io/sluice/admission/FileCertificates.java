package io.sluice.admission;

import io.sluice.certs.KeyAndCert;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A certificate and key from PEM files, for example a cert-manager Secret mounted into the pod. The files are
 * polled for a new modification time and reloaded when either changes; a pair that does not load (half-written,
 * key not matching) is logged and the server keeps the certificate it has.
 */
final class FileCertificates implements CertificateSource {
    private static final Logger LOG = LoggerFactory.getLogger(FileCertificates.class);

    private final Vertx vertx;
    private final String certFile;
    private final String keyFile;
    private final Duration poll;
    private long timer = -1;
    private List<Long> seen = List.of();

    FileCertificates(Vertx vertx, String certFile, String keyFile, Duration poll) {
        this.vertx = vertx;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.poll = poll;
    }

    @Override
    public Future<Void> start(Function<ServingCertificate, Future<Void>> install) {
        return modified()
                .compose(times -> load().compose(install).onSuccess(v -> seen = times))
                .onSuccess(v -> timer = vertx.setPeriodic(poll.toMillis(), id -> check(install)));
    }

    /** One poll: reload when a modification time moved. */
    Future<Boolean> check(Function<ServingCertificate, Future<Void>> install) {
        return modified()
                .compose(times -> {
                    if (times.equals(seen)) {
                        return Future.succeededFuture(false);
                    }
                    return load().compose(install)
                            .map(v -> {
                                seen = times;
                                return true;
                            })
                            .recover(e -> {
                                LOG.warn(
                                        "certificate files changed but do not load, keeping the current certificate: {}",
                                        e.getMessage());
                                return Future.succeededFuture(false);
                            });
                })
                .recover(e -> {
                    LOG.warn("certificate files cannot be read, keeping the current certificate: {}", e.toString());
                    return Future.succeededFuture(false);
                });
    }

    private Future<List<Long>> modified() {
        return Future.all(vertx.fileSystem().props(certFile), vertx.fileSystem().props(keyFile))
                .map(all -> List.of(
                        all.<FileProps>resultAt(0).lastModifiedTime(),
                        all.<FileProps>resultAt(1).lastModifiedTime()));
    }

    private Future<ServingCertificate> load() {
        return Future.all(
                        vertx.fileSystem().readFile(certFile),
                        vertx.fileSystem().readFile(keyFile))
                .map(all -> {
                    try {
                        String chain = all.resultAt(0).toString();
                        return new ServingCertificate(
                                KeyAndCert.fromPem(chain, all.resultAt(1).toString()), chain);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(certFile + " and " + keyFile + ": " + e.getMessage(), e);
                    }
                });
    }

    @Override
    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
