package io.sluice.certs;

/**
 * What to do about the webhook's certificates, decided by {@link RenewalPolicy}.
 *
 * <table>
 *   <caption>decisions and what the caller does</caption>
 *   <tr><th>decision</th><th>when</th><th>caller</th></tr>
 *   <tr><td>{@link #NOOP}</td><td>both certificates are healthy</td>
 *       <td>nothing; check again at {@link RenewalPolicy#nextChange}</td></tr>
 *   <tr><td>{@link #RENEW_LEAF}</td><td>the serving certificate is old, expired, from another CA
 *       or misses a name</td><td>issue a leaf from the current CA, hot-swap it into the server</td></tr>
 *   <tr><td>{@link #ROTATE_CA}</td><td>the CA is old, expired, or too close to its end to sign a
 *       full-length leaf</td><td>create a CA, publish old and new in {@code caBundle}
 *       ({@link CaBundle#withCa}), then issue and serve a leaf from the new CA</td></tr>
 * </table>
 *
 * <p>A rotation always includes a new leaf: the old leaf is no longer signed by the current CA. The
 * order matters: the API server must trust the new CA before the server presents a leaf signed by
 * it, or every admission request fails in between.
 */
public enum RenewalDecision {
    NOOP,
    RENEW_LEAF,
    ROTATE_CA
}
