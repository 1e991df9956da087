package io.sluice.admission;

import io.vertx.core.Future;
import java.util.function.Function;

/** Where the serving certificate comes from: files on disk, or Sluice's own CA kept in a Secret. */
sealed interface CertificateSource permits FileCertificates, ManagedCertificates {

    /**
     * Loads the first certificate and hands it to {@code install}; then keeps watching and hands over every
     * replacement. The future completes once the first certificate is installed.
     */
    Future<Void> start(Function<ServingCertificate, Future<Void>> install);

    void stop();
}
