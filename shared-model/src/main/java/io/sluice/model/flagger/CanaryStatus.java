package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/**
 * {@code Canary.status}. The analyzer owns every field but {@link #admittedRevision}, which only the admission
 * service writes (see the status contract in the design).
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
}
