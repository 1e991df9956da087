package io.sluice.analyzer.gates;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of the gates. {@code analyzer/GATES.md} documents each one with its command-line flag. The no-data
 * policy and its deadline are the state machine's ({@code Settings}): the gates only report outcomes.
 *
 * @param metricsServer       Prometheus base URL for the builtin metrics when a Canary sets no {@code metricsServer}
 * @param meshProvider        provider of Canaries that set none ({@code gloo-mesh})
 * @param queryTimeout        deadline of one Prometheus query
 * @param clusterName         the Gloo cluster this analyzer serves; filters the builtin queries and heads every alert
 * @param clusterLabel        the Istio label holding the cluster name; empty turns the cluster filter off
 * @param minRequests         builtin metric name to the fewest requests per query interval that count as data
 * @param eventWebhook        URL receiving every Event of canaries that define no {@code event} webhook; empty for none
 * @param eventWebhookTimeout timeout of the global event webhook
 * @param slack               global Slack webhook, used when a canary lists no alerts
 * @param msTeams             global MS Teams webhook, used when a canary lists no alerts
 * @param alertTimeout        timeout of one alert POST
 * @param backoffMin          first delay between webhook retries
 * @param backoffMax          cap of the doubling delay between webhook retries
 * @param clock               source of Event timestamps
 * @param outbound            the hosts the gates may call ({@code --allowed-outbound-hosts}); empty allows all
 */
public record GatesConfig(
        String metricsServer,
        String meshProvider,
        Duration queryTimeout,
        String clusterName,
        String clusterLabel,
        Map<String, Long> minRequests,
        String eventWebhook,
        Duration eventWebhookTimeout,
        ChatSettings slack,
        ChatSettings msTeams,
        Duration alertTimeout,
        Duration backoffMin,
        Duration backoffMax,
        Clock clock,
        OutboundHosts outbound) {

    public static final String DEFAULT_METRICS_SERVER = "http://prometheus:9090";
    public static final String DEFAULT_CLUSTER_LABEL = "destination_cluster";

    public GatesConfig {
        Objects.requireNonNull(metricsServer, "metricsServer");
        Objects.requireNonNull(meshProvider, "meshProvider");
        requirePositive(queryTimeout, "queryTimeout");
        clusterName = clusterName == null ? "" : clusterName;
        clusterLabel = clusterLabel == null ? "" : clusterLabel;
        minRequests = Map.copyOf(minRequests == null ? Map.of() : minRequests);
        for (String metric : minRequests.keySet()) {
            if (!Queries.isBuiltin(metric)) {
                throw new IllegalArgumentException("minRequests: \"" + metric
                        + "\" is not a builtin metric (request-success-rate, request-duration)");
            }
        }
        eventWebhook = eventWebhook == null ? "" : eventWebhook;
        requirePositive(eventWebhookTimeout, "eventWebhookTimeout");
        slack = slack == null ? ChatSettings.NONE : slack;
        msTeams = msTeams == null ? ChatSettings.NONE : msTeams;
        requirePositive(alertTimeout, "alertTimeout");
        requirePositive(backoffMin, "backoffMin");
        requirePositive(backoffMax, "backoffMax");
        Objects.requireNonNull(clock, "clock");
        outbound = outbound == null ? OutboundHosts.ANY : outbound;
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    /**
     * A global chat webhook: the URL (empty when unset), an optional proxy, the channel, the sender name and an
     * optional token, sent as {@code Authorization: Bearer} (a Slack bot token for {@code chat.postMessage}).
     */
    public record ChatSettings(String url, String proxy, String channel, String username, String token) {
        public static final ChatSettings NONE = new ChatSettings("", "", "", "", "");

        public ChatSettings {
            url = url == null ? "" : url;
            proxy = proxy == null ? "" : proxy;
            channel = channel == null ? "" : channel;
            username = username == null ? "" : username;
            token = token == null ? "" : token;
        }

        /** Settings without a token. */
        public ChatSettings(String url, String proxy, String channel, String username) {
            this(url, proxy, channel, username, "");
        }

        /** Never prints the token: settings end up in logs. */
        @Override
        public String toString() {
            return "ChatSettings[url=" + (url.isEmpty() ? "" : "(set)") + ", proxy=" + (proxy.isEmpty() ? "" : "(set)")
                    + ", channel=" + channel + ", username=" + username + ", token=" + (token.isEmpty() ? "" : "(set)")
                    + "]";
        }

        public boolean enabled() {
            return !url.isEmpty();
        }
    }

    /**
     * Reads {@code --min-requests}: {@code request-success-rate=20,request-duration=20}; blank means none.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code <builtin metric>=<non-negative integer>}
     */
    public static Map<String, Long> parseMinRequests(String text) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String[] kv = entry.split("=", 2);
            String metric = kv[0].trim();
            if (kv.length != 2 || !Queries.isBuiltin(metric)) {
                throw new IllegalArgumentException("--min-requests: \"" + entry.trim() + "\" is not "
                        + "<metric>=<requests> with metric request-success-rate or request-duration");
            }
            try {
                long min = Long.parseLong(kv[1].trim());
                if (min < 0) {
                    throw new NumberFormatException();
                }
                out.put(metric, min);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--min-requests: \"" + entry.trim() + "\" needs a non-negative whole number of requests");
            }
        }
        return out;
    }

    /** Settings with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link GatesConfig}; every setting starts at its documented default. */
    public static final class Builder {
        private String metricsServer = DEFAULT_METRICS_SERVER;
        private String meshProvider = "gloo-mesh";
        private Duration queryTimeout = Duration.ofSeconds(5);
        private String clusterName = "";
        private String clusterLabel = DEFAULT_CLUSTER_LABEL;
        private OutboundHosts outbound = OutboundHosts.ANY;
        private Map<String, Long> minRequests = Map.of();
        private String eventWebhook = "";
        private Duration eventWebhookTimeout = Duration.ofSeconds(10);
        private ChatSettings slack = ChatSettings.NONE;
        private ChatSettings msTeams = ChatSettings.NONE;
        private Duration alertTimeout = Duration.ofSeconds(5);
        private Duration backoffMin = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder metricsServer(String v) {
            metricsServer = v;
            return this;
        }

        public Builder meshProvider(String v) {
            meshProvider = v;
            return this;
        }

        public Builder queryTimeout(Duration v) {
            queryTimeout = v;
            return this;
        }

        public Builder clusterName(String v) {
            clusterName = v;
            return this;
        }

        public Builder outbound(OutboundHosts v) {
            outbound = v;
            return this;
        }

        public Builder clusterLabel(String v) {
            clusterLabel = v;
            return this;
        }

        public Builder minRequests(Map<String, Long> v) {
            minRequests = v;
            return this;
        }

        public Builder eventWebhook(String v) {
            eventWebhook = v;
            return this;
        }

        public Builder eventWebhookTimeout(Duration v) {
            eventWebhookTimeout = v;
            return this;
        }

        public Builder slack(ChatSettings v) {
            slack = v;
            return this;
        }

        public Builder msTeams(ChatSettings v) {
            msTeams = v;
            return this;
        }

        public Builder alertTimeout(Duration v) {
            alertTimeout = v;
            return this;
        }

        public Builder backoff(Duration min, Duration max) {
            backoffMin = min;
            backoffMax = max;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public GatesConfig build() {
            return new GatesConfig(
                    metricsServer,
                    meshProvider,
                    queryTimeout,
                    clusterName,
                    clusterLabel,
                    minRequests,
                    eventWebhook,
                    eventWebhookTimeout,
                    slack,
                    msTeams,
                    alertTimeout,
                    backoffMin,
                    backoffMax,
                    clock,
                    outbound);
        }
    }
}
