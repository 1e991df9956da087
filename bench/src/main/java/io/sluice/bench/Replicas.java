package io.sluice.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analyzer replicas of one {@code make bench-scale} run ({@code --analyzer-replicas}): how each is started, which
 * shards each holds, and their figures, one by one and summed. One replica runs as the benchmark always ran it,
 * without leader election; {@code n} replicas run with leader election, {@code --shards=n --replicas=n}, each under
 * its own identity.
 */
final class Replicas {
    /** Where the replicas' Leases live in the stand-in API server. */
    static final String LEASE_NAMESPACE = "sluice-system";
    /** The analyzer's default Lease name; the shards' Leases are {@code <name>-shard-<i>}. */
    static final String LEASE_NAME = "sluice-analyzer-leader";

    private static final String IDENTITY = "sluice-analyzer-bench";

    private Replicas() {}

    /** Replica {@code i}'s identity (its HOSTNAME): the single replica keeps the one it always had. */
    static String identity(int i, int n) {
        return n == 1 ? IDENTITY : IDENTITY + "-" + i;
    }

    /** Replica {@code i}'s file ending in {@code ext} (its log, its recording): the single replica keeps {@code analyzer.<ext>}. */
    static String file(int i, int n, String ext) {
        return (n == 1 ? "analyzer." : "analyzer-" + i + ".") + ext;
    }

    /** The leader election flags of every replica of {@code n}: none for one, one shard per replica for more. */
    static List<String> electionFlags(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--analyzer-replicas must be 1 or more, not " + n);
        }
        if (n == 1) {
            return List.of("--no-leader-election");
        }
        return List.of(
                "--leader-election",
                "--leader-election-namespace=" + LEASE_NAMESPACE,
                "--leader-election-name=" + LEASE_NAME,
                "--shards=" + n,
                "--replicas=" + n);
    }

    /** The stand-in's path of shard {@code shard}'s Lease. */
    static String leasePath(int shard) {
        return "/apis/coordination.k8s.io/v1/namespaces/" + LEASE_NAMESPACE + "/leases/" + LEASE_NAME + "-shard-"
                + shard;
    }

    /**
     * The shards each identity holds, in the identities' order, from each shard's Lease holder ({@code holders.get(i)}
     * for shard {@code i}; null or blank when the Lease is free or not written yet).
     */
    static Map<String, List<Integer>> held(List<String> identities, List<String> holders) {
        Map<String, List<Integer>> held = new LinkedHashMap<>();
        identities.forEach(id -> held.put(id, new ArrayList<>()));
        for (int shard = 0; shard < holders.size(); shard++) {
            List<Integer> of = held.get(holders.get(shard));
            if (of != null) {
                of.add(shard);
            }
        }
        return held;
    }

    /** The holder a Lease names ({@code spec.holderIdentity}); null when there is no Lease or it names none. */
    static String holder(String leaseJson) {
        if (leaseJson == null) {
            return null;
        }
        String h = new JsonObject(leaseJson)
                .getJsonObject("spec", new JsonObject())
                .getString("holderIdentity");
        return h == null || h.isBlank() ? null : h;
    }

    /** Every replica holds at least one shard. */
    static boolean spread(Map<String, List<Integer>> held) {
        return !held.isEmpty() && held.values().stream().noneMatch(List::isEmpty);
    }

    /** One replica's figures over the measured window (CPU and reconciles) and at its end (heap, RSS). */
    record Figures(long heapBytes, long rssKib, long cpuMs, long reconciles) {
        static Figures sum(List<Figures> all) {
            return all.stream()
                    .reduce(
                            new Figures(0, 0, 0, 0),
                            (a, b) -> new Figures(
                                    a.heapBytes + b.heapBytes,
                                    a.rssKib + b.rssKib,
                                    a.cpuMs + b.cpuMs,
                                    a.reconciles < 0 || b.reconciles < 0 ? -1 : a.reconciles + b.reconciles));
        }
    }

    static List<String> table(List<String> rows) {
        List<String> t = new ArrayList<>();
        t.add(
                "| Canaries | replica | shard Leases held at the end | heap after full GC (MiB) | RSS (MiB) | CPU ms per tick |"
                        + " CPU (cores) | reconciles per tick |");
        t.add("|---|---|---|---|---|---|---|---|");
        t.addAll(rows);
        return t;
    }

    /**
     * One replica's row, or the sum's ({@code replica} "all"): CPU per tick is over every tick of the run, whichever
     * replica took it, so the replicas' figures add up to the sum's.
     */
    static String row(int size, String replica, String shards, Figures f, long ticks, double secs) {
        long t = Math.max(1, ticks);
        return String.format(
                "| %d | %s | %s | %.0f | %d | %.2f | %.3f | %s |",
                size,
                replica,
                shards,
                f.heapBytes / 1048576.0,
                f.rssKib / 1024,
                (double) f.cpuMs / t,
                f.cpuMs / 1000.0 / secs,
                perTick(f.reconciles, t));
    }

    /** Reconciles per tick, or {@code n/a} when the count could not be read ({@code -1}). */
    static String perTick(long reconciles, long ticks) {
        return reconciles < 0 ? "n/a" : String.format("%.1f", (double) reconciles / Math.max(1, ticks));
    }
}
