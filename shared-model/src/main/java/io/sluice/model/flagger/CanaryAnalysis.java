package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonValue;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/** {@code Canary.spec.analysis}: the schedule, the traffic strategy and the checks of a run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryAnalysis extends Extensible {
    @Size(max = Limits.SHORT)
    @JsonPropertyDescription("Time between analysis ticks, e.g. 1m or 30s (default 60s, at least 10s).")
    public String interval;

    @Min(1)
    @JsonPropertyDescription("Failed checks that roll a run back (default 1).")
    public Integer threshold;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Canary weight at which the canary is promoted (default 100).")
    public Integer maxWeight;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Canary weight added at every successful tick.")
    public Integer stepWeight;

    @JsonPropertyDescription("Explicit ladder of canary weights, instead of stepWeight.")
    @Size(max = Limits.STEP_WEIGHTS)
    public List<@Min(1) @Max(100) Integer> stepWeights;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Primary weight added per tick while promoting (0 routes everything at once).")
    public Integer stepWeightPromotion;

    @Min(1)
    @JsonPropertyDescription("Number of iterations for Blue/Green or, with match, A/B testing.")
    public Integer iterations;

    @JsonPropertyDescription("Mirror traffic to the canary before shifting it (not supported by Gloo Mesh routing).")
    public Boolean mirror;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Percentage of mirrored requests.")
    public Integer mirrorWeight;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Percent of primary replicas that must be available (default 100).")
    public Integer primaryReadyThreshold;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Percent of canary replicas that must be available (default 100).")
    public Integer canaryReadyThreshold;

    @Size(max = Limits.MATCHES)
    @JsonPropertyDescription("A/B testing: requests that match go to the canary.")
    public List<HttpMatch> match;

    @Size(max = Limits.METRICS)
    @JsonPropertyDescription("Metric checks run at every tick.")
    public List<Metric> metrics;

    @Size(max = Limits.WEBHOOKS)
    @JsonPropertyDescription("Webhooks called at the points their type names.")
    public List<Webhook> webhooks;

    @Size(max = Limits.ALERTS)
    @JsonPropertyDescription("Alerts sent on the run's outcome and stalls.")
    public List<Alert> alerts;

    @JsonPropertyDescription("Cookie-based session affinity for the canary.")
    public SessionAffinity sessionAffinity;

    /** {@code analysis.metrics[]}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Metric extends Extensible {
        @Required
        @Size(max = Limits.NAME)
        @JsonPropertyDescription(
                "Builtin metric (request-success-rate, request-duration) or a name for a template metric.")
        public String name;

        @Size(max = Limits.SHORT)
        @JsonPropertyDescription("Range of the query, e.g. 1m (default 1m).")
        public String interval;

        @JsonPropertyDescription("Deprecated upper bound; use thresholdRange.")
        public Double threshold;

        @JsonPropertyDescription("Inclusive bounds the metric must stay within.")
        public ThresholdRange thresholdRange;

        @Size(max = Limits.QUERY)
        @JsonPropertyDescription("Deprecated inline PromQL; use templateRef.")
        public String query;

        @JsonPropertyDescription("The MetricTemplate that holds the query.")
        public TemplateReference templateRef;

        @JsonPropertyDescription("Values for {{ variables.<key> }} in the template's query.")
        public Map<String, String> templateVariables;
    }

    /** Inclusive bounds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ThresholdRange extends Extensible {
        public Double min;
        public Double max;

        public ThresholdRange() {}

        public ThresholdRange(Double min, Double max) {
            this.min = min;
            this.max = max;
        }
    }

    /** A reference to a MetricTemplate or AlertProvider; the namespace defaults to the canary's. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TemplateReference extends Extensible {
        @Required
        public String name;

        public String namespace;

        public TemplateReference() {}

        public TemplateReference(String name, String namespace) {
            this.name = name;
            this.namespace = namespace;
        }
    }

    /** {@code analysis.webhooks[]}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Webhook extends Extensible {
        @Required
        @Size(max = Limits.NAME)
        public String name;

        @SchemaFrom(type = WebhookType.class)
        @JsonPropertyDescription(
                "When the hook is called: confirm-rollout, pre-rollout, rollout (default), confirm-traffic-increase, "
                        + "confirm-promotion, post-rollout, rollback or event.")
        public String type;

        @Required
        @Size(max = Limits.URL)
        @JsonPropertyDescription("Absolute http(s) URL the payload is POSTed to.")
        public String url;

        @Size(max = Limits.SHORT)
        @JsonPropertyDescription("Per-attempt timeout, e.g. 30s (default 10s).")
        public String timeout;

        @JsonPropertyDescription("Send no alert when this hook halts the run.")
        public Boolean muteAlert;

        @JsonPropertyDescription("Retries after a failed attempt.")
        public Integer retries;

        @JsonPropertyDescription("Skip TLS verification of the URL.")
        public Boolean disableTLS;

        @JsonPropertyDescription("Passed to the webhook in the payload's metadata.")
        public Map<String, String> metadata;
    }

    /** {@code analysis.alerts[]}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Alert extends Extensible {
        @Required
        @Size(max = Limits.NAME)
        public String name;

        @SchemaFrom(type = AlertSeverity.class)
        @JsonPropertyDescription("Least severity sent: info, warn or error (empty means info).")
        public String severity;

        @Required
        public TemplateReference providerRef;
    }

    /** {@code analysis.sessionAffinity}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SessionAffinity extends Extensible {
        @Required
        public String cookieName;

        public String primaryCookieName;
        public String domain;
        public Boolean httpOnly;
        public Integer maxAge;
        public Boolean partitioned;
        public String path;

        @SchemaFrom(type = SameSite.class)
        public String sameSite;

        public Boolean secure;
    }

    /**
     * The values of {@code webhooks[].type}; the empty string means {@code rollout}. The CRD schema and the
     * validator take their values from it.
     */
    public enum WebhookType {
        DEFAULT(""),
        CONFIRM_ROLLOUT("confirm-rollout"),
        PRE_ROLLOUT("pre-rollout"),
        ROLLOUT("rollout"),
        CONFIRM_TRAFFIC_INCREASE("confirm-traffic-increase"),
        CONFIRM_PROMOTION("confirm-promotion"),
        POST_ROLLOUT("post-rollout"),
        ROLLBACK("rollback"),
        EVENT("event");

        private final String value;

        WebhookType(String value) {
            this.value = value;
        }

        /** The value as written in a Canary. */
        @JsonValue
        public String value() {
            return value;
        }
    }

    /** The values of {@code alerts[].severity}; the empty string means {@code info}. */
    public enum AlertSeverity {
        DEFAULT(""),
        INFO("info"),
        WARN("warn"),
        ERROR("error");

        private final String value;

        AlertSeverity(String value) {
            this.value = value;
        }

        /** The value as written in a Canary. */
        @JsonValue
        public String value() {
            return value;
        }
    }

    /** The values of {@code sessionAffinity.sameSite}, the cookie attribute. */
    public enum SameSite {
        Strict,
        Lax,
        None
    }
}
