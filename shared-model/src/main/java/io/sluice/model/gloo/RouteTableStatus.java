package io.sluice.model.gloo;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/**
 * {@code RouteTable.status}, written by Gloo Mesh in one of two shapes: {@code common.State} (2.3 and later) or
 * {@code global} plus per-workspace, per-cluster {@code generic} states (2.0 to 2.2). Both are read;
 * {@link RouteTableAcceptance} turns either into one verdict.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteTableStatus extends Extensible {
    public Common common;
    public Integer numParentRouteTables;
    public String ownedByWorkspace;
    public Integer numAllowedVirtualGateways;

    public State global;
    public Map<String, WorkspaceStatus> workspaces;
    public List<RouteTableSpec.ObjectReference> parentRouteTables;

    /** 2.3+ {@code status.common}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Common extends Extensible {
        @JsonProperty("State")
        @JsonAlias("state")
        public State state;

        public Map<String, Integer> workspaceConditions;
    }

    /** An approval state. 2.3+ writes {@code approval}; up to 2.2 {@code state}. A missing value means PENDING. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class State extends Extensible {
        public Long observedGeneration;
        public String approval;
        public String state;
        public String message;

        /** {@code approval}, else {@code state}, else {@code PENDING}. */
        public String verdict() {
            if (approval != null && !approval.isEmpty()) {
                return approval;
            }
            if (state != null && !state.isEmpty()) {
                return state;
            }
            return "PENDING";
        }
    }

    /** Up to 2.2: {@code workspaces.<name>}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class WorkspaceStatus extends Extensible {
        public Map<String, ClusterStatus> clusters;
    }

    /** Up to 2.2: {@code workspaces.<name>.clusters.<cluster>}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ClusterStatus extends Extensible {
        public State generic;
    }
}
