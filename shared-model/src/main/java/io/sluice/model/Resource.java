package io.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A namespaced custom resource with a spec and a status. Group, version and kind come from the subclass's
 * {@code @Group}, {@code @Version} and {@code @Kind} annotations.
 *
 * @param <S> the spec type
 * @param <T> the status type
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
// Decoded as a plain bean, as the client's own model classes are: without this, a client decoding a watch event of a
// RouteTable went through its polymorphic deserializer twice and built a new bean deserializer for every event (5 % of
// the analyzer's CPU at 10,000 Canaries).
@JsonDeserialize(using = ValueDeserializer.None.class)
public abstract class Resource<S, T> extends Extensible implements HasMetadata, Namespaced {

    private String apiVersion = HasMetadata.getApiVersion(getClass());
    private String kind = HasMetadata.getKind(getClass());
    private ObjectMeta metadata;
    private S spec;
    private T status;

    @Override
    public String getApiVersion() {
        return apiVersion;
    }

    @Override
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    @Override
    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    @Override
    public ObjectMeta getMetadata() {
        return metadata;
    }

    @Override
    public void setMetadata(ObjectMeta metadata) {
        this.metadata = metadata;
    }

    public S getSpec() {
        return spec;
    }

    public void setSpec(S spec) {
        this.spec = spec;
    }

    public T getStatus() {
        return status;
    }

    public void setStatus(T status) {
        this.status = status;
    }

    /** {@code <name>.<namespace>}, the way Flagger names objects in events and logs. */
    public String key() {
        return metadata.getName() + "." + metadata.getNamespace();
    }
}
