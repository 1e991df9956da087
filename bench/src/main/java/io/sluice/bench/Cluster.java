package io.sluice.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmark's cluster, written straight into the stand-in's store: per Canary its target Deployment, the parent
 * RouteTable and the Canary (the seed's, renamed); the analyzer creates the primary, the three Services and the
 * delegate RouteTable when it initializes them. Plus Deployments no Canary targets. Canaries are spread over
 * namespaces {@code bench-0}, {@code bench-1}, … of {@code perNamespace} each; the other Deployments over the same
 * namespaces.
 */
final class Cluster {
    private static final String JSON = "application/json";
    private final StandInApi api;
    private final JsonObject deployment;
    private final JsonObject routeTable;
    private final JsonObject canary;
    final int perNamespace;
    /** Canaries written by {@link #seed}. */
    int canaries;

    Cluster(StandInApi api, Path repo, Settings s) {
        this.api = api;
        this.perNamespace = s.perNamespace();
        Path examples = repo.resolve("manifests/examples/podinfo");
        deployment = read(examples.resolve("deployment.yaml"));
        routeTable = read(examples.resolve("routetable.yaml"));
        canary = read(examples.resolve("canary.yaml"));
        JsonObject analysis = canary.getJsonObject("spec").getJsonObject("analysis");
        analysis.put("interval", s.interval().toSeconds() + "s");
        analysis.put("stepWeight", s.stepWeight());
        analysis.put("maxWeight", s.maxWeight());
        // The seed's webhooks, aimed at the stand-in: same types, same payloads.
        for (Object w : analysis.getJsonArray("webhooks")) {
            ((JsonObject) w).put("url", s.gatesUrl() + "/" + ((JsonObject) w).getString("name"));
        }
    }

    record Settings(int perNamespace, java.time.Duration interval, int stepWeight, int maxWeight, String gatesUrl) {}

    static String namespace(int i, int perNamespace) {
        return "bench-" + i / perNamespace;
    }

    static String canaryName(int i) {
        return String.format("app-%05d", i);
    }

    /** Writes {@code canaries} Canaries with their targets and parents, and {@code others} untargeted Deployments. */
    void seed(int canaries, int others) {
        this.canaries = canaries;
        for (int i = 0; i < canaries; i++) {
            String ns = namespace(i, perNamespace);
            String name = canaryName(i);
            create("/apis/apps/v1/namespaces/" + ns + "/deployments", deployment(ns, name, "6.0.0"));
            create("/apis/networking.gloo.solo.io/v2/namespaces/" + ns + "/routetables", parent(ns, name));
            create("/apis/flagger.app/v1beta1/namespaces/" + ns + "/canaries", canary(ns, name));
        }
        int namespaces = Math.max(1, (canaries + perNamespace - 1) / perNamespace);
        for (int j = 0; j < others; j++) {
            String ns = "bench-" + j % namespaces;
            create(
                    "/apis/apps/v1/namespaces/" + ns + "/deployments",
                    deployment(ns, String.format("other-%05d", j), "6.0.0"));
        }
    }

    /** {@code kubectl set image} on every target at once: a new revision for every Canary. */
    void release(int canaries, String version) {
        for (int i = 0; i < canaries; i++) {
            String ns = namespace(i, perNamespace);
            String name = canaryName(i);
            JsonObject patch = new JsonObject("{\"spec\":{\"template\":{\"spec\":{}}}}");
            patch.getJsonObject("spec")
                    .getJsonObject("template")
                    .getJsonObject("spec")
                    .put("containers", new JsonArray().add(container(version)));
            api.write(
                    HttpMethod.PATCH,
                    "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name,
                    patch.encode(),
                    "application/merge-patch+json");
        }
    }

    private JsonObject container(String version) {
        JsonObject c = deployment
                .getJsonObject("spec")
                .getJsonObject("template")
                .getJsonObject("spec")
                .getJsonArray("containers")
                .getJsonObject(0)
                .copy();
        return c.put("image", "ghcr.io/stefanprodan/podinfo:" + version);
    }

    private void create(String path, JsonObject o) {
        api.write(HttpMethod.POST, path, o.encode(), JSON);
    }

    private JsonObject deployment(String ns, String name, String version) {
        JsonObject d = deployment.copy();
        JsonObject labels = new JsonObject().put("app", name);
        d.put(
                "metadata",
                new JsonObject().put("name", name).put("namespace", ns).put("labels", labels));
        JsonObject spec = d.getJsonObject("spec");
        spec.put("replicas", 2);
        spec.put("selector", new JsonObject().put("matchLabels", labels.copy()));
        spec.getJsonObject("template").getJsonObject("metadata").put("labels", labels.copy());
        spec.getJsonObject("template")
                .getJsonObject("spec")
                .getJsonArray("containers")
                .set(0, container(version));
        return d;
    }

    private JsonObject parent(String ns, String name) {
        JsonObject rt = routeTable.copy();
        rt.getJsonObject("metadata").put("name", name).put("namespace", ns);
        JsonObject spec = rt.getJsonObject("spec");
        spec.put("hosts", new JsonArray().add(name + "." + ns + ".svc.cluster.local"));
        spec.getJsonArray("http")
                .getJsonObject(0)
                .getJsonObject("delegate")
                .put(
                        "routeTables",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("name", name + "-delegate")
                                        .put("namespace", ns)));
        return rt;
    }

    private JsonObject canary(String ns, String name) {
        JsonObject c = canary.copy();
        c.getJsonObject("metadata")
                .put("name", name)
                .put("namespace", ns)
                .put("labels", new JsonObject().put("app", name));
        JsonObject spec = c.getJsonObject("spec");
        spec.getJsonObject("targetRef").put("name", name);
        spec.getJsonObject("routeTableRef").put("name", name).put("namespace", ns);
        return c;
    }

    private static JsonObject read(Path yaml) {
        try (InputStream in = Files.newInputStream(yaml)) {
            KubernetesSerialization s = new KubernetesSerialization();
            GenericKubernetesResource r = s.unmarshal(in, GenericKubernetesResource.class);
            return new JsonObject(s.asJson(r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + yaml, e);
        }
    }
}
