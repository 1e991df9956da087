package io.sluice.model.gloo;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
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

/** What a workspace imports and exports ({@code workspacesettings.admin.gloo.solo.io/v2}). */
@Group(Workspace.GROUP)
@Version("v2")
@Kind("WorkspaceSettings")
@Plural("workspacesettings")
@Singular("workspacesettings")
@SchemaSwap(originalType = WorkspaceSettings.class, fieldName = "status", targetType = AnyStatus.class)
public class WorkspaceSettings extends Resource<WorkspaceSettings.Spec, Map<String, Object>> {

    /** {@code WorkspaceSettings.spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec extends Extensible {
        public List<WorkspaceObjectSelector> importFrom;
        public List<WorkspaceObjectSelector> exportTo;

        @PreserveUnknownFields
        public Map<String, Object> options;
    }

    /** Workspaces and, optionally, which of their resources. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class WorkspaceObjectSelector extends Extensible {
        public List<WorkspaceSelector> workspaces;
        public List<ResourceSelector> resources;
    }

    /** A workspace by name (simple wildcards) and labels, AND-ed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class WorkspaceSelector extends Extensible {
        public String name;
        public Map<String, String> selector;
    }

    /** Resources by kind (ALL, ROUTE_TABLE, SERVICE, …), labels and location. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ResourceSelector extends Extensible {
        public String kind;
        public Map<String, String> labels;
        public String name;
        public String namespace;
        public String cluster;
    }
}
