package io.sluice.model;

/** Label, annotation and finalizer keys Sluice reads or writes. */
public final class WellKnown {
    private WellKnown() {
    }

    /** On a target Deployment: the replica count its owner (Git, a user) asked for, kept by the admission webhook. */
    public static final String DESIRED_REPLICAS_ANNOTATION = "sluice.io/desired-replicas";

    /** On a ConfigMap or Secret: a value starting with {@code disable} turns config tracking off for it. */
    public static final String CONFIG_TRACKING_ANNOTATION = "flagger.app/config-tracking";

    /** Set on the primary's pod template at every promotion, to force a rolling update. */
    public static final String PRIMARY_ID_ANNOTATION = "flagger-id";

    /** Per-Canary override of the no-data policy of the metric gates ({@code fail} or {@code hold}). */
    public static final String NO_DATA_POLICY_ANNOTATION = "sluice.io/no-data-policy";

    /** Finalizer added when {@code spec.revertOnDeletion} is set. */
    public static final String FINALIZER = "finalizer.flagger.app";

    /** Keys containing this are never copied from the target to generated objects. */
    public static final String FLUX_TOOLKIT_KEY_PART = "toolkit.fluxcd.io";

    /** Default selector label keys, in the order they are tried. */
    public static final java.util.List<String> DEFAULT_SELECTOR_LABELS =
            java.util.List.of("app", "name", "app.kubernetes.io/name");

    /** The provider value for Gloo Mesh routing. */
    public static final String PROVIDER_GLOO_MESH = "gloo-mesh";

    /** The route Sluice owns in the delegate RouteTable. */
    public static final String WEIGHTED_ROUTE = "weighted-route";
}
