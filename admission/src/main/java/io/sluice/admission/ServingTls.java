package io.sluice.admission;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate the HTTPS server presents. The first one configures the server before it listens; later ones
 * are swapped into the running server, so renewals never restart it or drop connections.
 */
final class ServingTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServingTls.class);
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private volatile ServingCertificate current;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    boolean loaded() {
        return current != null;
    }

    ServingCertificate current() {
        return current;
    }

    /** Server options for the first certificate: TLS only, 1.2 and 1.3, on the JDK's engine. */
    HttpServerOptions serverOptions(HttpServerOptions base) {
        if (current == null) {
            throw new IllegalStateException("no certificate loaded yet");
        }
        HttpServerOptions options = new HttpServerOptions(base)
                .setSsl(true)
                .setSslEngineOptions(new JdkSSLEngineOptions())
                .setKeyCertOptions(keyCert(current));
        options.setEnabledSecureTransportProtocols(PROTOCOLS);
        return options;
    }

    /** Called once a server listens (one per event loop); from then on {@link #install} swaps certificates in. */
    void attach(HttpServer listening) {
        servers.add(listening);
    }

    /** Serves {@code next} from now on. Completes when the running server uses it. */
    Future<Void> install(ServingCertificate next) {
        ServingCertificate previous = current;
        current = next;
        BigInteger serial = next.pair().cert().getSerialNumber();
        if (servers.isEmpty()) {
            LOG.info(
                    "certificate loaded: serial={} subject={} notAfter={}",
                    serial.toString(16),
                    next.pair().cert().getSubjectX500Principal().getName(),
                    next.pair().cert().getNotAfter().toInstant());
            return Future.succeededFuture();
        }
        ServerSSLOptions ssl = new ServerSSLOptions().setKeyCertOptions(keyCert(next));
        ssl.setEnabledSecureTransportProtocols(PROTOCOLS);
        List<Future<Boolean>> updates = new ArrayList<>();
        for (HttpServer s : servers) {
            updates.add(s.updateSSLOptions(ssl, true));
        }
        return Future.all(updates)
                .onSuccess(updated -> LOG.info(
                        "certificate swapped into the running server: serial={} (was {}) " + "notAfter={}",
                        serial.toString(16),
                        previous == null
                                ? "none"
                                : previous.pair().cert().getSerialNumber().toString(16),
                        next.pair().cert().getNotAfter().toInstant()))
                .onFailure(e -> LOG.error(
                        "certificate serial={} could not be swapped in: {}", serial.toString(16), e.toString()))
                .mapEmpty();
    }

    private static PemKeyCertOptions keyCert(ServingCertificate c) {
        return new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(c.chainPem()))
                .setKeyValue(Buffer.buffer(c.pair().keyPem()));
    }
}
