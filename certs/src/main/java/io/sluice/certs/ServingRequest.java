package io.sluice.certs;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/**
 * What a serving certificate for a webhook Service should cover. The API server calls a webhook at
 * {@code svc.ns.svc}; {@code svc} and {@code svc.ns} are there for in-namespace and in-cluster
 * callers, the extras for local runs ({@code localhost}, {@code 127.0.0.1}).
 *
 * <p>Seven days by default: renewal at two thirds leaves more than two days to notice a broken
 * renewal before the webhook stops working.
 */
public record ServingRequest(
        String service,
        String namespace,
        List<String> extraDnsNames,
        List<String> ipAddresses,
        KeyType keyType,
        Duration validity) {

    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(7);

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_NAME =
            Pattern.compile("(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

    public ServingRequest {
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(validity, "validity");
        requireLabel("service", service);
        requireLabel("namespace", namespace);
        Objects.requireNonNull(extraDnsNames, "extraDnsNames");
        Objects.requireNonNull(ipAddresses, "ipAddresses");
        extraDnsNames =
                extraDnsNames.stream().map(ServingRequest::requireDnsName).toList();
        ipAddresses = ipAddresses.stream().map(ServingRequest::requireIpAddress).toList();
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("serving certificate validity must be positive, got " + validity);
        }
    }

    /** An EC P-256 certificate for {@code service.namespace}, valid for {@link #DEFAULT_VALIDITY}. */
    public static ServingRequest of(String service, String namespace) {
        return new ServingRequest(service, namespace, List.of(), List.of(), KeyType.EC_P256, DEFAULT_VALIDITY);
    }

    public ServingRequest withExtraDnsNames(List<String> names) {
        return new ServingRequest(service, namespace, names, ipAddresses, keyType, validity);
    }

    public ServingRequest withIpAddresses(List<String> addresses) {
        return new ServingRequest(service, namespace, extraDnsNames, addresses, keyType, validity);
    }

    public ServingRequest withKeyType(KeyType newKeyType) {
        return new ServingRequest(service, namespace, extraDnsNames, ipAddresses, newKeyType, validity);
    }

    public ServingRequest withValidity(Duration newValidity) {
        return new ServingRequest(service, namespace, extraDnsNames, ipAddresses, keyType, newValidity);
    }

    /** {@code svc}, {@code svc.ns}, {@code svc.ns.svc}, then the extras, without duplicates. */
    public List<String> dnsNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add(service);
        names.add(service + "." + namespace);
        names.add(serviceHostname());
        names.addAll(extraDnsNames);
        return List.copyOf(names);
    }

    /** Every DNS name and IP address the certificate must cover, in SAN order; what renewal checks for. */
    public Set<String> requiredNames() {
        Set<String> names = new LinkedHashSet<>(dnsNames());
        names.addAll(ipAddresses);
        return Collections.unmodifiableSet(names);
    }

    /** The name the API server dials. */
    public String serviceHostname() {
        return service + "." + namespace + ".svc";
    }

    List<String> distinctIpAddresses() {
        return List.copyOf(new LinkedHashSet<>(ipAddresses));
    }

    private static void requireLabel(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " must be a lowercase RFC 1123 label (a-z, 0-9, '-', at most 63), got '" + value + "'");
        }
    }

    private static String requireDnsName(String name) {
        Objects.requireNonNull(name, "DNS name");
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("not a DNS name: '" + name + "'");
        }
        return lower;
    }

    private static String requireIpAddress(String address) {
        Objects.requireNonNull(address, "IP address");
        // A literal check, never InetAddress.getByName: that would resolve a mistyped host name.
        if (!IPAddress.isValid(address)) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + address + "'");
        }
        return address;
    }
}
