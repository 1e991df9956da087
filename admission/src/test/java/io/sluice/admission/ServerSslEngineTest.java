package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.ServingRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class ServerSslEngineTest {
    private static final KeyManagerFactory KEYS = keyManagers();

    private static KeyManagerFactory keyManagers() {
        try {
            Instant now = Instant.now();
            KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("test CA"), now);
            KeyAndCert leaf = CertificateIssuer.issueServing(ca, ServingRequest.of("sluice-admission",
                    "sluice-system"), now);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("serving", leaf.key(), new char[0], new Certificate[] {leaf.cert()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            return factory;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stand-in for Vert.x's factory that counts the contexts it is asked for. */
    private static final class Fallback implements SslContextFactory {
        final AtomicInteger created = new AtomicInteger();

        @Override
        public SslContext create() throws javax.net.ssl.SSLException {
            created.incrementAndGet();
            return SslContextBuilder.forServer(KEYS).build();
        }
    }

    @Test
    void aServerContextWithoutAlpnIsBuiltFromTheJdkContextWithTheJdkDefaultSuites() throws Exception {
        Fallback fallback = new Fallback();
        SslContextFactory factory = new ServerSslEngine.Factory(fallback).forClient(false).useAlpn(false)
                .keyMananagerFactory(KEYS).clientAuth(ClientAuth.NONE);

        SslContext context = factory.create();

        assertThat(fallback.created).as("Vert.x's own factory is not used").hasValue(0);
        assertThat(context).isInstanceOf(JdkSslContext.class);
        assertThat(context.isServer()).isTrue();
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(null, null, null);
        assertThat(context.cipherSuites()).containsExactly(jdk.createSSLEngine().getEnabledCipherSuites());
        SSLEngine engine = context.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getNeedClientAuth()).isFalse();
    }

    @Test
    void theSuitesAndClientAuthenticationAskedForAreKept() throws Exception {
        SslContextFactory factory = new ServerSslEngine.Factory(new Fallback()).keyMananagerFactory(KEYS)
                .enabledCipherSuites(Set.of("TLS_AES_128_GCM_SHA256")).clientAuth(ClientAuth.REQUIRE);

        SslContext context = factory.create();

        assertThat(context.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(context.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).getNeedClientAuth()).isTrue();
    }

    @Test
    void alpnAndClientContextsAreLeftToVertx() throws Exception {
        Fallback fallback = new Fallback();
        new ServerSslEngine.Factory(fallback).keyMananagerFactory(KEYS).useAlpn(true)
                .applicationProtocols(List.of("http/1.1")).create();
        new ServerSslEngine.Factory(fallback).forClient(true).create();

        assertThat(fallback.created).hasValue(2);
    }

    @Test
    void theEngineSurvivesVertxCopyingTheServerOptions() {
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setSslEngineOptions(new ServerSslEngine());

        assertThat(new HttpServerOptions(options).getSslEngineOptions()).isInstanceOf(ServerSslEngine.class);
    }

    @Test
    void theServingOptionsUseIt() {
        Instant now = Instant.now();
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("test CA"), now);
        ServingTls tls = new ServingTls();
        Fixtures.await(tls.install(ServingCertificate.of(CertificateIssuer.issueServing(ca,
                ServingRequest.of("sluice-admission", "sluice-system"), now))));

        assertThat(tls.serverOptions(new HttpServerOptions()).getSslEngineOptions())
                .isInstanceOf(ServerSslEngine.class);
    }
}
