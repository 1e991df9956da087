package io.sluice.model.flagger;

/** The Flagger API group that Sluice serves. */
public final class Flagger {
    public static final String GROUP = "flagger.app";
    public static final String VERSION = "v1beta1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private Flagger() {}
}
