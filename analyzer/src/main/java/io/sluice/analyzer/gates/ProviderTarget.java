package io.sluice.analyzer.gates;

import java.util.List;
import java.util.Map;

/**
 * Where and with what a template's provider is asked: the template's address (or the provider's default), the raw data
 * of the template's Secret (empty without {@code secretRef}), its headers and whether TLS is verified.
 *
 * @param secretName {@code <secret>.<namespace>} for texts, null when the template has no {@code secretRef}
 */
record ProviderTarget(
        String address,
        String secretName,
        Map<String, String> secret,
        Map<String, List<String>> headers,
        boolean insecureSkipVerify) {
    ProviderTarget {
        secret = secret == null ? Map.of() : Map.copyOf(secret);
        headers = headers == null ? Map.of() : headers;
    }

    static ProviderTarget of(String address) {
        return new ProviderTarget(address, null, Map.of(), Map.of(), false);
    }

    /** The Secret's value for {@code key}, null when absent or blank. */
    String secretValue(String key) {
        String v = secret.get(key);
        return v == null || v.isBlank() ? null : v;
    }

    /**
     * Why the first of {@code keys} that the Secret lacks is needed, or null when it has them all: the provider reads
     * its credentials from these keys and cannot ask without them.
     */
    String missingKey(String type, String... keys) {
        for (String key : keys) {
            if (secretValue(key) == null) {
                return secretName == null
                        ? type + " needs a secretRef whose Secret holds " + String.join(" and ", keys)
                        : "secret " + secretName + " has no key " + key;
            }
        }
        return null;
    }
}
