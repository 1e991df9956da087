package io.sluice.bench;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import java.util.List;

/**
 * The baseline of {@code make bench-scale}: a bare watcher with the analyzer's four informers (Canaries, Deployments,
 * Services, RouteTables, all namespaces, with the same client library and HTTP client), which does nothing with what
 * it sees. Its heap and CPU are what merely watching the benchmark's cluster costs.
 */
public final class Baseline {
    private Baseline() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Baseline <API server URL>");
        }
        KubernetesClient client = new KubernetesClientBuilder()
                .withHttpClientFactory(new Vertx5HttpClientFactory())
                .withConfig(new ConfigBuilder()
                        .withMasterUrl(args[0])
                        .withTrustCerts(true)
                        .build())
                .build();
        List<SharedIndexInformer<?>> informers = List.of(
                client.resources(Canary.class).inAnyNamespace().inform(),
                client.apps().deployments().inAnyNamespace().inform(),
                client.services().inAnyNamespace().inform(),
                client.resources(RouteTable.class).inAnyNamespace().inform());
        long objects =
                informers.stream().mapToLong(i -> i.getStore().list().size()).sum();
        System.out.println("baseline: informers synced, " + objects + " objects cached");
        Thread.currentThread().join();
    }
}
