package io.sluice.model;

/** Label, annotation and finalizer keys Sluice reads or writes. */
public final class WellKnown {
    private WellKnown() {}

    /** On a target Deployment: the replica count its owner (Git, a user) asked for, kept by the admission webhook. */
    public static final String DESIRED_REPLICAS_ANNOTATION = "sluice.io/desired-replicas";

    /** On a ConfigMap or Secret: a value starting with {@code disable} turns config tracking off for it. */
    public static final String CONFIG_TRACKING_ANNOTATION = "flagger.app/config-tracking";

    /** Set on the primary's pod template at every promotion, to force a rolling update. */
    public static final String PRIMARY_ID_ANNOTATION = "flagger-id";

    /** Per-Canary override of the no-data policy of the metric gates ({@code fail} or {@code hold}). */
    public static final String NO_DATA_POLICY_ANNOTATION = "sluice.io/no-data-policy";

    /** Per-Canary cluster name for the metric queries' {@code destination_cluster} filter. */
    public static final String CLUSTER_NAME_ANNOTATION = "sluice.io/cluster-name";

    /** Per-Canary minimum request count below which a builtin metric reads as "no data". */
    public static final String MIN_REQUESTS_ANNOTATION = "sluice.io/min-requests";

    /** On the {@code New revision detected!} Event: the revision, user and source that started the run. */
    public static final String EVENT_REVISION_ANNOTATION = "sluice.io/revision";

    public static final String EVENT_USER_ANNOTATION = "sluice.io/user";
    public static final String EVENT_SOURCE_ANNOTATION = "sluice.io/source";

    /** On the primary Deployment: the revision last promoted into it. */
    public static final String PROMOTED_REVISION_ANNOTATION = "sluice.io/promoted-revision";

    /** Finalizer added when {@code spec.revertOnDeletion} is set. */
    public static final String FINALIZER = "finalizer.flagger.app";

    /** Keys containing this are never copied from the target to generated objects. */
    public static final String FLUX_TOOLKIT_KEY_PART = "toolkit.fluxcd.io";

    /** Default selector label keys, in the order they are tried. */
    public static final java.util.List<String> DEFAULT_SELECTOR_LABELS =
            java.util.List.of("app", "name", "app.kubernetes.io/name");

    /**
     * On a Namespace: how many of its Canaries may progress at once (a non-negative integer; 0 or none: no cap of its
     * own), on top of the analyzer's cluster-wide {@code --max-progressing-canaries}.
     */
    public static final String MAX_PROGRESSING_ANNOTATION = "sluice.io/max-progressing-canaries";

    /** On a Canary: a runtime request, {@code <action>} or {@code <action>@<revision>} (see RuntimeRequest). */
    public static final String REQUEST_ANNOTATION = "sluice.io/request";

    /**
     * On a Canary: any value; changing it makes a repeated, otherwise identical request a new one (the plugin sets a
     * fresh one with every request).
     */
    public static final String REQUEST_ID_ANNOTATION = "sluice.io/request-id";

    /** The field manager of the {@code kubectl sluice} plugin, which admission records as the source. */
    public static final String PLUGIN_FIELD_MANAGER = "kubectl-sluice";

    /** The provider value for Gloo Mesh routing. */
    public static final String PROVIDER_GLOO_MESH = "gloo-mesh";

    /** The route Sluice owns in the delegate RouteTable. */
    public static final String WEIGHTED_ROUTE = "weighted-route";
}
