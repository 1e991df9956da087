package io.sluice.admission;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's TLS engine for the HTTPS server, with Netty's SSL context built straight from a JDK {@link SSLContext}.
 *
 * <p>Vert.x's default factory goes through Netty's {@code SslContextBuilder}, whose server context probes, once per
 * JVM, whether Bouncy Castle can parse keys, and to find out instantiates Bouncy Castle's JCE provider because
 * {@code bcprov} is on the class path (the {@code certs} library needs it for ASN.1 and PEM). That provider, which
 * nothing in the service uses, stays reachable for the life of the process: about 4.8 MiB of heap and 4.2 MiB of
 * metaspace (measured with JDK 17), a tenth of the service's memory goal. This factory builds the same context
 * (the JDK provider, the JDK's default cipher suites, the key and trust managers and client-authentication mode
 * Vert.x asks for) without that probe. Anything else (ALPN, a client context) goes to Vert.x's own factory.
 */
final class ServerSslEngine extends JdkSSLEngineOptions {
    ServerSslEngine() {
    }

    private ServerSslEngine(ServerSslEngine other) {
        super(other);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new Factory(super.sslContextFactory());
    }

    @Override
    public ServerSslEngine copy() {
        // Vert.x copies the server's options when it starts a server: the copy must stay this class.
        return new ServerSslEngine(this);
    }

    static final class Factory implements SslContextFactory {
        private final SslContextFactory fallback;
        private boolean useAlpn;
        private boolean forClient;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private KeyManagerFactory keyManagers;
        private TrustManagerFactory trustManagers;
        private Set<String> cipherSuites = Set.of();

        Factory(SslContextFactory fallback) {
            this.fallback = fallback;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            this.useAlpn = useAlpn;
            fallback.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            fallback.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            this.forClient = forClient;
            fallback.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory factory) {
            this.keyManagers = factory;
            fallback.keyMananagerFactory(factory);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory factory) {
            this.trustManagers = factory;
            fallback.trustManagerFactory(factory);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> suites) {
            this.cipherSuites = suites == null ? Set.of() : suites;
            fallback.enabledCipherSuites(suites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> protocols) {
            fallback.applicationProtocols(protocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            fallback.serverName(serverName);
            return this;
        }

        /** True when this factory builds the context itself; false when it hands over to Vert.x's. */
        boolean buildsItself() {
            return !forClient && !useAlpn && keyManagers != null;
        }

        @Override
        public SslContext create() throws SSLException {
            if (!buildsItself()) {
                return fallback.create();
            }
            SSLContext context;
            try {
                context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(),
                        trustManagers == null ? null : trustManagers.getTrustManagers(), null);
            } catch (GeneralSecurityException e) {
                throw new SSLException("could not create the server's TLS context: " + e.getMessage(), e);
            }
            // As Vert.x does for the JDK engine: the suites asked for, else every suite the JDK enables by default.
            List<String> suites = cipherSuites.isEmpty()
                    ? List.of(context.createSSLEngine().getEnabledCipherSuites())
                    : List.copyOf(cipherSuites);
            // Protocols are not set here: Vert.x enables the configured ones on every engine it creates.
            return new JdkSslContext(context, false, suites, IdentityCipherSuiteFilter.INSTANCE, null, clientAuth,
                    null, false);
        }
    }
}
