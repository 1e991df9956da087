package io.sluice.analyzer.decision;

/**
 * What the analyzer read of the delegate RouteTable.
 *
 * @param problem   why the routes cannot be managed (missing parent, no delegate route, a delegate owned by
 *                  someone else), as the Warning Event text; {@code null} when fine
 * @param primary   the primary's weight in {@code weighted-route}, or {@code null} when the delegate is absent
 * @param canary    the canary's weight, or {@code null} when the delegate is absent
 * @param acceptance whether Gloo Mesh has accepted the delegate's current generation
 * @param table     {@code <name>.<namespace>} of the delegate, for messages
 * @param handedBack every route of the delegate forwards to the apex Service alone: what a Canary deleted with
 *                  {@code revertOnDeletion} leaves behind, since the apex is the one Service that outlives it
 */
public record Routes(
        String problem,
        Integer primary,
        Integer canary,
        Acceptance acceptance,
        String rejection,
        String table,
        boolean handedBack) {

    /** Gloo Mesh's verdict on the current generation, after the wait-for-acceptance setting is applied. */
    public enum Acceptance {
        ACCEPTED,
        PENDING,
        REJECTED
    }

    /** A delegate routing {@code primary}/{@code canary}, accepted. */
    public static Routes accepted(int primary, int canary) {
        return new Routes(null, primary, canary, Acceptance.ACCEPTED, null, null, false);
    }

    /** No delegate yet. */
    public static Routes absent() {
        return new Routes(null, null, null, Acceptance.PENDING, null, null, false);
    }

    /** Routes that cannot be managed, for the reason given. */
    public static Routes broken(String problem) {
        return new Routes(problem, null, null, Acceptance.PENDING, null, null, false);
    }

    /** A delegate handed back to the apex Service, accepted. */
    public static Routes handedBackAccepted() {
        return new Routes(null, null, null, Acceptance.ACCEPTED, null, null, true);
    }

    /**
     * The canary weight the delegate routes, which a run goes on from (Flagger's GetRoutes): null when it cannot be
     * read, that is when the routes cannot be managed, the delegate or its route is missing, or both weights are 0.
     */
    Integer routedCanary() {
        if (problem != null || primary == null || canary == null || primary + canary == 0) {
            return null;
        }
        return Math.min(100, canary);
    }

    /** Routes {@code p}/{@code c} and Gloo Mesh accepted that generation. */
    boolean routesAccepted(int p, int c) {
        return routes(p, c) && acceptance == Acceptance.ACCEPTED;
    }

    boolean routes(int p, int c) {
        return primary != null && canary != null && primary == p && canary == c;
    }
}
