package io.sluice.model.gloo;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether Gloo Mesh has accepted the current generation of a route table, read from either status shape.
 *
 * @param verdict what Gloo says
 * @param message Gloo's message for a rejection, or a description of what is missing
 */
public record RouteTableAcceptance(Verdict verdict, String message) {

    /** The outcomes a caller acts on. */
    public enum Verdict {
        /** No status at all: Gloo has not (yet) processed the table, or no Gloo runs. */
        NO_STATUS,
        /** A status exists but not for the current generation, or approval is still PENDING. */
        PENDING,
        /** ACCEPTED (or WARNING: partly applied) at the current generation. */
        ACCEPTED,
        /** INVALID, FAILED or UNLICENSED at the current generation. */
        REJECTED
    }

    /** Judges {@code table} against its own {@code metadata.generation}. */
    public static RouteTableAcceptance of(RouteTable table) {
        Long generation =
                table.getMetadata() == null ? null : table.getMetadata().getGeneration();
        RouteTableStatus status = table.getStatus();
        if (status == null) {
            return new RouteTableAcceptance(Verdict.NO_STATUS, "no status written");
        }
        List<RouteTableStatus.State> states = new ArrayList<>();
        if (status.common != null && status.common.state != null) {
            states.add(status.common.state);
        }
        if (status.workspaces != null) {
            status.workspaces.values().forEach(ws -> {
                if (ws != null && ws.clusters != null) {
                    ws.clusters.values().forEach(c -> {
                        if (c != null && c.generic != null) {
                            states.add(c.generic);
                        }
                    });
                }
            });
        }
        if (states.isEmpty()) {
            if (status.global != null) {
                states.add(status.global);
            } else {
                return new RouteTableAcceptance(Verdict.NO_STATUS, "no approval state in status");
            }
        }
        for (RouteTableStatus.State s : states) {
            String verdict = s.verdict();
            boolean current = generation == null
                    || s.observedGeneration == null
                    || s.observedGeneration.longValue() >= generation;
            if (!current) {
                return new RouteTableAcceptance(
                        Verdict.PENDING, "observed generation " + s.observedGeneration + " < " + generation);
            }
            switch (verdict) {
                case "ACCEPTED", "WARNING" -> {}
                case "PENDING" -> {
                    return new RouteTableAcceptance(Verdict.PENDING, "approval pending");
                }
                default -> {
                    return new RouteTableAcceptance(
                            Verdict.REJECTED,
                            verdict + (s.message == null || s.message.isEmpty() ? "" : ": " + s.message));
                }
            }
        }
        return new RouteTableAcceptance(Verdict.ACCEPTED, "accepted");
    }
}
