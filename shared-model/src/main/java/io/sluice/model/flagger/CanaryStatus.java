package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/**
 * {@code Canary.status}. The analyzer owns every field but {@link #admittedRevision} and {@link #request}, which
 * only the admission service writes (see the status contract in the design).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStatus extends Extensible {
    @JsonPropertyDescription("Where the release stands; see CanaryPhase.")
    public String phase;

    public Integer failedChecks;
    public Integer canaryWeight;
    public Integer iterations;

    @JsonPropertyDescription("configmap/<name> or secret/<name> to the checksum of its data.")
    public Map<String, String> trackedConfigs;

    @JsonPropertyDescription("Revision of the target's pod template at the last sync.")
    public String lastAppliedSpec;

    @JsonPropertyDescription("Revision last promoted to the primary.")
    public String lastPromotedSpec;

    public String lastTransitionTime;
    public String sessionAffinityCookie;
    public String primarySessionAffinityCookie;
    public String previousSessionAffinityCookie;
    public List<CanaryCondition> conditions;

    @JsonPropertyDescription("The Canary generation the analyzer's last decision was based on.")
    public Long observedGeneration;

    @JsonPropertyDescription(
            "Newest pod-template revision of the target that the API server admitted (written by admission).")
    public AdmittedRevision admittedRevision;

    @JsonPropertyDescription(
            "The revision the run in progress is about, copied from admittedRevision when the run starts.")
    public CurrentRun currentRun;

    @JsonPropertyDescription(
            "The last runtime request (promote, abort, retry, pause, resume) admitted, and who sent it (written by admission).")
    public RecordedRequest request;

    @JsonPropertyDescription("How the analyzer handled status.request (written by the analyzer).")
    public HandledRequest requestHandled;

    /** The typed phase; {@code null} when unset or unknown. */
    public CanaryPhase phase() {
        return CanaryPhase.parse(phase);
    }

    /** A revision admitted by the API server, and who sent it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AdmittedRevision extends Extensible {
        @JsonPropertyDescription("Revision of the pod template (see Revisions).")
        public String revision;

        @JsonPropertyDescription("Container name to image.")
        public Map<String, String> images;

        public String user;
        public List<String> groups;

        @JsonPropertyDescription("kubectl, flux, argocd, helm or other.")
        public String source;

        public String admittedAt;

        @JsonPropertyDescription("UID of the admission request.")
        public String uid;
    }

    /** The run in progress. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CurrentRun extends Extensible {
        public String revision;
        public String source;
        public String user;
        public String startedAt;
    }

    /** A runtime request the admission service admitted, and who sent it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RecordedRequest extends Extensible {
        @JsonPropertyDescription("promote, abort, retry, pause or resume.")
        public String action;

        @JsonPropertyDescription("The revision the request applies to, resolved at admission.")
        public String revision;

        public String user;
        public List<String> groups;

        @JsonPropertyDescription("kubectl, kubectl-sluice, argocd, flux, helm or other.")
        public String source;

        public String requestedAt;

        @JsonPropertyDescription("UID of the admission request that carried it; identifies the request.")
        public String uid;

        @JsonPropertyDescription("The sluice.io/request-id annotation sent with the request, if any.")
        public String id;
    }

    /** The analyzer's answer to a {@link RecordedRequest}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HandledRequest extends Extensible {
        @JsonPropertyDescription("UID of the request handled (status.request.uid).")
        public String uid;

        public String action;
        public String revision;
        public String handledAt;

        @JsonPropertyDescription("done, or rejected when the run had moved on (see message).")
        public String outcome;

        public String message;
    }
}
