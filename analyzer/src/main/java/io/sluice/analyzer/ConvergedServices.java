package io.sluice.analyzer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Canaries whose Services were last found as they should be, with what they were derived from: the Canary (uid
 * and generation), its target's version, whether the apex Service is included, and the cached text of each live
 * Service. While all of that is the same, the Services are as they were found and need no look: each reconcile
 * decoded three Services and built three desired ones only to find nothing to change, about 6 % of the analyzer's CPU
 * at 10,000 Canaries. Any change to one of those inputs (a user's edit to a Service is a new text) looks again.
 */
final class ConvergedServices {
    /**
     * What the desired Services are derived from and what the live ones were. The texts are compared by identity:
     * the cache replaces a Service's text with a new array for every new version, and never changes one.
     */
    record Inputs(String uid, Long generation, String targetVersion, boolean apex, List<byte[]> texts) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Inputs other)
                    || !java.util.Objects.equals(uid, other.uid)
                    || !java.util.Objects.equals(generation, other.generation)
                    || !java.util.Objects.equals(targetVersion, other.targetVersion)
                    || apex != other.apex
                    || texts.size() != other.texts.size()) {
                return false;
            }
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i) != other.texts.get(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(uid, generation, targetVersion, apex);
        }

        /** Whether every Service was found in the cache: only then can a later look be skipped. */
        boolean complete() {
            return texts.stream().allMatch(java.util.Objects::nonNull);
        }
    }

    private final Map<String, Inputs> converged = new ConcurrentHashMap<>();

    /** Whether {@code canaryKey}'s Services were found as they should be from exactly {@code now}. */
    boolean unchanged(String canaryKey, Inputs now) {
        return now.complete() && now.equals(converged.get(canaryKey));
    }

    /** The Services of {@code canaryKey}, read as {@code seen}, needed no write. */
    void converged(String canaryKey, Inputs seen) {
        if (seen.complete()) {
            converged.put(canaryKey, seen);
        } else {
            converged.remove(canaryKey);
        }
    }

    /** Something was written, or the Canary is gone: look again next time. */
    void forget(String canaryKey) {
        converged.remove(canaryKey);
    }

    /** How many Canaries are remembered (for tests). */
    int size() {
        return converged.size();
    }
}
