package io.sluice.analyzer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.analyzer.decision.FlaggerStatus;
import io.sluice.analyzer.decision.NoDataPolicy;
import io.sluice.analyzer.decision.Observations;
import io.sluice.analyzer.decision.ProgressBudget;
import io.sluice.analyzer.decision.Texts;
import io.sluice.analyzer.kube.ConfigTracker;
import io.sluice.analyzer.kube.GlooRouter;
import io.sluice.analyzer.kube.Kube;
import io.sluice.analyzer.kube.ScaledObjects;
import io.sluice.analyzer.kube.Workloads;
import io.sluice.model.WellKnown;
import io.sluice.model.flagger.Canary;
import io.sluice.model.gloo.RouteTable;
import io.sluice.model.validation.CanaryValidator;
import io.sluice.model.validation.CrossNamespaceRefs;
import io.sluice.model.validation.Violation;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads, once, everything one decision about a Canary needs: the target, primary, tracked configs, autoscaler and
 * RouteTables (from the caches where there are caches), plus whether the spec is valid and whether an older Canary
 * already manages the same target. A Canary that must not act is read no further, so it costs no API call.
 */
final class Gatherer {
    private final Kube kube;
    private final ClusterView view;
    private final KubernetesSerialization json;
    private final Settings settings;
    private Function<Canary, List<Canary>> siblings = c -> List.of();
    private java.util.function.Supplier<List<Canary>> all = List::of;
    private NamespaceCaps namespaceCaps = NamespaceCaps.none();
    private final StartedRuns started;

    Gatherer(Kube kube, ClusterView view, Settings settings, StartedRuns started) {
        this.kube = kube;
        this.started = started;
        this.view = view;
        this.json = kube.serialization();
        this.settings = settings;
    }

    /** Where the Canaries that may share a target come from (the informer's store). */
    void siblings(Function<Canary, List<Canary>> lookup) {
        this.siblings = lookup;
    }

    /** Where every Canary comes from (the informer's store), for the concurrency budget. */
    void all(java.util.function.Supplier<List<Canary>> lookup) {
        this.all = lookup;
    }

    /** Where the namespaces' caps of the concurrency budget come from (the Namespace cache). */
    void namespaceCaps(NamespaceCaps caps) {
        this.namespaceCaps = caps;
    }

    /** Where {@code canary} stands under the concurrency budget, from the statuses of all Canaries. */
    ProgressBudget.Standing standing(Canary canary) {
        String self = Controller.key(canary);
        String ns = canary.getMetadata().getNamespace();
        int cluster = settings.maxProgressingCanaries();
        if (cluster <= 0 && namespaceCaps.of(ns) <= 0) {
            return ProgressBudget.Standing.FREE;
        }
        ProgressBudget.Entry me = ProgressBudget.Entry.of(self, canary.getStatus());
        List<ProgressBudget.Entry> others = all.get().stream()
                .filter(Coexistence::ours)
                .filter(c -> !Controller.key(c).equals(self))
                .map(c -> started.count(c, entry(c)))
                .toList();
        Set<String> namespaces = new HashSet<>();
        namespaces.add(ns);
        if (cluster > 0) {
            // Another namespace's cap decides whether its waiters hold places in the cluster's queue.
            others.forEach(e -> namespaces.add(e.namespace()));
        }
        return ProgressBudget.standing(self, me.queuedSince(), others, namespaceCaps.caps(cluster, namespaces));
    }

    private static ProgressBudget.Entry entry(Canary c) {
        boolean suspended = c.getSpec() != null && Boolean.TRUE.equals(c.getSpec().suspend);
        return ProgressBudget.Entry.of(Controller.key(c), suspended, c.getStatus());
    }

    Future<Snapshot> gather(Canary canary, boolean due) {
        Observations.Builder obs = Observations.builder(
                        canary.getMetadata().getName(), canary.getMetadata().getNamespace())
                .generation(
                        canary.getMetadata().getGeneration() == null
                                ? 0
                                : canary.getMetadata().getGeneration())
                .deleting(canary.getMetadata().getDeletionTimestamp() != null)
                .hasFinalizer(canary.getMetadata().getFinalizers() != null
                        && canary.getMetadata().getFinalizers().contains(WellKnown.FINALIZER))
                .analysisDue(due)
                .flaggerStatus(FlaggerStatus.written(canary.getStatus()))
                .requestAnnotation(annotations(canary).get(WellKnown.REQUEST_ANNOTATION))
                .standing(standing(canary));
        Canary older = olderOnSameTarget(canary);
        if (older != null) {
            return Future.succeededFuture(
                    Snapshot.blocked(canary, obs.olderOnTarget(older.key()).build()));
        }
        List<Violation> invalid = new ArrayList<>(CanaryValidator.validate(canary));
        if (settings.noCrossNamespaceRefs()) {
            // Canaries admitted before the flag was set, or while the webhook was not in the way, halt here.
            invalid.addAll(CrossNamespaceRefs.violations(canary));
        }
        if (!invalid.isEmpty()) {
            List<String> texts = invalid.stream().map(Violation::toString).toList();
            return Future.succeededFuture(
                    Snapshot.blocked(canary, obs.specViolations(texts).build()));
        }
        String annotation = annotations(canary).get(WellKnown.NO_DATA_POLICY_ANNOTATION);
        obs.noDataAnnotation(annotation)
                .noDataPolicy(NoDataPolicy.resolve(annotation, settings.noDataPolicy()))
                .noDataDeadline(settings.noDataDeadline());
        String ns = canary.getMetadata().getNamespace();
        String tgt = canary.getSpec().targetRef.name;
        return view.deploymentRead(ns, tgt).compose(read -> {
            Deployment target = read.deployment();
            String revision = read.revision();
            String key = target == null ? null : Workloads.selectorKey(target, settings.selectorLabels());
            String problem = target != null && key == null
                    ? Workloads.selectorProblem(tgt, ns, settings.selectorLabels())
                    : null;
            return view.deployment(ns, tgt + "-primary")
                    .compose(primary -> tracked(target, ns)
                            .compose(configs -> autoscaler(canary)
                                    .compose(scaler -> routes(canary).map(rt -> {
                                        obs.target(target == null ? null : Workloads.facts(target, revision))
                                                .targetProblem(firstOf(
                                                        problem, configs.problem(), autoscalerProblem(canary, scaler)))
                                                .primary(
                                                        primary == null
                                                                ? null
                                                                : Workloads.facts(
                                                                        primary,
                                                                        primaryRevision(
                                                                                primary,
                                                                                target,
                                                                                revision,
                                                                                key,
                                                                                configs.objects())))
                                                .trackedConfigs(configs.checksums())
                                                .hpaMinReplicas(scaler.minReplicas())
                                                .routes(GlooRouter.observe(
                                                        canary,
                                                        rt.where(),
                                                        rt.delegate(),
                                                        settings.waitForRouteAcceptance()));
                                        return new Snapshot(
                                                canary,
                                                target,
                                                revision,
                                                key,
                                                primary,
                                                scaler.hpa(),
                                                scaler.scaledObject(),
                                                rt.parent(),
                                                rt.where(),
                                                rt.delegate(),
                                                configs.objects(),
                                                obs.build());
                                    }))));
        });
    }

    private static Map<String, String> annotations(Canary canary) {
        Map<String, String> a = canary.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    /**
     * The Canary created first (then by name) among others in its namespace that target the same workload, when it is
     * not this one: two Canaries driving one Deployment would fight over its replicas and the routes. Another
     * provider's Canary is not Sluice's to weigh against: it is left out.
     */
    private Canary olderOnSameTarget(Canary canary) {
        if (canary.getMetadata().getDeletionTimestamp() != null
                || canary.getSpec() == null
                || canary.getSpec().targetRef == null) {
            return null;
        }
        Comparator<Canary> age = Comparator.comparing(
                        (Canary c) -> Objects.toString(c.getMetadata().getCreationTimestamp(), "~"))
                .thenComparing(c -> c.getMetadata().getName());
        return siblings.apply(canary).stream()
                .filter(Coexistence::ours)
                .filter(c -> c.getSpec() != null
                        && c.getSpec().targetRef != null
                        && Objects.equals(
                                c.getMetadata().getNamespace(),
                                canary.getMetadata().getNamespace())
                        && Objects.equals(c.getSpec().targetRef.name, canary.getSpec().targetRef.name)
                        && Objects.equals(c.getSpec().targetRef.kind, canary.getSpec().targetRef.kind)
                        && !Objects.equals(
                                c.getMetadata().getName(), canary.getMetadata().getName()))
                .filter(c -> age.compare(c, canary) < 0)
                .min(age)
                .orElse(null);
    }

    /**
     * The revision the primary runs: the one Sluice recorded on it at its last copy; for a primary without that record
     * (Flagger created or promoted it), the target's revision when the primary's template is what promoting the target
     * would copy (see {@link Workloads#runsTarget}), else unknown (null).
     */
    private String primaryRevision(
            Deployment primary, Deployment target, String targetRevision, String key, List<HasMetadata> tracked) {
        Map<String, String> a = primary.getMetadata().getAnnotations();
        String recorded = a == null ? null : a.get(Workloads.PROMOTED_REVISION_ANNOTATION);
        if (recorded != null || target == null || key == null) {
            return recorded;
        }
        boolean same = Workloads.runsTarget(
                primary, target, key, ConfigTracker.keys(tracked), settings.selectorLabels(), json);
        return same ? targetRevision : null;
    }

    private record Configs(Map<String, String> checksums, List<HasMetadata> objects, String problem) {}

    private Future<Configs> tracked(Deployment target, String ns) {
        if (!settings.configTracking()
                || target == null
                || target.getSpec() == null
                || target.getSpec().getTemplate() == null) {
            return Future.succeededFuture(new Configs(Map.of(), List.of(), null));
        }
        List<ConfigTracker.Ref> refs =
                ConfigTracker.scan(target.getSpec().getTemplate().getSpec());
        Map<String, String> sums = new LinkedHashMap<>();
        List<HasMetadata> objects = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (ConfigTracker.Ref ref : refs) {
            chain = chain.compose(v -> {
                if (ref.kind().equals("configmap")) {
                    return kube.configMapOf(ns, ref.name()).map(cm -> {
                        if (cm == null) {
                            if (!ref.optional()) {
                                missing.add(Texts.configNotFound("configmap", ref.name(), ns));
                            }
                        } else if (!ConfigTracker.disabled(cm)) {
                            sums.put(ref.key(), ConfigTracker.checksum(cm));
                            objects.add(cm);
                        }
                        return null;
                    });
                }
                return kube.secretOf(ns, ref.name()).map(s -> {
                    if (s == null) {
                        if (!ref.optional()) {
                            missing.add(Texts.configNotFound("secret", ref.name(), ns));
                        }
                    } else if (!ConfigTracker.disabled(s) && ConfigTracker.trackable(s)) {
                        sums.put(ref.key(), ConfigTracker.checksum(s));
                        objects.add(s);
                    }
                    return null;
                });
            });
        }
        return chain.map(v -> new Configs(sums, objects, missing.isEmpty() ? null : String.join("; ", missing)));
    }

    private static String firstOf(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** The target's autoscaler as {@code autoscalerRef} names it: an HPA, a KEDA ScaledObject, or neither. */
    private record Scaler(HorizontalPodAutoscaler hpa, GenericKubernetesResource scaledObject) {
        static final Scaler NONE = new Scaler(null, null);

        /** The minimum the canary is scaled up to (null: no autoscaler to go by). */
        Integer minReplicas() {
            if (scaledObject != null) {
                return ScaledObjects.minReplicaCount(scaledObject);
            }
            return hpa == null || hpa.getSpec() == null ? null : hpa.getSpec().getMinReplicas();
        }
    }

    /**
     * Flagger's error when {@code autoscalerRef} names an HPA or a ScaledObject that does not exist: the Canary halts
     * on it (nothing created, the run does not move) until the autoscaler exists or the reference goes.
     */
    private static String autoscalerProblem(Canary canary, Scaler scaler) {
        var ref = canary.getSpec().autoscalerRef;
        String ns = canary.getMetadata().getNamespace();
        if (ref == null) {
            return null;
        }
        if ("HorizontalPodAutoscaler".equals(ref.kind) && scaler.hpa() == null) {
            return Texts.autoscalerMissing(ref.name, ns);
        }
        if (ScaledObjects.KIND.equals(ref.kind) && scaler.scaledObject() == null) {
            return Texts.scaledObjectMissing(ref.name, ns);
        }
        return null;
    }

    private Future<Scaler> autoscaler(Canary canary) {
        var ref = canary.getSpec().autoscalerRef;
        String ns = canary.getMetadata().getNamespace();
        if (ref != null && "HorizontalPodAutoscaler".equals(ref.kind)) {
            return kube.hpa(ns, ref.name).map(h -> new Scaler(h, null));
        }
        if (ref != null && ScaledObjects.KIND.equals(ref.kind)) {
            return kube.scaledObject(ns, ref.name).map(so -> new Scaler(null, so));
        }
        return Future.succeededFuture(Scaler.NONE);
    }

    private record RouteRead(RouteTable parent, GlooRouter.Delegate where, RouteTable delegate) {}

    private Future<RouteRead> routes(Canary canary) {
        var ref = canary.getSpec().routeTableRef;
        Future<RouteTable> parent = ref == null || ref.name == null
                ? Future.succeededFuture(null)
                : view.routeTable(GlooRouter.parentNamespace(canary), ref.name);
        return parent.compose(p -> {
            GlooRouter.Delegate where = GlooRouter.resolve(canary, p);
            if (where.problem() != null) {
                return Future.succeededFuture(new RouteRead(p, where, null));
            }
            return view.routeTable(where.namespace(), where.name()).map(d -> new RouteRead(p, where, d));
        });
    }
}
