package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.Texts;
import io.sluice.analyzer.decision.Workload;
import io.sluice.model.Revisions;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryService;
import io.sluice.model.flagger.Flagger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The objects a Canary owns, built from the target (spec §4.1–4.3, §4.6). Pure: nothing here talks to a server. */
public final class Workloads {
    /** On the primary Deployment: the revision last copied into it, so a lost promotion is noticed and redone. */
    public static final String PROMOTED_REVISION_ANNOTATION = WellKnown.PROMOTED_REVISION_ANNOTATION;

    private Workloads() {}

    /** The selector label key (first of {@code selectorLabels} in the target's matchLabels), or null. */
    public static String selectorKey(Deployment target, List<String> selectorLabels) {
        LabelSelector sel = target.getSpec() == null ? null : target.getSpec().getSelector();
        Map<String, String> match = sel == null ? null : sel.getMatchLabels();
        if (match == null) {
            return null;
        }
        for (String k : selectorLabels) {
            if (match.containsKey(k)) {
                return k;
            }
        }
        return null;
    }

    /** Flagger's error text when no selector label is found. */
    public static String selectorProblem(String target, String ns, List<String> selectorLabels) {
        return Texts.noSelectorLabel(target, ns, selectorLabels);
    }

    /** A controller owner reference to the Canary: garbage collection removes what it owns. */
    public static OwnerReference ownerRef(Canary canary) {
        return new OwnerReferenceBuilder()
                .withApiVersion(Flagger.API_VERSION)
                .withKind("Canary")
                .withName(canary.getMetadata().getName())
                .withUid(canary.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /**
     * {@code owners} with {@code canary}'s reference added when missing: the others are kept as they are, and the new
     * one is the controller only when none is (the API server allows one controller per object). A copy of a config
     * two Canaries' targets share thus has both owners and outlives the deletion of either.
     */
    public static List<OwnerReference> withOwner(List<OwnerReference> owners, Canary canary) {
        List<OwnerReference> out = owners == null ? new ArrayList<>() : new ArrayList<>(owners);
        String uid = canary.getMetadata().getUid();
        if (out.stream().anyMatch(r -> uid != null && uid.equals(r.getUid()))) {
            return out;
        }
        OwnerReference mine = ownerRef(canary);
        if (out.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()))) {
            mine.setController(false);
        }
        out.add(mine);
        return out;
    }

    public static boolean controlledBy(ObjectMeta meta, Canary canary) {
        if (meta.getOwnerReferences() == null) {
            return false;
        }
        return meta.getOwnerReferences().stream()
                .anyMatch(o -> Boolean.TRUE.equals(o.getController())
                        && "Canary".equals(o.getKind())
                        && canary.getMetadata().getName().equals(o.getName()));
    }

    /** The decision's view of a Deployment. */
    public static Workload facts(Deployment d, String revision) {
        DeploymentSpec spec = d.getSpec();
        var st = d.getStatus();
        int specReplicas = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        Integer desired = null;
        Map<String, String> ann = d.getMetadata().getAnnotations();
        if (ann != null && ann.get(WellKnown.DESIRED_REPLICAS_ANNOTATION) != null) {
            try {
                desired = Integer.parseInt(
                        ann.get(WellKnown.DESIRED_REPLICAS_ANNOTATION).trim());
            } catch (NumberFormatException e) {
                desired = null;
            }
        }
        boolean deadline = false;
        Instant unavailableSince = null;
        if (st != null && st.getConditions() != null) {
            for (DeploymentCondition c : st.getConditions()) {
                if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                    deadline = true;
                }
                if ("Available".equals(c.getType())
                        && "False".equals(c.getStatus())
                        && "MinimumReplicasUnavailable".equals(c.getReason())) {
                    unavailableSince = Workload.time(c.getLastUpdateTime());
                }
            }
        }
        long generation =
                d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        return new Workload(
                revision,
                specReplicas,
                desired,
                generation,
                st == null || st.getObservedGeneration() == null ? 0 : st.getObservedGeneration(),
                st == null || st.getUpdatedReplicas() == null ? 0 : st.getUpdatedReplicas(),
                st == null || st.getReplicas() == null ? 0 : st.getReplicas(),
                st == null || st.getAvailableReplicas() == null ? 0 : st.getAvailableReplicas(),
                deadline,
                unavailableSince);
    }

    static Map<String, String> withoutToolkit(Map<String, String> in) {
        Map<String, String> out = new LinkedHashMap<>();
        if (in != null) {
            in.forEach((k, v) -> {
                if (!k.contains(WellKnown.FLUX_TOOLKIT_KEY_PART)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    static Map<String, String> byPrefix(Map<String, String> in, List<String> prefixes) {
        Map<String, String> out = new LinkedHashMap<>();
        withoutToolkit(in).forEach((k, v) -> {
            for (String p : prefixes) {
                if (p.equals("*") || k.startsWith(p)) {
                    out.put(k, v);
                    return;
                }
            }
        });
        return out;
    }

    /** {@code <tgt>-primary}, built from the target's current template. */
    public static Deployment primary(
            Canary canary,
            Deployment target,
            String key,
            String revision,
            Set<String> tracked,
            List<String> includeLabelPrefixes,
            List<String> selectorKeys,
            KubernetesSerialization json) {
        String value = target.getSpec().getSelector().getMatchLabels().get(key);
        Deployment p = new Deployment();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(target.getMetadata().getName() + "-primary");
        meta.setNamespace(target.getMetadata().getNamespace());
        Map<String, String> labels = byPrefix(target.getMetadata().getLabels(), includeLabelPrefixes);
        labels.put(key, value + "-primary");
        meta.setLabels(labels);
        Map<String, String> ann = withoutToolkit(target.getMetadata().getAnnotations());
        ann.remove(WellKnown.DESIRED_REPLICAS_ANNOTATION);
        ann.put(PROMOTED_REVISION_ANNOTATION, revision);
        meta.setAnnotations(ann);
        meta.setOwnerReferences(List.of(ownerRef(canary)));
        p.setMetadata(meta);
        DeploymentSpec spec = new DeploymentSpec();
        int replicas =
                target.getSpec().getReplicas() == null ? 0 : target.getSpec().getReplicas();
        Integer desired = facts(target, revision).desiredReplicas();
        spec.setReplicas(desired != null && desired > 0 ? desired : replicas > 0 ? replicas : 1);
        spec.setSelector(new LabelSelector(null, Map.of(key, value + "-primary")));
        copyRollout(target.getSpec(), spec);
        spec.setTemplate(primaryTemplate(target, key, value, tracked, selectorKeys, json));
        p.setSpec(spec);
        return p;
    }

    /** Copies the target's template and rollout settings into an existing primary: a promotion. */
    public static Deployment promote(
            Deployment primary,
            Deployment target,
            String key,
            String revision,
            Set<String> tracked,
            List<String> includeLabelPrefixes,
            List<String> selectorKeys,
            boolean hasAutoscaler,
            KubernetesSerialization json) {
        String value = target.getSpec().getSelector().getMatchLabels().get(key);
        Deployment p = json.clone(primary);
        copyRollout(target.getSpec(), p.getSpec());
        if (!hasAutoscaler) {
            Integer desired = facts(target, revision).desiredReplicas();
            Integer replicas = target.getSpec().getReplicas();
            p.getSpec()
                    .setReplicas(
                            desired != null && desired > 0
                                    ? desired
                                    : replicas != null && replicas > 0
                                            ? replicas
                                            : p.getSpec().getReplicas());
        }
        p.getSpec().setTemplate(primaryTemplate(target, key, value, tracked, selectorKeys, json));
        Map<String, String> labels = byPrefix(target.getMetadata().getLabels(), includeLabelPrefixes);
        labels.put(key, value + "-primary");
        p.getMetadata().setLabels(labels);
        Map<String, String> ann = byPrefix(target.getMetadata().getAnnotations(), includeLabelPrefixes);
        ann.put(PROMOTED_REVISION_ANNOTATION, revision);
        p.getMetadata().setAnnotations(ann);
        return p;
    }

    /**
     * Whether {@code primary} already runs what promoting {@code target} would copy into it: its pod template equals,
     * by revision, the template {@link #promote} would write, apart from the per-copy id ({@code flagger-id}). Flagger
     * builds a primary's template the same way, so this also recognises a primary that Flagger promoted.
     */
    public static boolean runsTarget(
            Deployment primary,
            Deployment target,
            String key,
            Set<String> tracked,
            List<String> selectorKeys,
            KubernetesSerialization json) {
        if (primary.getSpec() == null
                || primary.getSpec().getTemplate() == null
                || target.getSpec() == null
                || target.getSpec().getTemplate() == null) {
            return false;
        }
        String value = target.getSpec().getSelector().getMatchLabels().get(key);
        PodTemplateSpec copy = primaryTemplate(target, key, value, tracked, selectorKeys, json);
        return withoutCopyId(copy, json).equals(withoutCopyId(primary.getSpec().getTemplate(), json));
    }

    /** The revision of a primary's template without its per-copy id. */
    private static String withoutCopyId(PodTemplateSpec template, KubernetesSerialization json) {
        PodTemplateSpec t = json.clone(template);
        if (t.getMetadata() != null && t.getMetadata().getAnnotations() != null) {
            Map<String, String> ann = new LinkedHashMap<>(t.getMetadata().getAnnotations());
            ann.remove(WellKnown.PRIMARY_ID_ANNOTATION);
            t.getMetadata().setAnnotations(ann);
        }
        return Revisions.ofTemplate(json.asJson(t));
    }

    private static void copyRollout(DeploymentSpec from, DeploymentSpec to) {
        to.setProgressDeadlineSeconds(from.getProgressDeadlineSeconds());
        to.setMinReadySeconds(from.getMinReadySeconds());
        to.setRevisionHistoryLimit(from.getRevisionHistoryLimit());
        to.setStrategy(from.getStrategy());
    }

    private static PodTemplateSpec primaryTemplate(
            Deployment target,
            String key,
            String value,
            Set<String> tracked,
            List<String> selectorKeys,
            KubernetesSerialization json) {
        PodTemplateSpec t = json.clone(target.getSpec().getTemplate());
        if (t.getMetadata() == null) {
            t.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = withoutToolkit(t.getMetadata().getLabels());
        labels.put(key, value + "-primary");
        t.getMetadata().setLabels(labels);
        Map<String, String> ann = withoutToolkit(t.getMetadata().getAnnotations());
        // A fresh id forces a rolling update of the primary even when only referenced configs changed.
        ann.put(WellKnown.PRIMARY_ID_ANNOTATION, UUID.randomUUID().toString());
        t.getMetadata().setAnnotations(ann);
        ConfigTracker.usePrimaryCopies(t.getSpec(), tracked);
        rewriteSpreading(t.getSpec(), target.getMetadata().getName(), selectorKeys);
        return t;
    }

    /**
     * Pod anti-affinity and topology spread of the primary must count the primary's pods, not the canary's: a
     * selector-label value equal to the target's name becomes {@code <name>-primary} (pod affinity is left alone).
     */
    static void rewriteSpreading(
            io.fabric8.kubernetes.api.model.PodSpec pod, String targetName, List<String> selectorKeys) {
        if (pod == null) {
            return;
        }
        List<LabelSelector> selectors = new ArrayList<>();
        var anti = pod.getAffinity() == null ? null : pod.getAffinity().getPodAntiAffinity();
        if (anti != null) {
            if (anti.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
                anti.getRequiredDuringSchedulingIgnoredDuringExecution()
                        .forEach(t -> selectors.add(t.getLabelSelector()));
            }
            if (anti.getPreferredDuringSchedulingIgnoredDuringExecution() != null) {
                anti.getPreferredDuringSchedulingIgnoredDuringExecution().forEach(w -> {
                    if (w.getPodAffinityTerm() != null) {
                        selectors.add(w.getPodAffinityTerm().getLabelSelector());
                    }
                });
            }
        }
        if (pod.getTopologySpreadConstraints() != null) {
            pod.getTopologySpreadConstraints().forEach(c -> selectors.add(c.getLabelSelector()));
        }
        for (LabelSelector sel : selectors) {
            if (sel == null) {
                continue;
            }
            if (sel.getMatchLabels() != null) {
                Map<String, String> labels = new LinkedHashMap<>(sel.getMatchLabels());
                labels.replaceAll((k, v) -> selectorKeys.contains(k) && targetName.equals(v) ? v + "-primary" : v);
                sel.setMatchLabels(labels);
            }
            if (sel.getMatchExpressions() != null) {
                for (var e : sel.getMatchExpressions()) {
                    if (selectorKeys.contains(e.getKey()) && e.getValues() != null) {
                        List<String> values = new ArrayList<>(e.getValues());
                        int i = values.indexOf(targetName);
                        if (i >= 0) {
                            values.set(i, targetName + "-primary");
                        }
                        e.setValues(values);
                    }
                }
            }
        }
    }

    /**
     * The three Services (§4.2): apex and primary select the primary's pods, canary the target's. Labels: the
     * Canary's custom ones for that Service, then {@code <key>: <name>}.
     */
    public static Service service(
            Canary canary, String name, String key, String selectorValue, CanaryService.CustomMetadata extra) {
        return service(canary, name, key, selectorValue, extra, Map.of());
    }

    /** Service port names of the sidecars {@code service.portDiscovery} leaves out, as Flagger does. */
    private static final Set<String> SIDECARS = Set.of("istio-proxy", "envoy");

    /**
     * The ports {@code service.portDiscovery} adds to the Services: every container port of {@code target}'s pod
     * template except the main one (the target port: by number, or by name when it is a name) and the sidecars',
     * named by the port's name or {@code tcp-<container>-<index>}, in name order (Flagger's order is a Go map's,
     * random per reconcile; a fixed one keeps the Services from being rewritten). Empty when discovery is off.
     */
    public static Map<String, Integer> discoveredPorts(Canary canary, Deployment target) {
        CanaryService svc = canary.getSpec().service;
        Map<String, Integer> ports = new java.util.TreeMap<>();
        if (svc == null || !Boolean.TRUE.equals(svc.portDiscovery) || target == null) {
            return ports;
        }
        IntOrString main = CanaryDefaults.targetPort(svc);
        var pod = target.getSpec() == null || target.getSpec().getTemplate() == null
                ? null
                : target.getSpec().getTemplate().getSpec();
        if (pod == null || pod.getContainers() == null) {
            return ports;
        }
        for (var container : pod.getContainers()) {
            if (SIDECARS.contains(container.getName()) || container.getPorts() == null) {
                continue;
            }
            for (int i = 0; i < container.getPorts().size(); i++) {
                var p = container.getPorts().get(i);
                boolean isMain = main.getStrVal() != null
                        ? main.getStrVal().equals(p.getName())
                        : java.util.Objects.equals(main.getIntVal(), p.getContainerPort());
                if (isMain || p.getContainerPort() == null) {
                    continue;
                }
                String portName = p.getName() == null || p.getName().isEmpty()
                        ? "tcp-" + container.getName() + "-" + i
                        : p.getName();
                ports.put(portName, p.getContainerPort());
            }
        }
        return ports;
    }

    /** A Service with {@code discovered} ports after the main one ({@link #discoveredPorts}). */
    public static Service service(
            Canary canary,
            String name,
            String key,
            String selectorValue,
            CanaryService.CustomMetadata extra,
            Map<String, Integer> discovered) {
        CanaryService svc = canary.getSpec().service;
        Map<String, String> labels = new LinkedHashMap<>();
        if (extra != null && extra.labels != null) {
            labels.putAll(extra.labels);
        }
        // Last, as Flagger sets it: a custom label of the same key never overrides the selector label.
        labels.put(key, name);
        Map<String, String> ann = withoutToolkit(extra == null ? null : extra.annotations);
        ServicePortBuilder port = new ServicePortBuilder()
                .withName(CanaryDefaults.portName(svc))
                .withProtocol("TCP")
                .withPort(svc.port)
                .withTargetPort(targetPort(svc));
        if (svc.appProtocol != null && !svc.appProtocol.isEmpty()) {
            port.withAppProtocol(svc.appProtocol);
        }
        ServiceBuilder b = new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(canary.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(ann)
                .withOwnerReferences(ownerRef(canary))
                .endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Map.of(key, selectorValue))
                .withPorts(port.build())
                .endSpec();
        Service s = b.build();
        discovered.forEach((portName, number) -> s.getSpec()
                .getPorts()
                .add(new ServicePortBuilder()
                        .withName(portName)
                        .withProtocol("TCP")
                        .withPort(number)
                        .withTargetPort(new IntOrString(number))
                        .build()));
        if (Boolean.TRUE.equals(svc.headless)) {
            s.getSpec().setClusterIP("None");
        }
        if (svc.trafficDistribution != null) {
            s.getSpec().setTrafficDistribution(svc.trafficDistribution);
        }
        return s;
    }

    private static IntOrString targetPort(CanaryService svc) {
        return CanaryDefaults.targetPort(svc);
    }

    /**
     * The live Service brought in line with {@code desired}, or null when nothing differs. Ports and selector are
     * always ours; labels and annotations only when this Canary controls the Service, keeping unmanaged keys.
     */
    public static Service merge(Service live, Service desired, Canary canary) {
        Service out = new ServiceBuilder(live).build();
        boolean changed = false;
        if (!samePorts(live.getSpec().getPorts(), desired.getSpec().getPorts())) {
            List<ServicePort> ports = new ArrayList<>();
            for (ServicePort d : desired.getSpec().getPorts()) {
                ServicePort np = new ServicePortBuilder(d).build();
                if (live.getSpec().getPorts() != null) {
                    live.getSpec().getPorts().stream()
                            .filter(l -> d.getName().equals(l.getName()))
                            .findFirst()
                            .ifPresent(l -> np.setNodePort(l.getNodePort()));
                }
                ports.add(np);
            }
            out.getSpec().setPorts(ports);
            changed = true;
        }
        if (!desired.getSpec().getSelector().equals(live.getSpec().getSelector())) {
            out.getSpec().setSelector(desired.getSpec().getSelector());
            changed = true;
        }
        if (controlledBy(live.getMetadata(), canary)) {
            CanaryService.UnmanagedMetadata keep = canary.getSpec().service.unmanagedMetadata;
            Map<String, String> labels = keepUnmanaged(
                    desired.getMetadata().getLabels(),
                    live.getMetadata().getLabels(),
                    keep == null ? null : keep.labels);
            Map<String, String> ann = keepUnmanaged(
                    desired.getMetadata().getAnnotations(),
                    live.getMetadata().getAnnotations(),
                    keep == null ? null : keep.annotations);
            if (!labels.equals(nz(live.getMetadata().getLabels()))) {
                out.getMetadata().setLabels(labels);
                changed = true;
            }
            if (!ann.equals(nz(live.getMetadata().getAnnotations()))) {
                out.getMetadata().setAnnotations(ann);
                changed = true;
            }
        }
        return changed ? out : null;
    }

    private static Map<String, String> nz(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static Map<String, String> keepUnmanaged(
            Map<String, String> desired, Map<String, String> live, List<String> unmanaged) {
        Map<String, String> out = new LinkedHashMap<>(nz(desired));
        if (unmanaged != null && live != null) {
            for (String k : unmanaged) {
                if (live.containsKey(k)) {
                    out.put(k, live.get(k));
                }
            }
        }
        return out;
    }

    private static boolean samePorts(List<ServicePort> a, List<ServicePort> b) {
        if (a == null || b == null || a.size() != b.size()) {
            return false;
        }
        for (ServicePort d : b) {
            boolean found = a.stream()
                    .anyMatch(l -> java.util.Objects.equals(l.getName(), d.getName())
                            && java.util.Objects.equals(l.getPort(), d.getPort())
                            && java.util.Objects.equals(l.getTargetPort(), d.getTargetPort())
                            && java.util.Objects.equals(l.getAppProtocol(), d.getAppProtocol()));
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /**
     * The live primary autoscaler brought in line with {@code desired} (see {@link #primaryHpa}) and the target's
     * {@code original} as Flagger updates it: spec, and the original's labels and annotations filtered by
     * {@code includeLabelPrefixes}; null when nothing differs.
     */
    public static HorizontalPodAutoscaler primaryHpaUpdate(
            HorizontalPodAutoscaler live,
            HorizontalPodAutoscaler desired,
            HorizontalPodAutoscaler original,
            List<String> includeLabelPrefixes,
            KubernetesSerialization json) {
        Map<String, String> labels = byPrefix(original.getMetadata().getLabels(), includeLabelPrefixes);
        Map<String, String> annotations = byPrefix(original.getMetadata().getAnnotations(), includeLabelPrefixes);
        if (json.asJson(live.getSpec()).equals(json.asJson(desired.getSpec()))
                && labels.equals(nz(live.getMetadata().getLabels()))
                && annotations.equals(nz(live.getMetadata().getAnnotations()))) {
            return null;
        }
        HorizontalPodAutoscaler next = json.clone(live);
        next.setSpec(desired.getSpec());
        next.getMetadata().setLabels(labels);
        next.getMetadata().setAnnotations(annotations);
        return next;
    }

    /**
     * {@code <hpa>-primary}, scaling the primary with the target autoscaler's bounds and metrics (§4.3); created with
     * the original's labels (annotations and prefix-filtered labels come with the first update, as in Flagger).
     */
    public static HorizontalPodAutoscaler primaryHpa(
            Canary canary, HorizontalPodAutoscaler original, KubernetesSerialization json) {
        HorizontalPodAutoscaler h = new HorizontalPodAutoscaler();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(original.getMetadata().getName() + "-primary");
        meta.setNamespace(original.getMetadata().getNamespace());
        meta.setLabels(withoutToolkit(original.getMetadata().getLabels()));
        meta.setOwnerReferences(List.of(ownerRef(canary)));
        h.setMetadata(meta);
        HorizontalPodAutoscalerSpec spec = json.clone(original.getSpec());
        spec.getScaleTargetRef().setName(canary.getSpec().targetRef.name + "-primary");
        var overrides = canary.getSpec().autoscalerRef.primaryScalerReplicas;
        if (overrides != null && overrides.minReplicas != null) {
            spec.setMinReplicas(overrides.minReplicas);
        }
        if (overrides != null && overrides.maxReplicas != null) {
            spec.setMaxReplicas(overrides.maxReplicas);
        }
        h.setSpec(spec);
        return h;
    }
}
