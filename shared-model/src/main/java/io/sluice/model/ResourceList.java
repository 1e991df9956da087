package io.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMeta;
import java.util.ArrayList;
import java.util.List;

/** The list type of a custom resource, as the API server returns it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "items"})
public abstract class ResourceList<T extends HasMetadata> implements KubernetesResourceList<T>, KubernetesResource {
    public String apiVersion;
    public String kind;
    public ListMeta metadata;
    public List<T> items = new ArrayList<>();

    @Override
    public ListMeta getMetadata() {
        return metadata;
    }

    @Override
    public List<T> getItems() {
        return items;
    }
}
