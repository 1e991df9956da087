package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Extensible;
import io.sluice.model.Resource;
import java.util.List;
import java.util.Map;

/** A reusable metric query ({@code metrictemplates.flagger.app/v1beta1}). */
@Group(Flagger.GROUP)
@Version(Flagger.VERSION)
@Kind("MetricTemplate")
@Plural("metrictemplates")
@Singular("metrictemplate")
@AdditionalPrinterColumn(name = "Provider", jsonPath = ".spec.provider.type")
public class MetricTemplate extends Resource<MetricTemplate.Spec, MetricTemplate.Status> {

    /** {@code MetricTemplate.spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec extends Extensible {
        @Required
        public Provider provider;

        @Required
        @JsonPropertyDescription(
                "The query, with {{ name }}, {{ namespace }}, {{ target }}, {{ service }}, {{ interval }} "
                        + "and {{ variables.<key> }} substituted.")
        public String query;
    }

    /** {@code MetricTemplate.spec.provider}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Provider extends Extensible {
        @Required
        @SchemaFrom(type = ProviderType.class)
        @JsonPropertyDescription("Metrics backend; analyzer/GATES.md lists the types Sluice queries.")
        public String type;

        @JsonPropertyDescription("Base URL of the backend.")
        public String address;

        @JsonPropertyDescription(
                "Secret with the provider's credentials: token (Bearer) or username and password (Basic) for "
                        + "prometheus; the keys analyzer/GATES.md names for the other types.")
        public SecretReference secretRef;

        @JsonPropertyDescription("Headers sent with every query.")
        public Map<String, List<String>> headers;

        public String region;

        @JsonPropertyDescription("Skip TLS verification of the address.")
        public Boolean insecureSkipVerify;
    }

    /** {@code MetricTemplate.status}; kept for compatibility, not written. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Status extends Extensible {
        public List<CanaryCondition> conditions;
    }

    /** A Secret in the object's own namespace. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretReference extends Extensible {
        @Required
        public String name;
    }

    /**
     * The values of {@code spec.provider.type}, named as they are written: Flagger's list, so that existing
     * templates apply. The validator says which of them Sluice can query.
     */
    public enum ProviderType {
        prometheus,
        influxdb,
        datadog,
        externalmetrics,
        stackdriver,
        cloudwatch,
        newrelic,
        graphite,
        dynatrace,
        keptn,
        splunk
    }
}
