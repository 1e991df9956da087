package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * KEDA ScaledObjects ({@code keda.sh/v1alpha1}), read and written as generic resources: Sluice carries no KEDA model
 * and needs no KEDA on the cluster unless a Canary names a ScaledObject (spec §4.3). Pure: nothing here talks to a
 * server.
 */
public final class ScaledObjects {
    public static final String GROUP = "keda.sh";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "ScaledObject";
    public static final String PLURAL = "scaledobjects";

    /** KEDA holds a ScaledObject's target at this many replicas and stops scaling it while the annotation is set. */
    public static final String PAUSED_REPLICAS_ANNOTATION = "autoscaling.keda.sh/paused-replicas";

    /** The spec fields the primary's ScaledObject takes from the target's, as Flagger copies them. */
    private static final List<String> COPIED = List.of(
            "pollingInterval",
            "cooldownPeriod",
            "minReplicaCount",
            "maxReplicaCount",
            "advanced",
            "triggers",
            "fallback",
            "idleReplicaCount");

    private ScaledObjects() {}

    /**
     * {@code <so>-primary}, scaling {@code <tgt>-primary} with the target ScaledObject's settings and triggers, the
     * triggers' queries rewritten for the primary ({@link #primaryQuery}) or taken from
     * {@code autoscalerRef.primaryScalerQueries}, and the replica bounds of {@code primaryScalerReplicas}. It carries
     * the original's labels and annotations, except the pause: the original is paused while the canary is at 0, and
     * a primary created in that window must still scale.
     */
    public static GenericKubernetesResource primary(
            Canary canary, GenericKubernetesResource original, KubernetesSerialization json) {
        GenericKubernetesResource so = new GenericKubernetesResource();
        so.setApiVersion(GROUP + "/" + VERSION);
        so.setKind(KIND);
        ObjectMeta meta = new ObjectMeta();
        meta.setName(canary.getSpec().autoscalerRef.name + "-primary");
        meta.setNamespace(canary.getMetadata().getNamespace());
        meta.setLabels(Workloads.withoutToolkit(original.getMetadata().getLabels()));
        Map<String, String> annotations =
                Workloads.withoutToolkit(original.getMetadata().getAnnotations());
        annotations.remove(PAUSED_REPLICAS_ANNOTATION);
        meta.setAnnotations(annotations);
        meta.setOwnerReferences(List.of(Workloads.ownerRef(canary)));
        so.setMetadata(meta);
        so.setAdditionalProperty("spec", primarySpec(canary, original, json));
        return so;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> primarySpec(
            Canary canary, GenericKubernetesResource original, KubernetesSerialization json) {
        Map<String, Object> from =
                json.clone(original).getAdditionalProperties().get("spec") instanceof Map<?, ?> m
                        ? (Map<String, Object>) m
                        : new LinkedHashMap<>();
        Map<String, Object> spec = new LinkedHashMap<>();
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("name", canary.getSpec().targetRef.name + "-primary");
        if (from.get("scaleTargetRef") instanceof Map<?, ?> r) {
            for (String k : List.of("kind", "apiVersion", "envSourceContainerName")) {
                if (r.get(k) != null) {
                    ref.put(k, r.get(k));
                }
            }
        }
        spec.put("scaleTargetRef", ref);
        for (String k : COPIED) {
            if (from.get(k) != null) {
                spec.put(k, from.get(k));
            }
        }
        if (spec.get("triggers") instanceof List<?> triggers) {
            rewriteQueries(
                    (List<Object>) triggers,
                    canary.getSpec().targetRef.name,
                    canary.getSpec().autoscalerRef.primaryScalerQueries);
        }
        // Two ScaledObjects must not claim one HPA: a named HPA gets a -primary twin; an unnamed one is KEDA's to name.
        if (spec.get("advanced") instanceof Map<?, ?> advanced
                && advanced.get("horizontalPodAutoscalerConfig") instanceof Map<?, ?> hpa
                && hpa.get("name") instanceof String name
                && !name.isEmpty()) {
            ((Map<String, Object>) hpa).put("name", name + "-primary");
        }
        var overrides = canary.getSpec().autoscalerRef.primaryScalerReplicas;
        if (overrides != null && overrides.minReplicas != null) {
            spec.put("minReplicaCount", overrides.minReplicas);
        }
        if (overrides != null && overrides.maxReplicas != null) {
            spec.put("maxReplicaCount", overrides.maxReplicas);
        }
        return spec;
    }

    /**
     * Flagger's rule for the primary's trigger queries. With {@code primaryQueries} set (even empty), a trigger whose
     * name it lists gets that query and every other trigger keeps its own; without it, every trigger's {@code query}
     * is rewritten for the primary.
     */
    @SuppressWarnings("unchecked")
    static void rewriteQueries(List<Object> triggers, String target, Map<String, String> primaryQueries) {
        for (Object t : triggers) {
            if (!(t instanceof Map<?, ?> raw)) {
                continue;
            }
            Map<String, Object> trigger = (Map<String, Object>) raw;
            if (primaryQueries != null) {
                Object name = trigger.get("name");
                if (name != null && primaryQueries.containsKey(name.toString())) {
                    Map<String, Object> metadata = trigger.get("metadata") instanceof Map<?, ?> m
                            ? (Map<String, Object>) m
                            : new LinkedHashMap<>();
                    metadata.put("query", primaryQueries.get(name.toString()));
                    trigger.put("metadata", metadata);
                }
            } else if (trigger.get("metadata") instanceof Map<?, ?> m && m.get("query") instanceof String query) {
                ((Map<String, Object>) m).put("query", primaryQuery(query, target));
            }
        }
    }

    /**
     * A query about the target made about the primary, as Flagger makes it: both {@code <tgt>-canary} and
     * {@code <tgt>} become {@code <tgt>-primary} (and only once: {@code <tgt>-canary} does not end up
     * {@code <tgt>-primary-canary}). A best effort on text, which is why {@code primaryScalerQueries} exists.
     */
    public static String primaryQuery(String query, String target) {
        if (target == null || target.isEmpty()) {
            return query;
        }
        // A stand-in that cannot occur in the query, so the canary's name is not rewritten twice.
        String standIn = "\uE000";
        while (query.contains(standIn)) {
            standIn += "\uE000";
        }
        String primary = target + "-primary";
        return query.replace(target + "-canary", standIn)
                .replace(target, primary)
                .replace(standIn, primary);
    }

    /**
     * The live primary ScaledObject with {@code desired}'s spec, as Flagger updates it (its own labels and annotations
     * kept only where {@code includeLabelPrefixes} lets them through); null when the spec is already the desired one.
     */
    public static GenericKubernetesResource primaryUpdate(
            GenericKubernetesResource live,
            GenericKubernetesResource desired,
            List<String> includeLabelPrefixes,
            KubernetesSerialization json) {
        Object want = desired.getAdditionalProperties().get("spec");
        // Through JSON both ways, so that numbers compare by value and object keys in any order.
        if (Objects.equals(
                json.unmarshal(json.asJson(live.getAdditionalProperties().get("spec")), Map.class),
                json.unmarshal(json.asJson(want), Map.class))) {
            return null;
        }
        GenericKubernetesResource next = json.clone(live);
        next.setAdditionalProperty("spec", want);
        next.getMetadata().setLabels(Workloads.byPrefix(live.getMetadata().getLabels(), includeLabelPrefixes));
        next.getMetadata()
                .setAnnotations(Workloads.byPrefix(live.getMetadata().getAnnotations(), includeLabelPrefixes));
        return next;
    }

    /** Whether KEDA holds {@code so}'s target at 0 replicas (the annotation Sluice sets while the canary is at 0). */
    public static boolean paused(GenericKubernetesResource so) {
        Map<String, String> a = so.getMetadata().getAnnotations();
        return a != null && "0".equals(a.get(PAUSED_REPLICAS_ANNOTATION));
    }

    /** Whether {@code so} carries the pause annotation at all (any count): resuming removes it. */
    public static boolean hasPause(GenericKubernetesResource so) {
        Map<String, String> a = so.getMetadata().getAnnotations();
        return a != null && a.containsKey(PAUSED_REPLICAS_ANNOTATION);
    }

    /** {@code spec.minReplicaCount}, KEDA's default 0 when unset: the canary's scale-up goes by it, as with an HPA. */
    public static int minReplicaCount(GenericKubernetesResource so) {
        if (so.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                && spec.get("minReplicaCount") instanceof Number n) {
            return n.intValue();
        }
        return 0;
    }
}
