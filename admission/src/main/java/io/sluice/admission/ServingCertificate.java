package io.sluice.admission;

import io.sluice.certs.KeyAndCert;

/**
 * What the server presents: a key, its certificate, and the PEM chain sent to clients (the certificate, then any
 * intermediates from the same file).
 */
record ServingCertificate(KeyAndCert pair, String chainPem) {

    /** A certificate that is its own chain: a leaf issued directly by the CA the API server trusts. */
    static ServingCertificate of(KeyAndCert pair) {
        return new ServingCertificate(pair, pair.certPem());
    }
}
