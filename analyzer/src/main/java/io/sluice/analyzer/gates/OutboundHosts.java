package io.sluice.analyzer.gates;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * {@code --allowed-outbound-hosts}: the hosts the analyzer may call on a Canary author's behalf (webhooks, alert
 * providers, metric servers, the event webhook). Empty allows every host. An entry is a host name or IP ({@code
 * prometheus.monitoring}), or {@code *.} and a domain ({@code *.svc.cluster.local}), which matches any host below that
 * domain but not the domain itself. Matching ignores case and the port.
 */
public record OutboundHosts(List<String> patterns) {
    public static final OutboundHosts ANY = new OutboundHosts(List.of());

    public OutboundHosts {
        patterns = patterns == null
                ? List.of()
                : patterns.stream()
                        .map(String::trim)
                        .filter(p -> !p.isEmpty())
                        .map(p -> p.toLowerCase(Locale.ROOT))
                        .toList();
        for (String p : patterns) {
            if (p.contains("/") || p.contains(":") && !p.startsWith("[") || p.indexOf('*') > 0 || p.equals("*.")) {
                throw new IllegalArgumentException(
                        "--allowed-outbound-hosts: \"" + p + "\" is not a host or *.domain (no scheme, port or path)");
            }
        }
    }

    /** Null when {@code url} may be called, else why not (naming only the host: a URL may carry credentials). */
    public String problem(String url) {
        if (patterns.isEmpty()) {
            return null;
        }
        String host;
        try {
            host = new URI(url).getHost();
        } catch (URISyntaxException | NullPointerException e) {
            host = null;
        }
        if (host == null) {
            return "not an absolute URL, so its host cannot be checked against --allowed-outbound-hosts";
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String p : patterns) {
            if (p.startsWith("*.") ? h.endsWith(p.substring(1)) : h.equals(p)) {
                return null;
            }
        }
        return "host " + host + " is not in --allowed-outbound-hosts";
    }
}
