package io.sluice.model.gloo;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Extensible;
import io.sluice.model.Resource;
import java.util.List;
import java.util.Map;

/** A Gloo Mesh workspace ({@code workspaces.admin.gloo.solo.io/v2}): a set of namespaces across clusters. */
@Group(Workspace.GROUP)
@Version("v2")
@Kind("Workspace")
@Plural("workspaces")
@Singular("workspace")
@SchemaSwap(originalType = Workspace.class, fieldName = "status", targetType = AnyStatus.class)
public class Workspace extends Resource<Workspace.Spec, Map<String, Object>> {
    public static final String GROUP = "admin.gloo.solo.io";

    /** {@code Workspace.spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec extends Extensible {
        public List<ClusterSelector> workloadClusters;
    }

    /** Clusters by name (wildcards allowed) or labels, and their namespaces. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ClusterSelector extends Extensible {
        public String name;
        public Map<String, String> selector;
        public List<NamespaceSelector> namespaces;
        public Boolean configEnabled;
    }

    /** A namespace by name (wildcards allowed) and labels. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class NamespaceSelector extends Extensible {
        public String name;
        public Map<String, String> labels;
        public Boolean configEnabled;
    }
}
