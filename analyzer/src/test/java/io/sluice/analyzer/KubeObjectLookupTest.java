package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static io.sluice.analyzer.testing.Futures.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gates' reads of MetricTemplates, AlertProviders and Secrets from the (mock) API server. */
class KubeObjectLookupTest {
    MockCluster cluster;
    Vertx vertx;
    KubeObjectLookup lookup;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        vertx = Vertx.vertx();
        lookup = new KubeObjectLookup(
                new Kube(cluster.client, vertx.createSharedWorkerExecutor("lookup-test", 1), () -> true));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        await(vertx.close());
    }

    @Test
    void reads_a_metric_template_and_names_a_missing_one() {
        MetricTemplate t = new MetricTemplate();
        t.setMetadata(new ObjectMetaBuilder()
                .withName("latency")
                .withNamespace("monitoring")
                .build());
        t.setSpec(new MetricTemplate.Spec());
        t.getSpec().provider = new MetricTemplate.Provider();
        t.getSpec().provider.type = "prometheus";
        t.getSpec().provider.address = "http://prometheus.monitoring:9090";
        t.getSpec().query = "histogram_quantile(0.99, 1)";
        cluster.client.resource(t).create();

        MetricTemplate read = await(lookup.template("monitoring", "latency"));
        assertThat(read.getSpec().provider.address).isEqualTo("http://prometheus.monitoring:9090");
        assertThat(read.getSpec().query).isEqualTo("histogram_quantile(0.99, 1)");
        assertThat(awaitFailure(lookup.template("test", "latency")))
                .hasMessage("metrictemplates.flagger.app \"latency\" not found");
    }

    @Test
    void reads_an_alert_provider_and_names_a_missing_one() {
        AlertProvider p = new AlertProvider();
        p.setMetadata(new ObjectMetaBuilder()
                .withName("on-call")
                .withNamespace("test")
                .build());
        p.setSpec(new AlertProvider.Spec());
        p.getSpec().type = "slack";
        p.getSpec().channel = "on-call";
        cluster.client.resource(p).create();

        assertThat(await(lookup.alertProvider("test", "on-call")).getSpec().channel)
                .isEqualTo("on-call");
        assertThat(awaitFailure(lookup.alertProvider("test", "nobody")))
                .hasMessage("alertproviders.flagger.app \"nobody\" not found");
    }

    @Test
    void decodes_a_secrets_data_and_takes_its_string_data_as_is() {
        cluster.client
                .secrets()
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("creds")
                        .withNamespace("monitoring")
                        .endMetadata()
                        .addToData(
                                "token",
                                Base64.getEncoder().encodeToString("s3cret\n".getBytes(StandardCharsets.UTF_8)))
                        .addToData("username", Base64.getEncoder().encodeToString("ü".getBytes(StandardCharsets.UTF_8)))
                        .addToStringData("password", "plain")
                        .build())
                .create();

        assertThat(await(lookup.secretData("monitoring", "creds")))
                .containsEntry("token", "s3cret\n")
                .containsEntry("username", "ü")
                .containsEntry("password", "plain");
        assertThat(awaitFailure(lookup.secretData("monitoring", "other"))).hasMessage("secrets \"other\" not found");
    }
}
