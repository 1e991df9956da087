package io.sluice.analyzer.decision;

import java.time.Instant;

/**
 * What the analyzer read of a Deployment (the target or the primary), reduced to what decisions need.
 *
 * @param revision          revision of the pod template ({@code Revisions.ofTemplate}); for the primary, the
 *                          revision last promoted into it as recorded on the object, or {@code null}
 * @param specReplicas      {@code spec.replicas} (a missing value counts as 1, as Kubernetes defaults it)
 * @param desiredReplicas   the {@code sluice.io/desired-replicas} annotation, or {@code null}
 * @param generation        {@code metadata.generation}
 * @param observedGeneration {@code status.observedGeneration}
 * @param updatedReplicas   {@code status.updatedReplicas}
 * @param replicas          {@code status.replicas}
 * @param availableReplicas {@code status.availableReplicas}
 * @param deadlineExceeded  the {@code Progressing} condition has reason {@code ProgressDeadlineExceeded}
 * @param unavailableSince  when the Deployment became unavailable: the {@code lastUpdateTime} of its {@code Available}
 *                          condition while that is {@code False} with reason {@code MinimumReplicasUnavailable}
 *                          (Flagger's rule, spec §3.6); {@code null} when available or not reported
 */
public record Workload(
        String revision,
        int specReplicas,
        Integer desiredReplicas,
        long generation,
        long observedGeneration,
        int updatedReplicas,
        int replicas,
        int availableReplicas,
        boolean deadlineExceeded,
        Instant unavailableSince) {

    /** A workload whose Deployment reports no unavailability time. */
    public Workload(
            String revision,
            int specReplicas,
            Integer desiredReplicas,
            long generation,
            long observedGeneration,
            int updatedReplicas,
            int replicas,
            int availableReplicas,
            boolean deadlineExceeded) {
        this(
                revision,
                specReplicas,
                desiredReplicas,
                generation,
                observedGeneration,
                updatedReplicas,
                replicas,
                availableReplicas,
                deadlineExceeded,
                null);
    }

    /** An RFC 3339 time as the API server writes it, or {@code null} when missing or unreadable. */
    public static Instant time(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** A workload whose rollout finished with {@code n} replicas. */
    public static Workload settled(String revision, int n) {
        return new Workload(revision, n, null, 1, 1, n, n, n, false);
    }
}
