package io.sluice.analyzer;

import io.sluice.model.gloo.RouteTable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delegate RouteTables this process wrote, by the resourceVersion each write was answered with, until the watch
 * event of that version arrives. That event is the echo of the write: nobody else changed the table, the reconcile
 * that wrote it already knows what it holds, and reconciling its Canary again would read, decide and compare
 * everything once more for nothing. At 1,000 and 10,000 Canaries stepping every tick, those echoes were about one
 * reconcile in two. A change by anyone else (Gloo Mesh's status, a user's edit) comes with another version and is
 * reconciled as before.
 */
final class OwnRouteWrites {
    private final Map<String, String> written = new ConcurrentHashMap<>();

    private static String key(RouteTable rt) {
        return rt.getMetadata().getNamespace() + "/" + rt.getMetadata().getName();
    }

    /** Records {@code answered}, what a create or update of a RouteTable returned; returns it. */
    RouteTable wrote(RouteTable answered) {
        if (answered != null && answered.getMetadata() != null) {
            wrote(
                    answered.getMetadata().getNamespace(),
                    answered.getMetadata().getName(),
                    answered.getMetadata().getResourceVersion());
        }
        return answered;
    }

    /** Records that the write of {@code ns/name} was answered with {@code version} (nothing when null). */
    String wrote(String ns, String name, String version) {
        if (version != null) {
            written.put(ns + "/" + name, version);
        }
        return version;
    }

    /**
     * Whether {@code seen}, from a RouteTable's watch event, is the version this process wrote last. The write is
     * forgotten once its version or a newer one was seen, so each write silences one event at most and the memory
     * holds only writes whose event is still on its way.
     */
    boolean isEcho(RouteTable seen) {
        if (seen.getMetadata() == null) {
            return false;
        }
        String key = key(seen);
        String mine = written.get(key);
        String version = seen.getMetadata().getResourceVersion();
        if (mine == null || version == null) {
            return false;
        }
        if (mine.equals(version)) {
            written.remove(key, mine);
            return true;
        }
        if (!olderThan(version, mine)) {
            written.remove(key, mine);
        }
        return false;
    }

    /** Whether version {@code a} came before {@code b}; versions that are not numbers (opaque) count as not older. */
    private static boolean olderThan(String a, String b) {
        try {
            return Long.parseLong(a) < Long.parseLong(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Writes whose echo has not come yet (for tests). */
    int pending() {
        return written.size();
    }
}
