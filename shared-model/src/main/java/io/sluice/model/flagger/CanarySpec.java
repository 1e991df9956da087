package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.sluice.model.Extensible;
import java.util.Map;

/** {@code Canary.spec}. Field meanings and defaults follow Flagger; defaults are applied by {@link CanaryDefaults}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanarySpec extends Extensible {

    @JsonPropertyDescription(
            "Traffic provider. Sluice routes through Gloo Mesh: gloo-mesh (empty means the analyzer's default).")
    public String provider;

    @JsonPropertyDescription("Prometheus URL for the builtin metrics; empty means the analyzer's --metrics-server.")
    public String metricsServer;

    @Required
    @JsonPropertyDescription("The workload released through this canary.")
    public TargetReference targetRef;

    @JsonPropertyDescription(
            "The HorizontalPodAutoscaler or KEDA ScaledObject of the target; a -primary copy is made for the primary.")
    public AutoscalerReference autoscalerRef;

    @JsonPropertyDescription("Ingress reference (NGINX provider); kept for compatibility, unused by Sluice.")
    public TargetReference ingressRef;

    @JsonPropertyDescription("APISIX route reference; kept for compatibility, unused by Sluice.")
    public TargetReference routeRef;

    @JsonPropertyDescription("Gloo Edge upstream reference; kept for compatibility, unused by Sluice.")
    public CrossNamespaceReference upstreamRef;

    @JsonPropertyDescription("The parent Gloo Mesh RouteTable that delegates to the RouteTable Sluice generates.")
    public CrossNamespaceReference routeTableRef;

    @JsonPropertyDescription("The Services generated for the target.")
    public CanaryService service;

    @JsonPropertyDescription("How the canary is analysed and how traffic moves.")
    public CanaryAnalysis analysis;

    @JsonPropertyDescription("Deprecated alias of analysis, used only when analysis is absent.")
    public CanaryAnalysis canaryAnalysis;

    @Min(1)
    @JsonPropertyDescription("Seconds a run may go without progress before it is rolled back (default 600).")
    public Integer progressDeadlineSeconds;

    @JsonPropertyDescription("Promote without running metric checks or webhooks.")
    public Boolean skipAnalysis;

    @JsonPropertyDescription("On deletion, restore the target and route all traffic to it.")
    public Boolean revertOnDeletion;

    @JsonPropertyDescription("Pause all processing of this canary.")
    public Boolean suspend;

    /** The analysis in force: {@code analysis}, else the deprecated {@code canaryAnalysis}, else none. */
    public CanaryAnalysis effectiveAnalysis() {
        return analysis != null ? analysis : canaryAnalysis;
    }

    /** {@code spec.targetRef}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TargetReference extends Extensible {
        @Required
        public String apiVersion;

        @Required
        public String kind;

        @Required
        public String name;

        public TargetReference() {}

        public TargetReference(String apiVersion, String kind, String name) {
            this.apiVersion = apiVersion;
            this.kind = kind;
            this.name = name;
        }
    }

    /** A reference that may name another namespace ({@code routeTableRef}, {@code upstreamRef}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CrossNamespaceReference extends Extensible {
        public String apiVersion;
        public String kind;

        @Required
        public String name;

        public String namespace;

        public CrossNamespaceReference() {}

        public CrossNamespaceReference(String name, String namespace) {
            this.name = name;
            this.namespace = namespace;
        }
    }

    /** {@code spec.autoscalerRef}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AutoscalerReference extends Extensible {
        @Required
        public String apiVersion;

        @Required
        public String kind;

        @Required
        public String name;

        @JsonPropertyDescription("KEDA queries for the primary's ScaledObject.")
        public Map<String, String> primaryScalerQueries;

        @JsonPropertyDescription("Overrides of the primary autoscaler's replica bounds.")
        public ScalerReplicas primaryScalerReplicas;
    }

    /** {@code spec.autoscalerRef.primaryScalerReplicas}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScalerReplicas extends Extensible {
        public Integer minReplicas;
        public Integer maxReplicas;
    }
}
