package io.sluice.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.AlertProviderList;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryList;
import io.sluice.model.flagger.Flagger;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.flagger.MetricTemplateList;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableList;
import io.sluice.model.gloo.Workspace;
import io.sluice.model.gloo.WorkspaceSettings;
import java.util.List;

/**
 * The custom resource classes of the model. A serializer must know them before it reads one by kind: fabric8's
 * {@code KubernetesSerialization} otherwise reads a {@code GenericKubernetesResource}. Register each with
 * {@code serialization.registerKubernetesResource(type)}, and each list kind with
 * {@code serialization.registerKubernetesResource(apiVersion, kind, type)}: a real API server answers a list of
 * custom resources with its own list kind ({@code CanaryList}), which otherwise reads as a generic resource.
 */
public final class Kinds {
    public static final List<Class<? extends HasMetadata>> RESOURCE_CLASSES = List.of(
            Canary.class,
            MetricTemplate.class,
            AlertProvider.class,
            RouteTable.class,
            Workspace.class,
            WorkspaceSettings.class);

    /** The list kinds the services read, with the apiVersion the API server writes them with. */
    public static final List<ListKind> LIST_KINDS = List.of(
            new ListKind(Flagger.API_VERSION, "CanaryList", CanaryList.class),
            new ListKind(Flagger.API_VERSION, "MetricTemplateList", MetricTemplateList.class),
            new ListKind(Flagger.API_VERSION, "AlertProviderList", AlertProviderList.class),
            new ListKind(RouteTable.API_VERSION, "RouteTableList", RouteTableList.class));

    /** A list kind and the class that reads it. */
    public record ListKind(String apiVersion, String kind, Class<? extends KubernetesResource> type) {}

    private Kinds() {}
}
