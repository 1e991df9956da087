package io.sluice.model.gloo;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.ValidationRule;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/**
 * {@code RouteTable.spec}. Gloo writes protobuf JSON: lowerCamelCase keys, enums as strings, zero values left
 * out. Parts Sluice never reads or writes are kept as plain JSON.
 *
 * <p>In the stand-in CRD ({@code manifests/test-crds}) unknown spec fields are kept, as Gloo's own CRDs keep the
 * fields newer Gloo versions add, and two of Gloo's rules are checked by the test API server.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@PreserveUnknownFields
@ValidationRule(
        value = "has(self.hosts) || !has(self.virtualGateways)",
        message = "a delegated RouteTable (no hosts) cannot set virtualGateways")
@ValidationRule(
        value = "has(self.http) || has(self.tcp) || has(self.tls)",
        message = "one of http, tcp or tls is required")
public class RouteTableSpec extends Extensible {
    public List<String> hosts;
    public List<ObjectReference> virtualGateways;

    @PreserveUnknownFields
    public List<Map<String, Object>> workloadSelectors;

    @PreserveUnknownFields
    public List<Map<String, Object>> applyToDestinations;

    public DestinationReference defaultDestination;
    public List<HttpRoute> http;

    @PreserveUnknownFields
    public List<Map<String, Object>> tcp;

    @PreserveUnknownFields
    public List<Map<String, Object>> tls;
    /** Priority among the children of one parent; higher is matched first. Not a traffic weight. */
    public Integer weight;

    @PreserveUnknownFields
    public Map<String, Object> portalMetadata;

    public String failureMode;
    public Map<String, String> virtualServiceAnnotations;

    /** {@code {name, namespace, cluster}}; namespace and cluster default to those of the referring object. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ObjectReference extends Extensible {
        public String name;
        public String namespace;
        public String cluster;

        public ObjectReference() {}

        public ObjectReference(String name, String namespace) {
            this.name = name;
            this.namespace = namespace;
        }
    }

    /** One HTTP route: matchers and exactly one action. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HttpRoute extends Extensible {
        public String name;
        public Map<String, String> labels;
        public List<HttpRequestMatcher> matchers;
        public ForwardToAction forwardTo;
        public DelegateAction delegate;

        @PreserveUnknownFields
        public Map<String, Object> redirect;

        @PreserveUnknownFields
        public Map<String, Object> directResponse;

        @PreserveUnknownFields
        public Map<String, Object> graphql;
    }

    /** Conditions of one matcher, AND-ed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HttpRequestMatcher extends Extensible {
        public String name;
        public StringMatch uri;
        public List<HeaderMatcher> headers;
        public List<QueryParameterMatcher> queryParameters;
        public String method;
        public Integer port;
    }

    /** One of exact, prefix, regex or suffix. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StringMatch extends Extensible {
        public String exact;
        public String prefix;
        public String regex;
        public String suffix;
        public Boolean ignoreCase;
    }

    /** A header condition; no value means "present". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HeaderMatcher extends Extensible {
        public String name;
        public String value;
        public Boolean regex;
        public Boolean invertMatch;
    }

    /** A query parameter condition. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class QueryParameterMatcher extends Extensible {
        public String name;
        public String value;
        public Boolean regex;
    }

    /** Forward to weighted destinations. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ForwardToAction extends Extensible {
        public List<DestinationReference> destinations;
        public String pathRewrite;

        @PreserveUnknownFields
        public Map<String, Object> regexRewrite;

        public String hostRewrite;
        public Boolean autoHostRewrite;
    }

    /** A destination; a missing weight reads as 0. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DestinationReference extends Extensible {
        public ObjectReference ref;
        /** SERVICE (the default, left out by Gloo), VIRTUAL_DESTINATION or EXTERNAL_SERVICE. */
        public String kind;

        public PortSelector port;
        public Map<String, String> subset;
        public Integer weight;
    }

    /** A port by number or by name, never both. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortSelector extends Extensible {
        public Integer number;
        public String name;
    }

    /** Hand the routing decision to child tables. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DelegateAction extends Extensible {
        public List<ObjectSelector> routeTables;

        @PreserveUnknownFields
        public List<Map<String, Object>> allowedRoutes;

        public String sortMethod;
    }

    /** Selects objects; a field left out means "any". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ObjectSelector extends Extensible {
        public Map<String, String> labels;
        public String name;
        public String namespace;
        public String cluster;
        public String workspace;
    }
}
