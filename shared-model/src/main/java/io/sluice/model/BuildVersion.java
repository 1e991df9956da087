package io.sluice.model;

/** The version a service was built as, from its jar's manifest ({@code Implementation-Version}). */
public final class BuildVersion {
    /** What a class reports when it was not loaded from a packaged jar (an IDE, the test class path). */
    public static final String UNPACKAGED = "dev";

    private BuildVersion() {}

    /** The version of the jar {@code type} was loaded from, or {@link #UNPACKAGED}. */
    public static String of(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? UNPACKAGED : version;
    }
}
