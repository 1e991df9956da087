package io.sluice.analyzer.gates;

import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outbound proxy from the process environment, read the way Go programs (Flagger, the load tester, kubectl)
 * read it: {@code HTTP_PROXY} or {@code http_proxy}, and {@code NO_PROXY} or {@code no_proxy} for the hosts that
 * are reached directly. Operators behind an egress proxy set these once for every tool in the pod.
 *
 * @param proxy        the proxy to use, empty when none is configured
 * @param nonProxyHosts hosts reached directly, in Vert.x's pattern syntax ({@code *.example.com})
 */
record ProxySettings(Optional<ProxyOptions> proxy, List<String> nonProxyHosts) {

    static ProxySettings fromEnvironment(Map<String, String> env) {
        String url = first(env, "HTTP_PROXY", "http_proxy");
        if (url == null) {
            return new ProxySettings(Optional.empty(), List.of());
        }
        URI uri = URI.create(url.contains("://") ? url : "http://" + url);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("HTTP_PROXY is not a proxy address (expected http://host:port)");
        }
        ProxyOptions options = new ProxyOptions()
                .setType(ProxyType.HTTP)
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : 80);
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            options.setUsername(parts[0]).setPassword(parts.length > 1 ? parts[1] : "");
        }
        List<String> direct = new ArrayList<>();
        String noProxy = first(env, "NO_PROXY", "no_proxy");
        if (noProxy != null) {
            for (String entry : noProxy.split(",")) {
                String host = entry.trim();
                if (host.isEmpty()) {
                    continue;
                }
                int colon = host.lastIndexOf(':');
                if (colon > 0 && host.indexOf(':') == colon) {
                    host = host.substring(0, colon); // a port does not narrow the match here
                }
                // Go treats ".example.com" and "example.com" as the domain and its subdomains.
                String domain = host.startsWith(".") ? host.substring(1) : host;
                direct.add(domain);
                if (!domain.equals("*") && !Character.isDigit(domain.charAt(domain.length() - 1))) {
                    direct.add("*." + domain);
                }
            }
        }
        return new ProxySettings(Optional.of(options), List.copyOf(direct));
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
