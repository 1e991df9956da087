package io.sluice.model.validation;

import io.sluice.model.flagger.MetricTemplate;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Judges a MetricTemplate on its own: a provider Sluice can query and a query whose placeholders it can fill. */
public final class MetricTemplateValidator {
    /** The provider types Sluice queries. */
    public static final List<String> PROVIDER_TYPES =
            List.of("prometheus", "datadog", "newrelic", "dynatrace", "graphite", "influxdb", "splunk");

    /**
     * The Secret keys a provider reads its credentials from, Flagger's names: a template of these types without a
     * {@code secretRef} can never be queried.
     */
    public static final Map<String, List<String>> SECRET_KEYS = Map.of(
            "datadog", List.of("datadog_api_key", "datadog_application_key"),
            "newrelic", List.of("newrelic_account_id", "newrelic_query_key"),
            "dynatrace", List.of("dynatrace_token"),
            "splunk", List.of("sf_token_key"));

    /** The provider types without a default address, with what to set instead. */
    private static final Map<String, String> ADDRESS_REQUIRED = Map.of(
            "dynatrace", "set the environment's URL, for example https://<environment-id>.live.dynatrace.com",
            "graphite", "set Graphite's URL, for example http://graphite.monitoring",
            "influxdb", "set InfluxDB's URL, for example http://influxdb.monitoring:8086",
            "splunk", "set the realm's API URL, for example https://api.<realm>.signalfx.com");

    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}");
    private static final Pattern KNOWN = Pattern.compile(
            "\\.?(name|namespace|target|service|ingress|route|interval)|\\.?variables\\.[A-Za-z_][A-Za-z0-9_]*");

    private MetricTemplateValidator() {}

    /**
     * Why Sluice cannot query a template of provider {@code type}: the two that need their vendor's SDK say so and
     * what to do instead; the rest of Flagger's types are not queried yet.
     */
    public static String unsupported(String type) {
        return switch (type) {
            case "cloudwatch" ->
                "\"cloudwatch\" is not supported: querying CloudWatch needs the AWS SDK, which Sluice"
                        + " does not include; export the metrics to Prometheus (for example with the CloudWatch exporter)"
                        + " and use a prometheus template";
            case "stackdriver" ->
                "\"stackdriver\" is not supported: querying Cloud Monitoring needs Google's SDK,"
                        + " which Sluice does not include; use a prometheus template whose address is Cloud Monitoring's"
                        + " PromQL endpoint (Managed Service for Prometheus)";
            default ->
                "\"" + type + "\" is not supported: Sluice queries prometheus (and Prometheus-compatible"
                        + " endpoints such as Thanos, Mimir or VictoriaMetrics), "
                        + String.join(", ", PROVIDER_TYPES.subList(1, PROVIDER_TYPES.size() - 1))
                        + " and " + PROVIDER_TYPES.get(PROVIDER_TYPES.size() - 1);
        };
    }

    public static List<Violation> validate(MetricTemplate template) {
        Checks checks = new Checks();
        MetricTemplate.Spec spec = template.getSpec();
        if (!checks.required("spec", spec)) {
            return checks.violations();
        }
        if (checks.required("spec.provider", spec.provider)) {
            MetricTemplate.Provider p = spec.provider;
            if (checks.required("spec.provider.type", p.type) && !PROVIDER_TYPES.contains(p.type)) {
                checks.add("spec.provider.type", unsupported(p.type));
            }
            checks.httpUrl("spec.provider.address", p.address);
            if (p.secretRef != null) {
                checks.required("spec.provider.secretRef.name", p.secretRef.name);
            }
            needs(checks, p);
            if (p.headers != null) {
                for (Map.Entry<String, List<String>> h : p.headers.entrySet()) {
                    if (h.getKey() == null || h.getKey().isBlank()) {
                        checks.add("spec.provider.headers", "header names must not be empty");
                    }
                }
            }
        }
        if (checks.required("spec.query", spec.query)) {
            query(checks, spec.query);
        }
        return checks.violations();
    }

    /** What a provider cannot run without, as Flagger's provider of that type refuses to start without it. */
    private static void needs(Checks checks, MetricTemplate.Provider p) {
        List<String> keys = SECRET_KEYS.get(p.type);
        if (keys != null && p.secretRef == null) {
            checks.add(
                    "spec.provider.secretRef",
                    "is required: " + p.type + " reads its credentials from a Secret with the keys "
                            + String.join(" and ", keys));
        }
        String address = ADDRESS_REQUIRED.get(p.type);
        if (address != null && (p.address == null || p.address.isBlank())) {
            checks.add("spec.provider.address", "is required: " + p.type + " has no default address; " + address);
        }
    }

    private static void query(Checks checks, String query) {
        int open = count(query, "{{");
        int close = count(query, "}}");
        if (open != close) {
            checks.add("spec.query", "has " + open + " '{{' but " + close + " '}}'");
            return;
        }
        Matcher m = ACTION.matcher(query);
        while (m.find()) {
            String action = m.group(1);
            if (!KNOWN.matcher(action).matches()) {
                checks.add(
                        "spec.query",
                        "unknown placeholder {{ " + action + " }}: use name, namespace, target, "
                                + "service, ingress, route, interval or variables.<key>");
            }
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
