package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.certs.CaBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The whole HTTPS service on 127.0.0.1 with a given certificate source, and clients that trust given CAs. */
final class TlsHarness implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final ServingTls tls = new ServingTls();
    final InMemoryClusterView cluster = new InMemoryClusterView();
    final RecordingStatusWriter writer = new RecordingStatusWriter();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AdmissionMetrics metrics = new AdmissionMetrics(registry);
    HttpServer server;

    /** Starts the source, then the server with its first certificate. */
    TlsHarness start(CertificateSource source) {
        await(source.start(tls::install));
        MutatingHandler mutate = new MutatingHandler(
                cluster,
                writer,
                SourceClassifier.withDefaults(Map.of(), Map.of()),
                new Installation("sluice-system", "analyzer"),
                Duration.ofSeconds(2),
                java.time.Clock.systemUTC(),
                metrics);
        ValidatingHandler validate = new ValidatingHandler(
                new ObjectDecoder(),
                c -> new io.sluice.model.validation.CanaryValidator.Verdict(List.of(), List.of()),
                t -> List.of(),
                p -> List.of(),
                cluster,
                Fixtures.runtimeRequests(),
                false);
        server = await(vertx.createHttpServer(tls.serverOptions(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0)))
                .requestHandler(AdmissionRoutes.router(
                        vertx,
                        validate,
                        mutate,
                        3 * 1024 * 1024,
                        Duration.ofSeconds(4),
                        metrics,
                        registry,
                        List.of(
                                new AdmissionRoutes.ReadyCheck("certificate", tls::loaded),
                                new AdmissionRoutes.ReadyCheck("caches", cluster::synced))))
                .listen());
        tls.attach(server);
        return this;
    }

    int port() {
        return server.actualPort();
    }

    /** A client that trusts exactly {@code bundle} and checks the host name, as the API server does. */
    WebClient client(CaBundle bundle) {
        return WebClient.create(
                vertx,
                new WebClientOptions()
                        .setSsl(true)
                        .setVerifyHost(true)
                        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(bundle.toPem())))
                        .setKeepAlive(false));
    }

    Future<HttpResponse<Buffer>> mutate(WebClient client, String review) {
        return client.post(port(), "localhost", AdmissionRoutes.MUTATE)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(review));
    }

    /** The serial of the certificate the server presents now, read with a plain JDK TLS handshake. */
    BigInteger presentedSerial() {
        try (SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port())) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The protocol a client limited to {@code protocol} negotiates, or the handshake's failure. */
    String handshake(String protocol) {
        try (SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port())) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            return socket.getSession().getProtocol();
        } catch (Exception e) {
            return "failed: " + e.getClass().getSimpleName();
        }
    }

    /** Trust is not what these probes test: they look at what the server presents and speaks. */
    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        @Override
                        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                        @Override
                        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                        @Override
                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    }
                },
                new SecureRandom());
        return context;
    }

    @Override
    public void close() {
        await(vertx.close());
    }
}
