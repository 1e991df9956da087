package io.sluice.sandbox;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The seed's Canary as the end-to-end tests apply it: a 5 s analysis interval, 15 s metric windows and a 1 m load
 * test instead of 20 s / 1 m / 30 s / 2 m, so that a run finishes in about a minute; everything else as written in
 * {@code manifests/examples/podinfo/canary.yaml}.
 */
final class ShortSeed {

    private ShortSeed() {}

    /** Applies the seed's manifests, then its shortened Canary, and waits until the Canary is Initialized. */
    static void apply(Environment env, Path repo) throws IOException {
        env.applySeed();
        JsonObject canary = Manifests.read(repo.resolve("manifests/examples/podinfo/canary.yaml"))
                .get(0);
        JsonObject analysis = canary.getJsonObject("spec").getJsonObject("analysis");
        analysis.put("interval", "5s");
        analysis.getJsonArray("metrics").forEach(m -> ((JsonObject) m).put("interval", "15s"));
        for (Object o : analysis.getJsonArray("webhooks")) {
            JsonObject hook = (JsonObject) o;
            if ("load-test".equals(hook.getString("name"))) {
                hook.getJsonObject("metadata").put("cmd", "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/");
            }
        }
        Path shortened = Files.createTempFile(env.sandbox().dir(), "canary", ".json");
        Files.writeString(shortened, canary.encode());
        env.kubectl().run("apply", "-f", shortened.toString()).ok();
        Environment.await("the Canary to be Initialized", Duration.ofSeconds(90), () -> {
            env.checkAlive();
            JsonObject c = env.canary(SeedRun.NAMESPACE, SeedRun.CANARY);
            return c != null
                    && "Initialized"
                            .equals(c.getJsonObject("status", new JsonObject()).getString("phase"));
        });
    }
}
