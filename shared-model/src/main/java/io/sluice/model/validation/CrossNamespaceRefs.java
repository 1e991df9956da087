package io.sluice.model.validation;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanarySpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rule of {@code --no-cross-namespace-refs} (Flagger's flag of the same name): a Canary may only name objects of
 * its own namespace. Both services apply it when the flag is set: the admission webhook denies, the analyzer halts.
 *
 * <p>What counts as a reference to another namespace:
 *
 * <ul>
 *   <li>{@code templateRef.namespace} of a metric and {@code providerRef.namespace} of an alert, when set and not the
 *       Canary's (empty means the Canary's, as everywhere);
 *   <li>{@code spec.routeTableRef.namespace} and {@code spec.upstreamRef.namespace}: Sluice writes the delegate
 *       RouteTable into the parent's namespace, the way Flagger's Gloo router writes next to its upstream;
 *   <li>a webhook URL whose host is a Service of another namespace as the cluster's DNS names it: {@code <svc>.<ns>},
 *       {@code <svc>.<ns>.svc}, {@code <svc>.<ns>.svc.<cluster domain>}, and the pod forms
 *       {@code <pod>.<svc>.<ns>.svc…} and {@code <ip-dashed>.<ns>.pod…}. A two-label host is read as
 *       {@code <svc>.<ns>} because that is what a pod resolves first (the cluster's resolver tries the search
 *       domains before the name itself): {@code http://example.com/} from a pod is Service {@code example} of
 *       namespace {@code com} when both exist. Write an outside name fully qualified, with a trailing dot
 *       ({@code http://example.com./}), or with three labels or more. IP addresses and one-label hosts (a Service of
 *       the Canary's own namespace) are never cross-namespace.
 * </ul>
 */
public final class CrossNamespaceRefs {
    private CrossNamespaceRefs() {}

    /** Every reference of {@code canary} to another namespace, with its field path; empty when there is none. */
    public static List<Violation> violations(Canary canary) {
        List<Violation> out = new ArrayList<>();
        CanarySpec spec = canary.getSpec();
        String own = canary.getMetadata() == null ? null : canary.getMetadata().getNamespace();
        if (spec == null || own == null) {
            return out;
        }
        reference(out, "spec.routeTableRef", spec.routeTableRef, own);
        reference(out, "spec.upstreamRef", spec.upstreamRef, own);
        CanaryAnalysis analysis = spec.effectiveAnalysis();
        String prefix = spec.analysis != null ? "spec.analysis" : "spec.canaryAnalysis";
        if (analysis == null) {
            return out;
        }
        if (analysis.metrics != null) {
            for (int i = 0; i < analysis.metrics.size(); i++) {
                CanaryAnalysis.Metric m = analysis.metrics.get(i);
                if (m != null && m.templateRef != null) {
                    other(out, prefix + ".metrics[" + i + "].templateRef.namespace", m.templateRef.namespace, own);
                }
            }
        }
        if (analysis.alerts != null) {
            for (int i = 0; i < analysis.alerts.size(); i++) {
                CanaryAnalysis.Alert a = analysis.alerts.get(i);
                if (a != null && a.providerRef != null) {
                    other(out, prefix + ".alerts[" + i + "].providerRef.namespace", a.providerRef.namespace, own);
                }
            }
        }
        if (analysis.webhooks != null) {
            for (int i = 0; i < analysis.webhooks.size(); i++) {
                CanaryAnalysis.Webhook h = analysis.webhooks.get(i);
                String ns = h == null ? null : serviceNamespace(h.url);
                if (ns != null && !ns.equals(own)) {
                    out.add(new Violation(
                            prefix + ".webhooks[" + i + "].url",
                            "names a Service of namespace " + ns + " (host " + host(h.url) + "), and cross-namespace"
                                    + " references are refused here (--no-cross-namespace-refs); an address outside"
                                    + " the cluster can be written fully qualified, with a trailing dot"));
                }
            }
        }
        return out;
    }

    private static void reference(
            List<Violation> out, String field, CanarySpec.CrossNamespaceReference ref, String own) {
        if (ref != null) {
            other(out, field + ".namespace", ref.namespace, own);
        }
    }

    private static void other(List<Violation> out, String field, String namespace, String own) {
        if (namespace != null && !namespace.isEmpty() && !namespace.equals(own)) {
            out.add(new Violation(
                    field,
                    "is " + namespace + ", not the canary's namespace " + own
                            + ": cross-namespace references are refused here (--no-cross-namespace-refs)"));
        }
    }

    /**
     * The namespace of the in-cluster Service or pod {@code url}'s host names, as the cluster's DNS reads it;
     * {@code null} for a one-label host, an IP address, a fully qualified name (trailing dot), a name of three
     * labels or more that is not a {@code .svc} or {@code .pod} name, and anything that is not a URL with a host.
     */
    static String serviceNamespace(String url) {
        String host = host(url);
        if (host == null || host.isEmpty() || host.endsWith(".") || host.startsWith("[")) {
            return null;
        }
        String[] labels = host.toLowerCase(Locale.ROOT).split("\\.", -1);
        if (labels.length < 2 || ipv4(labels)) {
            return null;
        }
        if (labels.length == 2) {
            return labels[1];
        }
        // <svc>.<ns>.svc…, <pod>.<svc>.<ns>.svc…, <ip-dashed>.<ns>.pod…: the label before the first svc/pod marker.
        for (int i = 2; i < labels.length; i++) {
            if (labels[i].equals("svc") || labels[i].equals("pod")) {
                return labels[i - 1];
            }
        }
        return null;
    }

    private static String host(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url.strip());
            String host = uri.getHost();
            if (host == null && uri.getRawAuthority() != null) {
                // Java's URI leaves the host null for names it will not parse as a server (an underscore, say).
                String authority = uri.getRawAuthority();
                int at = authority.lastIndexOf('@');
                host = authority.substring(at + 1).replaceFirst(":\\d*$", "");
            }
            return host;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static boolean ipv4(String[] labels) {
        for (String label : labels) {
            if (label.isEmpty() || !label.chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }
}
