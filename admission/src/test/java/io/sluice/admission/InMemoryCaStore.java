package io.sluice.admission;

import io.sluice.certs.CaBundle;
import io.sluice.certs.KeyAndCert;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A CA store in memory, versioned like a Secret; records every published bundle. */
final class InMemoryCaStore implements CaStore {
    private StoredCa stored;
    private int version;
    final List<CaBundle> published = new ArrayList<>();
    int creates;

    InMemoryCaStore() {}

    InMemoryCaStore(KeyAndCert ca) {
        stored = new StoredCa(ca, List.of(), "0");
    }

    synchronized StoredCa stored() {
        return stored;
    }

    @Override
    public synchronized Future<Optional<StoredCa>> read() {
        return Future.succeededFuture(Optional.ofNullable(stored));
    }

    @Override
    public synchronized Future<StoredCa> create(KeyAndCert ca) {
        if (stored != null) {
            return Future.failedFuture(new Conflict("exists"));
        }
        creates++;
        stored = new StoredCa(ca, List.of(), Integer.toString(++version));
        return Future.succeededFuture(stored);
    }

    @Override
    public synchronized Future<StoredCa> replace(StoredCa current, KeyAndCert ca, List<X509Certificate> previous) {
        if (!current.version().equals(stored.version())) {
            return Future.failedFuture(new Conflict("changed"));
        }
        stored = new StoredCa(ca, previous, Integer.toString(++version));
        return Future.succeededFuture(stored);
    }

    @Override
    public synchronized Future<Void> publish(CaBundle bundle) {
        published.add(bundle);
        return Future.succeededFuture();
    }
}
