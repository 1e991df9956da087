package io.sluice.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.MetricTemplate;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.Workspace;
import io.sluice.model.gloo.WorkspaceSettings;
import java.util.List;

/**
 * The custom resource classes of the model. A serializer must know them before it reads one by kind: fabric8's
 * {@code KubernetesSerialization} otherwise reads a {@code GenericKubernetesResource}. Register each with
 * {@code serialization.registerKubernetesResource(type)}.
 */
public final class Kinds {
    public static final List<Class<? extends HasMetadata>> RESOURCE_CLASSES = List.of(
            Canary.class, MetricTemplate.class, AlertProvider.class, RouteTable.class, Workspace.class,
            WorkspaceSettings.class);

    private Kinds() {
    }
}
