package io.sluice.analyzer;

import java.nio.charset.StandardCharsets;

/**
 * Which shard a Canary belongs to, and the name of each shard's Lease. The hash is 32-bit FNV-1a over the UTF-8 bytes
 * of {@code namespace/name}, read as an unsigned number, modulo the shard count. It is spelled out here rather than
 * taken from {@link String#hashCode()} or a library so that every replica, on any JVM and any Sluice version, puts a
 * Canary in the same shard: two versions that disagreed during a rolling update would both act on it. Changing it is
 * a breaking change of the analyzer's protocol.
 */
final class Shards {
    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private Shards() {}

    /** The shard of Canary {@code namespace/name} among {@code count}. */
    static int of(String namespace, String name, int count) {
        return of(namespace + "/" + name, count);
    }

    /** The shard of the work-queue key {@code namespace/name} among {@code count}. */
    static int of(String key, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("the shard count must be 1 or more, not " + count);
        }
        return (int) (Integer.toUnsignedLong(fnv1a(key)) % count);
    }

    /** 32-bit FNV-1a of the UTF-8 bytes of {@code s}. */
    static int fnv1a(String s) {
        int h = FNV_OFFSET;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /**
     * The Lease of {@code shard}: with one shard the base name itself, so that an installation without sharding keeps
     * the Lease it always had; otherwise {@code <base>-shard-<i>}.
     */
    static String leaseName(String base, int shard, int count) {
        return count == 1 ? base : base + "-shard-" + shard;
    }
}
