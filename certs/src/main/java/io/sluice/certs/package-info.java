/**
 * Certificates for the admission webhook, in the shape of cert-manager: a long-lived CA, a
 * short-lived serving certificate for {@code svc}, {@code svc.ns}, {@code svc.ns.svc}, PEM in and
 * out, and a named renewal decision.
 *
 * <p>Everything here is a pure function of its arguments. Time always comes in as an {@code
 * Instant now} so that "at two thirds of its life" is a deterministic test; only {@link
 * io.sluice.certs.LocalCerts}, the command-line edge, reads the real clock. No Vert.x and no
 * Kubernetes client: the admission service does the I/O (Secrets, {@code caBundle},
 * {@code HttpServer.updateSSLOptions}) and asks this package what to do.
 *
 * <p>Keys and signatures use the JDK's own providers; BouncyCastle only builds and parses the
 * ASN.1. No provider is registered globally, so loading this package changes nothing else in the
 * process.
 */
package io.sluice.certs;
