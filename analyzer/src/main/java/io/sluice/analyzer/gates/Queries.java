package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.MetricPart;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL Sluice sends: the builtin Istio queries (Gloo Mesh's data plane is Istio) and the rendering of
 * MetricTemplate queries.
 *
 * <p>Queries are sent with every whitespace run collapsed to one space, as Flagger sends them, so that a query
 * copied from Flagger's logs or tests reads the same in Sluice's.
 */
final class Queries {
    static final String SUCCESS_RATE = MetricPart.SUCCESS_RATE;
    static final String DURATION = MetricPart.DURATION;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern VARIABLE = Pattern.compile("variables\\.([A-Za-z0-9_\\-]+)");

    private Queries() {}

    static boolean isBuiltin(String metricName) {
        return MetricPart.isBuiltin(metricName);
    }

    /** Where a builtin query looks: the canary's namespace and workload, the range, and optionally a cluster. */
    record Scope(String namespace, String target, String interval, String clusterLabel, String cluster) {
        /** The matchers shared by every builtin query, each followed by a comma and a space. */
        String matchers() {
            StringBuilder m = new StringBuilder()
                    .append("reporter=\"destination\", ")
                    .append("destination_workload_namespace=\"")
                    .append(escape(namespace))
                    .append("\", ")
                    .append("destination_workload=~\"")
                    .append(escape(target))
                    .append('"');
            if (!clusterLabel.isEmpty() && !cluster.isEmpty()) {
                m.append(", ")
                        .append(clusterLabel)
                        .append("=\"")
                        .append(escape(cluster))
                        .append('"');
            }
            return m.toString();
        }
    }

    /** {@code request-success-rate}: percent of non-5xx responses of the canary workload. */
    static String successRate(Scope s) {
        return " sum( rate( istio_requests_total{ " + s.matchers() + ", response_code!~\"5.*\" }[" + s.interval()
                + "] ) ) / sum( rate( istio_requests_total{ " + s.matchers() + " }[" + s.interval() + "] ) ) * 100";
    }

    /** {@code request-duration}: the 99th percentile latency of the canary workload, in milliseconds. */
    static String duration(Scope s) {
        return " histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ " + s.matchers()
                + " }[" + s.interval() + "] ) ) by (le) )";
    }

    /** The canary workload's request rate, 5xx included. */
    static String requestRate(Scope s) {
        return " sum( rate( istio_requests_total{ " + s.matchers() + " }[" + s.interval() + "] ) )";
    }

    /** The requests the canary workload served over the interval, for the minimum-traffic guard. */
    static String requestCount(Scope s) {
        return " sum( increase( istio_requests_total{ " + s.matchers() + " }[" + s.interval() + "] ) )";
    }

    /** The text Prometheus receives: every whitespace run collapsed to one space. */
    static String collapse(String query) {
        return WHITESPACE.matcher(query).replaceAll(" ");
    }

    /** A query template that cannot be rendered; the message says why and names the offending action. */
    static final class RenderException extends Exception {
        RenderException(String message) {
            super(message);
        }
    }

    /**
     * Renders a MetricTemplate query. The actions are those of Flagger's templates: {@code {{ name }}},
     * {@code {{ namespace }}}, {@code {{ target }}}, {@code {{ service }}}, {@code {{ ingress }}}, {@code {{ route }}},
     * {@code {{ interval }}} and {@code {{ variables.<key> }}}, with Go's {@code {{- }} / {{ -}}} trim markers. Anything
     * else, and a key missing from {@code variables}, is an error rather than an empty string: a query with a hole in it
     * would measure something else.
     */
    static String render(String template, Map<String, String> values, Map<String, String> variables)
            throws RenderException {
        // A scan by indexOf rather than a lazy regex: the regex looked for "}}" from every "{{", so a query of many
        // unclosed actions took time quadratic in its length.
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (int open = template.indexOf("{{"); open >= 0; open = template.indexOf("{{", last)) {
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new RenderException("unclosed action \"" + abbreviate(template.substring(open)) + "\"");
            }
            String action = template.substring(open + 2, close);
            boolean trimBefore = action.length() >= 2 && action.charAt(0) == '-' && isSpace(action.charAt(1));
            if (trimBefore) {
                action = action.substring(2);
            }
            int n = action.length();
            boolean trimAfter = n >= 2 && action.charAt(n - 1) == '-' && isSpace(action.charAt(n - 2));
            if (trimAfter) {
                action = action.substring(0, n - 2);
            }
            String text = template.substring(last, open);
            out.append(trimBefore ? text.stripTrailing() : text);
            out.append(value(action.trim(), values, variables));
            last = close + 2;
            if (trimAfter) {
                while (last < template.length() && Character.isWhitespace(template.charAt(last))) {
                    last++;
                }
            }
        }
        return out.append(template.substring(last)).toString();
    }

    /** The white space a trim marker needs beside its dash: space, tab, LF, CR, VT or FF, as in Go's templates. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000B' || c == '\f';
    }

    private static String value(String action, Map<String, String> values, Map<String, String> variables)
            throws RenderException {
        if (values.containsKey(action)) {
            return values.get(action);
        }
        Matcher v = VARIABLE.matcher(action);
        if (v.matches()) {
            String key = v.group(1);
            if (variables == null || !variables.containsKey(key)) {
                throw new RenderException("{{ " + action + " }}: templateVariables has no key \"" + key + "\"");
            }
            return variables.get(key);
        }
        throw new RenderException("{{ " + action + " }}: unknown action; use one of "
                + String.join(", ", new java.util.TreeSet<>(values.keySet())) + " or variables.<key>");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** A PromQL string literal's content: backslashes and double quotes escaped. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
