package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.sluice.analyzer.decision.Action;
import io.sluice.analyzer.decision.Texts;
import io.sluice.analyzer.gates.Notifier;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.UndecodableCanary;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryPhase;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events for Canaries (reason {@code Synced}, texts from {@link Texts}, the source component
 * {@code sluice}, the one deliberate difference from Flagger) and forwards each to the event webhooks. It remembers the
 * counts it wrote for the most recent Events, so that a repeat is one patch and no read. A failed Event is logged,
 * never fatal.
 */
final class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    static final String COMPONENT = "sluice";
    private static final int MEMORY = 4096;

    private final Kube kube;
    private final Notifier notifier;
    private final Clock clock;
    private final String instance;
    /** {@code namespace/name} → the count this process last wrote. */
    private final Map<String, Integer> counts;

    EventRecorder(Kube kube, Notifier notifier, Clock clock, String instance) {
        this(kube, notifier, clock, instance, Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > MEMORY;
            }
        }));
    }

    private EventRecorder(Kube kube, Notifier notifier, Clock clock, String instance, Map<String, Integer> counts) {
        this.kube = kube;
        this.notifier = notifier;
        this.clock = clock;
        this.instance = instance;
        this.counts = counts;
    }

    /** The same recorder (and memory of counts), writing through {@code other}: a view fenced by a shard. */
    EventRecorder through(Kube other) {
        return new EventRecorder(other, notifier, clock, instance, counts);
    }

    /** The Event a decision asked for. */
    Future<Void> record(Canary canary, Action.EmitEvent e) {
        return emit(canary, e.type(), e.message(), e.annotations(), e.phase());
    }

    /** An action that failed: its error, as the Warning. */
    Future<Void> actionFailed(Canary canary, Throwable err) {
        return warning(canary, err.getMessage() == null ? err.toString() : err.getMessage());
    }

    /** The API server refused the delegate RouteTable: which one, and its error. */
    Future<Void> routesNotWritten(Canary canary, String table, Throwable err) {
        return warning(
                canary, Texts.routesNotWritten(table, err.getMessage() == null ? err.toString() : err.getMessage()));
    }

    /** The template changed after the analysis, so it was not copied. */
    Future<Void> promotionRefused(Canary canary, String now, String analysed) {
        return warning(
                canary,
                Texts.promotionRefused(
                        canary.getSpec().targetRef.name, canary.getMetadata().getNamespace(), now, analysed));
    }

    Future<Void> postRolloutPassed(Canary canary, String hook) {
        return emit(canary, Action.EmitEvent.Type.Normal, Texts.postRolloutPassed(hook), Map.of());
    }

    Future<Void> postRolloutFailed(Canary canary, String hook, String error) {
        return warning(canary, Texts.postRolloutFailed(hook, error));
    }

    /**
     * A Canary that cannot be decoded: the Warning on it, not forwarded to its alert providers or event webhook
     * (the spec that names them could not be read).
     */
    Future<Void> undecodable(UndecodableCanary canary) {
        return emit(canary, Action.EmitEvent.Type.Warning, Texts.undecodable(canary.key(), canary.problem()), Map.of());
    }

    private Future<Void> warning(Canary canary, String message) {
        return emit(canary, Action.EmitEvent.Type.Warning, message, Map.of());
    }

    private Future<Void> emit(
            Canary canary, Action.EmitEvent.Type type, String message, Map<String, String> annotations) {
        return emit(canary, type, message, annotations, null);
    }

    /** {@code phase}: the event webhooks' phase; null for the phase of {@code canary}'s status. */
    private Future<Void> emit(
            Canary canary,
            Action.EmitEvent.Type type,
            String message,
            Map<String, String> annotations,
            CanaryPhase phase) {
        LOG.info("{} {} {}", canary.key(), type, message);
        if (canary instanceof UndecodableCanary) {
            // Its spec, which names the event webhooks, could not be read.
        } else if (phase != null) {
            notifier.event(canary, type.name(), message, phase);
        } else {
            notifier.event(canary, type.name(), message);
        }
        String stamp = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Event e = new EventBuilder()
                .withNewMetadata()
                .withName(eventName(canary, type, message, annotations))
                .withNamespace(canary.getMetadata().getNamespace())
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(canary.getApiVersion())
                .withKind("Canary")
                .withName(canary.getMetadata().getName())
                .withNamespace(canary.getMetadata().getNamespace())
                .withUid(canary.getMetadata().getUid())
                .withResourceVersion(canary.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withReason("Synced")
                .withMessage(message)
                .withType(type.name())
                .withNewSource()
                .withComponent(COMPONENT)
                .endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(instance)
                .withFirstTimestamp(stamp)
                .withLastTimestamp(stamp)
                .withCount(1)
                .build();
        String key = e.getMetadata().getNamespace() + "/" + e.getMetadata().getName();
        long sent = System.nanoTime();
        return kube.event(e, counts.get(key))
                .onSuccess(written -> {
                    counts.put(key, written);
                    LOG.debug(
                            "{}: Event {} written in {} us",
                            canary.key(),
                            e.getMetadata().getName(),
                            (System.nanoTime() - sent) / 1000);
                })
                .<Void>mapEmpty()
                .recover(err -> {
                    LOG.warn("{}: could not record event '{}': {}", canary.key(), message, err.getMessage());
                    return Future.succeededFuture();
                });
    }

    /**
     * One name per (involved object, type, reason, message, annotations), so that a repeated Event is aggregated
     * ({@code count} raised) rather than created again on every interval.
     */
    static String eventName(
            Canary canary, Action.EmitEvent.Type type, String message, Map<String, String> annotations) {
        String identity = String.join(
                "\u0000",
                canary.getMetadata().getNamespace(),
                canary.getMetadata().getName(),
                Objects.toString(canary.getMetadata().getUid(), ""),
                type.name(),
                "Synced",
                message,
                new TreeMap<>(annotations).toString());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return canary.getMetadata().getName() + "." + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
