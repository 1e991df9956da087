package io.sluice.sandbox.apiserver;

import io.vertx.core.net.SocketAddress;
import java.util.Optional;

/** Where a cluster Service's port is reachable on this machine (all sandbox servers are loopback). */
@FunctionalInterface
public interface ServiceResolver {
    Optional<SocketAddress> resolve(String namespace, String name, int port);
}
