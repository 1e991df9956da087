package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/**
 * {@code Canary.spec.service}: the apex, primary and canary Services and the route options. Fields that only
 * other meshes use (Istio gateways, DestinationRule policies, Gateway API references) are accepted so that
 * existing Flagger manifests apply unchanged; Sluice does not act on them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryService extends Extensible {
    @JsonPropertyDescription("Apex Service name; defaults to the target's name.")
    public String name;

    @Required
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the generated ClusterIP Services.")
    public Integer port;

    @JsonPropertyDescription("Name of the Service port (default http).")
    public String portName;

    @JsonPropertyDescription("Container port number or name (default: port).")
    public IntOrString targetPort;

    @JsonPropertyDescription("appProtocol of the Service port.")
    public String appProtocol;

    @JsonPropertyDescription("trafficDistribution copied into every generated Service.")
    public String trafficDistribution;

    @JsonPropertyDescription("Expose every container port, not just the main one.")
    public Boolean portDiscovery;

    @JsonPropertyDescription("Generate headless Services.")
    public Boolean headless;

    @JsonPropertyDescription("Request timeout of the generated route, e.g. 15s.")
    public String timeout;

    @JsonPropertyDescription("Backend request timeout (Gateway API only).")
    public String backendTimeout;

    @JsonPropertyDescription("Istio gateways; unused by Sluice.")
    public List<String> gateways;

    @JsonPropertyDescription("Gateway API parent references; unused by Sluice.")
    @PreserveUnknownFields
    public List<Map<String, Object>> gatewayRefs;

    @JsonPropertyDescription("Istio hosts; unused by Sluice (the parent RouteTable holds the hosts).")
    public List<String> hosts;

    @JsonPropertyDescription("Istio delegate VirtualService; unused by Sluice.")
    public Boolean delegation;

    @JsonPropertyDescription("Istio DestinationRule traffic policy; unused by Sluice.")
    @PreserveUnknownFields
    public Map<String, Object> trafficPolicy;

    @JsonPropertyDescription("Conditions a request must meet to use the generated routes.")
    @Size(max = Limits.MATCHES)
    public List<HttpMatch> match;

    @JsonPropertyDescription("URI and authority rewrite of the generated routes.")
    public Rewrite rewrite;

    @JsonPropertyDescription("Retry policy of the generated routes.")
    public Retries retries;

    @JsonPropertyDescription("Header operations of the generated routes.")
    public Headers headers;

    @JsonPropertyDescription("Gateway API request mirrors; unused by Sluice.")
    @PreserveUnknownFields
    public List<Map<String, Object>> mirror;

    @JsonPropertyDescription("CORS policy; unused by Sluice.")
    @PreserveUnknownFields
    public Map<String, Object> corsPolicy;

    @JsonPropertyDescription("App Mesh mesh name; unused by Sluice.")
    public String meshName;

    @JsonPropertyDescription("App Mesh backends; unused by Sluice.")
    public List<String> backends;

    @JsonPropertyDescription("Labels and annotations of the apex Service (and of the generated RouteTable).")
    public CustomMetadata apex;

    @JsonPropertyDescription("Labels and annotations of the -primary Service.")
    public CustomMetadata primary;

    @JsonPropertyDescription("Labels and annotations of the -canary Service.")
    public CustomMetadata canary;

    @JsonPropertyDescription("Label and annotation keys on the generated Services that Sluice leaves alone.")
    public UnmanagedMetadata unmanagedMetadata;

    /** Labels and annotations for a generated object. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CustomMetadata extends Extensible {
        public Map<String, String> labels;
        public Map<String, String> annotations;
    }

    /** Keys Sluice must not overwrite or remove. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class UnmanagedMetadata extends Extensible {
        public List<String> labels;
        public List<String> annotations;
    }

    /** {@code service.rewrite}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rewrite extends Extensible {
        public String uri;
        public String authority;
        public String type;
    }

    /** {@code service.retries}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retries extends Extensible {
        public Integer attempts;
        public String perTryTimeout;
        public String retryOn;
    }

    /** {@code service.headers}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Headers extends Extensible {
        public HeaderOperations request;
        public HeaderOperations response;
    }

    /** Header additions, replacements and removals. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HeaderOperations extends Extensible {
        public Map<String, String> add;
        public Map<String, String> set;
        public List<String> remove;
    }
}
