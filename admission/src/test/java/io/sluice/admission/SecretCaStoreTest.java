package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.sluice.certs.CaBundle;
import io.sluice.certs.CaRequest;
import io.sluice.certs.CertificateIssuer;
import io.sluice.certs.KeyAndCert;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CA Secret and the caBundle publication against the mock API server. */
class SecretCaStoreTest {
    MockApiServer api;
    Vertx vertx;
    KubeCalls calls;
    SecretCaStore store;

    @BeforeEach
    void setUp() {
        api = new MockApiServer();
        vertx = Vertx.vertx();
        calls = new KubeCalls(vertx, api.client, 2);
        store = new SecretCaStore(
                calls, "sluice-system", "sluice-admission-ca", "sluice-admission", "sluice-admission");
    }

    @AfterEach
    void tearDown() {
        await(vertx.close());
        api.close();
    }

    @Test
    void aCreatedCaReadsBackAndASecondCreateConflicts() {
        KeyAndCert ca = CertificateIssuer.createCa(CaRequest.of("one"), Instant.now());

        CaStore.StoredCa created = await(store.create(ca));

        assertThat(await(store.read())).hasValueSatisfying(read -> {
            assertThat(read.ca().cert()).isEqualTo(ca.cert());
            assertThat(read.version()).isEqualTo(created.version());
        });
        KeyAndCert other = CertificateIssuer.createCa(CaRequest.of("two"), Instant.now());
        assertThatThrownBy(() -> await(store.create(other))).hasCauseInstanceOf(CaStore.Conflict.class);
    }

    @Test
    void aRotationFromAStaleReadConflicts() {
        KeyAndCert one = CertificateIssuer.createCa(CaRequest.of("one"), Instant.now());
        CaStore.StoredCa first = await(store.create(one));
        KeyAndCert two = CertificateIssuer.createCa(CaRequest.of("two"), Instant.now());
        CaStore.StoredCa second = await(store.replace(first, two, List.of(one.cert())));
        assertThat(second.previous()).containsExactly(one.cert());

        KeyAndCert three = CertificateIssuer.createCa(CaRequest.of("three"), Instant.now());
        assertThatThrownBy(() -> await(store.replace(first, three, List.of())))
                .hasCauseInstanceOf(CaStore.Conflict.class);
        assertThat(await(store.read()).orElseThrow().ca().cert()).isEqualTo(two.cert());
    }

    @Test
    void theBundleGoesIntoEveryWebhookOfBothConfigurations() {
        api.client
                .resource(new MutatingWebhookConfigurationBuilder()
                        .withNewMetadata()
                        .withName("sluice-admission")
                        .endMetadata()
                        .addNewWebhook()
                        .withName("deployments.sluice.io")
                        .withNewClientConfig()
                        .withNewService()
                        .withName("sluice-admission")
                        .withNamespace("sluice-system")
                        .withPath("/mutate")
                        .endService()
                        .endClientConfig()
                        .endWebhook()
                        .build())
                .create();
        api.client
                .resource(new ValidatingWebhookConfigurationBuilder()
                        .withNewMetadata()
                        .withName("sluice-admission")
                        .endMetadata()
                        .addNewWebhook()
                        .withName("canaries.sluice.io")
                        .withNewClientConfig()
                        .withCaBundle("b2xk")
                        .endClientConfig()
                        .endWebhook()
                        .addNewWebhook()
                        .withName("templates.sluice.io")
                        .withNewClientConfig()
                        .endClientConfig()
                        .endWebhook()
                        .build())
                .create();
        KeyAndCert one = CertificateIssuer.createCa(CaRequest.of("one"), Instant.now());
        KeyAndCert two = CertificateIssuer.createCa(CaRequest.of("two"), Instant.now());
        CaBundle bundle = CaBundle.of(two.cert(), one.cert());

        await(store.publish(bundle));

        String expected = Base64.getEncoder().encodeToString(bundle.toPem().getBytes(StandardCharsets.UTF_8));
        MutatingWebhookConfiguration m = api.client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("sluice-admission")
                .get();
        ValidatingWebhookConfiguration v = api.client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName("sluice-admission")
                .get();
        assertThat(m.getWebhooks())
                .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(expected));
        assertThat(m.getWebhooks().get(0).getClientConfig().getService().getPath())
                .isEqualTo("/mutate");
        assertThat(v.getWebhooks())
                .hasSize(2)
                .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(expected));
        // Publishing the same bundle again changes nothing.
        assertThat(await(calls.publishCaBundle("sluice-admission", "sluice-admission", expected)))
                .isEmpty();
    }
}
