package io.sluice.analyzer.gates;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The JSON bodies webhooks receive, in the shape Flagger's webhooks (and its load tester) read. */
final class WebhookPayloads {
    private WebhookPayloads() {}

    /** {@code {name, namespace, phase, checksum, metadata}}; metadata is left out when empty. */
    static JsonObject hook(Canary canary, CanaryPhase phase, Map<String, String> metadata) {
        JsonObject payload = new JsonObject()
                .put("name", canary.getMetadata().getName())
                .put("namespace", canary.getMetadata().getNamespace())
                .put("phase", phase == null ? "" : phase.name())
                .put("checksum", checksum(canary.getStatus()));
        if (metadata != null && !metadata.isEmpty()) {
            payload.put("metadata", new JsonObject(new TreeMap<>(metadata)));
        }
        return payload;
    }

    /**
     * The event envelope: the hook payload whose metadata carries {@code eventMessage}, {@code eventType} and
     * {@code timestamp} (Unix milliseconds, as a string), which the hook's own metadata cannot override.
     */
    static JsonObject event(
            Canary canary,
            CanaryPhase phase,
            Map<String, String> hookMetadata,
            String eventType,
            String message,
            Instant at) {
        Map<String, String> metadata = new TreeMap<>(hookMetadata == null ? Map.of() : hookMetadata);
        metadata.put("eventMessage", message);
        metadata.put("eventType", eventType);
        metadata.put("timestamp", Long.toString(at.toEpochMilli()));
        return hook(canary, phase, metadata);
    }

    /**
     * Identifies the exact template revision and config data under analysis, so a webhook can tell runs apart: a
     * hash of {@code lastAppliedSpec} and the tracked configs' checksums, in a stable order.
     */
    static String checksum(CanaryStatus status) {
        StringBuilder text = new StringBuilder();
        if (status != null) {
            text.append(status.lastAppliedSpec == null ? "" : status.lastAppliedSpec)
                    .append('\n');
            if (status.trackedConfigs != null) {
                new TreeMap<>(status.trackedConfigs)
                        .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            }
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
