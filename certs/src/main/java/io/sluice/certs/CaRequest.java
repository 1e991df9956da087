package io.sluice.certs;

import java.time.Duration;
import java.util.Objects;

/**
 * What a new CA should look like. Five years by default: long enough that rotation is rare, short
 * enough that a leaked key does not stay trusted forever; rotation starts at two thirds anyway.
 */
public record CaRequest(String commonName, KeyType keyType, Duration validity) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(5 * 365);

    public CaRequest {
        Objects.requireNonNull(commonName, "commonName");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(validity, "validity");
        // ub-common-name in RFC 5280; longer names produce certificates some parsers reject.
        if (commonName.isBlank() || commonName.length() > 64) {
            throw new IllegalArgumentException("CA common name must be 1 to 64 characters, got '" + commonName + "'");
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("CA validity must be positive, got " + validity);
        }
    }

    /** An EC P-256 CA valid for {@link #DEFAULT_VALIDITY}. */
    public static CaRequest of(String commonName) {
        return new CaRequest(commonName, KeyType.EC_P256, DEFAULT_VALIDITY);
    }

    public CaRequest withKeyType(KeyType newKeyType) {
        return new CaRequest(commonName, newKeyType, validity);
    }

    public CaRequest withValidity(Duration newValidity) {
        return new CaRequest(commonName, keyType, newValidity);
    }
}
