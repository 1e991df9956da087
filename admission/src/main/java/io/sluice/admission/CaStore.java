package io.sluice.admission;

import io.sluice.certs.CaBundle;
import io.sluice.certs.KeyAndCert;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** Where the self-managed CA lives, shared by every replica, and where its bundle is published. */
interface CaStore {

    /**
     * The stored CA.
     *
     * @param ca       the CA that signs serving certificates now
     * @param previous CAs it replaced, still trusted until they expire so that replicas serving a leaf signed by
     *                 one keep working during a rotation
     * @param version  opaque version for {@link #replace}; a write against an older version fails
     */
    record StoredCa(KeyAndCert ca, List<X509Certificate> previous, String version) {
        public StoredCa {
            previous = List.copyOf(previous);
        }
    }

    /** Thrown (as a failed future) when another replica wrote first; the caller reads again. */
    final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message);
        }
    }

    Future<Optional<StoredCa>> read();

    /** Stores the first CA; fails with {@link Conflict} when one exists. */
    Future<StoredCa> create(KeyAndCert ca);

    /** Replaces {@code current} by a rotated CA; fails with {@link Conflict} when {@code current} is stale. */
    Future<StoredCa> replace(StoredCa current, KeyAndCert ca, List<X509Certificate> previous);

    /** Makes the API server trust {@code bundle} for calls to the webhooks. */
    Future<Void> publish(CaBundle bundle);
}
