package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.sluice.model.WellKnown;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * ConfigMaps and Secrets a pod template uses (spec §2.5): which ones, their checksums, and the pod spec rewritten
 * to use the {@code -primary} copies.
 */
public final class ConfigTracker {
    static final Set<String> TRACKED_SECRET_TYPES =
            Set.of("Opaque", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth", "kubernetes.io/tls");

    private ConfigTracker() {}

    /** A reference from a pod template; {@code kind} is {@code configmap} or {@code secret}. */
    public record Ref(String kind, String name, boolean optional) {
        /** The status key, {@code configmap/<name>} or {@code secret/<name>}. */
        public String key() {
            return kind + "/" + name;
        }
    }

    /** Every ConfigMap and Secret reference in {@code pod}, deduplicated; mandatory wins over optional. */
    public static List<Ref> scan(PodSpec pod) {
        Map<String, Ref> refs = new LinkedHashMap<>();
        if (pod == null) {
            return List.of();
        }
        if (pod.getVolumes() != null) {
            for (Volume v : pod.getVolumes()) {
                if (v.getConfigMap() != null) {
                    add(
                            refs,
                            "configmap",
                            v.getConfigMap().getName(),
                            v.getConfigMap().getOptional());
                }
                if (v.getSecret() != null) {
                    add(
                            refs,
                            "secret",
                            v.getSecret().getSecretName(),
                            v.getSecret().getOptional());
                }
                if (v.getProjected() != null && v.getProjected().getSources() != null) {
                    for (VolumeProjection p : v.getProjected().getSources()) {
                        if (p.getConfigMap() != null) {
                            add(
                                    refs,
                                    "configmap",
                                    p.getConfigMap().getName(),
                                    p.getConfigMap().getOptional());
                        }
                        if (p.getSecret() != null) {
                            add(
                                    refs,
                                    "secret",
                                    p.getSecret().getName(),
                                    p.getSecret().getOptional());
                        }
                    }
                }
            }
        }
        for (Container c : allContainers(pod)) {
            if (c.getEnv() != null) {
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                        add(
                                refs,
                                "configmap",
                                e.getValueFrom().getConfigMapKeyRef().getName(),
                                e.getValueFrom().getConfigMapKeyRef().getOptional());
                    }
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        add(
                                refs,
                                "secret",
                                e.getValueFrom().getSecretKeyRef().getName(),
                                e.getValueFrom().getSecretKeyRef().getOptional());
                    }
                }
            }
            if (c.getEnvFrom() != null) {
                for (EnvFromSource e : c.getEnvFrom()) {
                    if (e.getConfigMapRef() != null) {
                        add(
                                refs,
                                "configmap",
                                e.getConfigMapRef().getName(),
                                e.getConfigMapRef().getOptional());
                    }
                    if (e.getSecretRef() != null) {
                        add(
                                refs,
                                "secret",
                                e.getSecretRef().getName(),
                                e.getSecretRef().getOptional());
                    }
                }
            }
        }
        return List.copyOf(refs.values());
    }

    private static void add(Map<String, Ref> refs, String kind, String name, Boolean optional) {
        if (name == null || name.isEmpty()) {
            return;
        }
        boolean opt = Boolean.TRUE.equals(optional);
        refs.merge(
                kind + "/" + name,
                new Ref(kind, name, opt),
                (a, b) -> new Ref(kind, name, a.optional() && b.optional()));
    }

    /** The status keys ({@code configmap/<name>}, {@code secret/<name>}) of the tracked objects as read. */
    public static Set<String> keys(List<? extends HasMetadata> tracked) {
        Set<String> keys = new java.util.HashSet<>();
        for (HasMetadata o : tracked) {
            keys.add((o instanceof ConfigMap ? "configmap/" : "secret/")
                    + o.getMetadata().getName());
        }
        return keys;
    }

    /** True when the object opted out of tracking with {@code flagger.app/config-tracking: disabled}. */
    public static boolean disabled(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(WellKnown.CONFIG_TRACKING_ANNOTATION);
        return v != null && v.startsWith("disable");
    }

    /** Whether a Secret of this type is tracked at all. */
    public static boolean trackable(Secret s) {
        String type = s.getType() == null || s.getType().isEmpty() ? "Opaque" : s.getType();
        return TRACKED_SECRET_TYPES.contains(type);
    }

    /** Hex of the first 8 bytes of SHA-256 over the data, keys sorted. */
    public static String checksum(ConfigMap cm) {
        Map<String, String> all = new TreeMap<>();
        if (cm.getData() != null) {
            all.putAll(cm.getData());
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, v) -> all.put("binary:" + k, v));
        }
        return checksum(all);
    }

    public static String checksum(Secret s) {
        Map<String, String> all = new TreeMap<>();
        if (s.getData() != null) {
            all.putAll(s.getData());
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> all.put("string:" + k, v));
        }
        return checksum(all);
    }

    private static String checksum(Map<String, String> sorted) {
        StringBuilder text = new StringBuilder();
        sorted.forEach((k, v) -> text.append(k.length())
                .append(':')
                .append(k)
                .append(v.length())
                .append(':')
                .append(v));
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Renames every reference to a tracked object (by status key) to its {@code -primary} copy, in place. */
    public static void usePrimaryCopies(PodSpec pod, Set<String> tracked) {
        if (pod == null || tracked.isEmpty()) {
            return;
        }
        UnaryOperator<String> cm = n -> tracked.contains("configmap/" + n) ? n + "-primary" : n;
        UnaryOperator<String> sec = n -> tracked.contains("secret/" + n) ? n + "-primary" : n;
        if (pod.getVolumes() != null) {
            for (Volume v : pod.getVolumes()) {
                if (v.getConfigMap() != null) {
                    v.getConfigMap().setName(cm.apply(v.getConfigMap().getName()));
                }
                if (v.getSecret() != null) {
                    v.getSecret().setSecretName(sec.apply(v.getSecret().getSecretName()));
                }
                if (v.getProjected() != null && v.getProjected().getSources() != null) {
                    for (VolumeProjection p : v.getProjected().getSources()) {
                        if (p.getConfigMap() != null) {
                            p.getConfigMap().setName(cm.apply(p.getConfigMap().getName()));
                        }
                        if (p.getSecret() != null) {
                            p.getSecret().setName(sec.apply(p.getSecret().getName()));
                        }
                    }
                }
            }
        }
        for (Container c : allContainers(pod)) {
            if (c.getEnv() != null) {
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                        e.getValueFrom()
                                .getConfigMapKeyRef()
                                .setName(cm.apply(
                                        e.getValueFrom().getConfigMapKeyRef().getName()));
                    }
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        e.getValueFrom()
                                .getSecretKeyRef()
                                .setName(sec.apply(
                                        e.getValueFrom().getSecretKeyRef().getName()));
                    }
                }
            }
            if (c.getEnvFrom() != null) {
                for (EnvFromSource e : c.getEnvFrom()) {
                    if (e.getConfigMapRef() != null) {
                        e.getConfigMapRef().setName(cm.apply(e.getConfigMapRef().getName()));
                    }
                    if (e.getSecretRef() != null) {
                        e.getSecretRef().setName(sec.apply(e.getSecretRef().getName()));
                    }
                }
            }
        }
    }

    /** Containers and init containers: both can reference tracked configs. */
    private static List<Container> allContainers(PodSpec pod) {
        List<Container> containers = new ArrayList<>();
        if (pod.getContainers() != null) {
            containers.addAll(pod.getContainers());
        }
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        return containers;
    }
}
