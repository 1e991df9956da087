package io.sluice.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.sluice.certs.CaBundle;
import io.sluice.certs.KeyAndCert;
import io.sluice.certs.Pem;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA in a Secret ({@code ca.crt}, {@code ca.key}, {@code previous.crt}), written with the resourceVersion it
 * was read at so that two replicas rotating at once cannot overwrite each other; the bundle goes into the
 * {@code caBundle} of the two webhook configurations.
 */
final class SecretCaStore implements CaStore {
    private static final Logger LOG = LoggerFactory.getLogger(SecretCaStore.class);
    static final String CERT = "ca.crt";
    static final String KEY = "ca.key";
    static final String PREVIOUS = "previous.crt";

    private final KubeCalls calls;
    private final String namespace;
    private final String name;
    private final String mutatingConfig;
    private final String validatingConfig;

    SecretCaStore(KubeCalls calls, String namespace, String name, String mutatingConfig, String validatingConfig) {
        this.calls = calls;
        this.namespace = namespace;
        this.name = name;
        this.mutatingConfig = mutatingConfig;
        this.validatingConfig = validatingConfig;
    }

    @Override
    public Future<Optional<StoredCa>> read() {
        return calls.readSecret(namespace, name).map(found -> found.map(this::decode));
    }

    private StoredCa decode(Secret secret) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        String cert = text(data.get(CERT));
        String key = text(data.get(KEY));
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalStateException("Secret " + namespace + "/" + name + " lacks " + CERT + " or " + KEY
                    + "; delete it to let Sluice create a new CA");
        }
        String previous = text(data.get(PREVIOUS));
        List<X509Certificate> older = previous.isBlank() ? List.of() : Pem.readCertificates(previous);
        return new StoredCa(
                KeyAndCert.fromPem(cert, key), older, secret.getMetadata().getResourceVersion());
    }

    @Override
    public Future<StoredCa> create(KeyAndCert ca) {
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/name", "sluice-admission")
                .addToLabels("app.kubernetes.io/component", "webhook-ca")
                .endMetadata()
                .withType("Opaque")
                .withData(data(ca, List.of()))
                .build();
        return conflictAware(calls.createSecret(secret)).map(this::decode);
    }

    @Override
    public Future<StoredCa> replace(StoredCa current, KeyAndCert ca, List<X509Certificate> previous) {
        // Re-read to keep what others put on the Secret (labels, annotations), but write at the version the
        // rotation was decided on: the API server refuses the update with 409 when another replica wrote since.
        return calls.readSecret(namespace, name).compose(found -> {
            Secret secret = found.orElseThrow(() -> new Conflict("Secret " + namespace + "/" + name + " vanished"));
            Secret updated = new SecretBuilder(secret)
                    .editMetadata()
                    .withResourceVersion(current.version())
                    .endMetadata()
                    .withData(data(ca, previous))
                    .build();
            return conflictAware(calls.updateSecret(updated)).map(this::decode);
        });
    }

    @Override
    public Future<Void> publish(CaBundle bundle) {
        String base64 = Base64.getEncoder().encodeToString(bundle.toPem().getBytes(StandardCharsets.UTF_8));
        return calls.publishCaBundle(mutatingConfig, validatingConfig, base64)
                .onSuccess(changed -> {
                    if (!changed.isEmpty()) {
                        LOG.info("CA bundle published into {}: {}", changed, bundle);
                    }
                })
                .mapEmpty();
    }

    private static Future<Secret> conflictAware(Future<Secret> write) {
        return write.recover(e -> e instanceof KubernetesClientException k && k.getCode() == 409
                ? Future.failedFuture(new Conflict(k.getMessage()))
                : Future.failedFuture(e));
    }

    private static Map<String, String> data(KeyAndCert ca, List<X509Certificate> previous) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CERT, base64(ca.certPem()));
        data.put(KEY, base64(ca.keyPem()));
        if (!previous.isEmpty()) {
            data.put(PREVIOUS, base64(Pem.encodeAll(previous)));
        }
        return data;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(String base64) {
        return base64 == null ? "" : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
