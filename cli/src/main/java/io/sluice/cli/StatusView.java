package io.sluice.cli;

import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryDefaults;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.CanaryStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How a Canary's status reads in the terminal: one line for a table row or progress, or the full detail. */
final class StatusView {
    private StatusView() {}

    /**
     * The run's steps: the canary weights of the ladder (from {@code stepWeights}, or {@code stepWeight} until the
     * promotion weight is reached), or, for A/B testing and Blue/Green, the number of iterations.
     *
     * @param weights the ladder's weights; empty for an iteration-counted run or one without steps
     * @param iterations the iterations of an iteration-counted run, 0 otherwise
     * @param describe how the ladder came about, e.g. "stepWeight 10 until maxWeight 50"
     */
    record Ladder(List<Integer> weights, int iterations, String describe) {
        /** The ladder of {@code analysis}. */
        static Ladder of(CanaryAnalysis analysis) {
            List<Integer> steps = CanaryDefaults.stepWeights(analysis);
            if (!steps.isEmpty()) {
                return new Ladder(steps, 0, "stepWeights");
            }
            int step = CanaryDefaults.stepWeight(analysis);
            int max = CanaryDefaults.maxWeight(analysis);
            if (step > 0) {
                // As the analyzer steps: up by stepWeight while below maxWeight, capped at 100 only (30, 60 with
                // maxWeight 50, as Flagger does).
                List<Integer> weights = new ArrayList<>();
                for (int w = step; ; w += step) {
                    weights.add(Math.min(w, 100));
                    if (w >= max || w >= 100) {
                        break;
                    }
                }
                return new Ladder(weights, 0, "stepWeight " + step + " until maxWeight " + max);
            }
            int iterations = CanaryDefaults.iterations(analysis);
            if (iterations > 0) {
                boolean ab = analysis.match != null && !analysis.match.isEmpty();
                return new Ladder(List.of(), iterations, ab ? "A/B testing" : "Blue/Green");
            }
            return new Ladder(List.of(), 0, "no steps (the analysis sets no stepWeight, stepWeights or iterations)");
        }

        /** The 1-based step the weight stands at, 0 when it is at none. */
        int step(Integer weight) {
            return weight == null ? 0 : weights.indexOf(weight) + 1;
        }

        /** The weights with the current one in brackets: {@code 10 [20] 30}; or "iteration 3 of 10". */
        String render(CanaryStatus status) {
            Integer weight = status == null ? null : status.canaryWeight;
            if (iterations > 0) {
                int done = status == null || status.iterations == null ? 0 : status.iterations;
                return "iteration " + done + " of " + iterations + " (" + describe + ")";
            }
            if (weights.isEmpty()) {
                return describe;
            }
            String ladder = weights.stream()
                    .map(w -> w.equals(weight) ? "[" + w + "]" : String.valueOf(w))
                    .collect(Collectors.joining(" "));
            return ladder + "  (" + describe + ")";
        }

        /** The step column of the table: {@code 2/5}, {@code 3/10} (iterations), or "-". */
        String column(CanaryStatus status) {
            CanaryPhase phase = status == null ? null : status.phase();
            if (phase == null || !phase.isRunning()) {
                return "-";
            }
            if (iterations > 0) {
                return (status == null || status.iterations == null ? 0 : status.iterations) + "/" + iterations;
            }
            int step = step(status == null ? null : status.canaryWeight);
            return weights.isEmpty() ? "-" : step + "/" + weights.size();
        }
    }

    static Ladder ladder(Canary canary) {
        return Ladder.of(canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis());
    }

    /** "alice via kubectl", "alice", "via flux" or "unknown". */
    static String who(String user, String source) {
        if (user == null && source == null) {
            return "unknown";
        }
        if (user == null) {
            return "via " + source;
        }
        return source == null ? user : user + " via " + source;
    }

    /** {@code promote@rev}. */
    static String request(String action, String revision) {
        return revision == null ? action : action + "@" + revision;
    }

    /** One line of progress: phase, weight, step and failed checks. */
    static String progress(Canary canary) {
        CanaryStatus s = canary.getStatus();
        if (s == null || s.phase == null) {
            return "not initialized yet";
        }
        StringBuilder line = new StringBuilder("phase ").append(s.phase);
        line.append(", weight ")
                .append(s.canaryWeight == null ? 0 : s.canaryWeight)
                .append('%');
        String step = ladder(canary).column(s);
        if (!step.equals("-")) {
            line.append(", step ").append(step);
        }
        line.append(", failed checks ")
                .append(s.failedChecks == null ? 0 : s.failedChecks)
                .append('/')
                .append(CanaryDefaults.threshold(analysis(canary)));
        if (RuntimeRequests.paused(s)) {
            line.append(", paused");
        }
        return line.toString();
    }

    private static CanaryAnalysis analysis(Canary canary) {
        return canary.getSpec() == null ? null : canary.getSpec().effectiveAnalysis();
    }

    /** The detail of one Canary, a "Label: value" line each. */
    static List<String> detail(Canary canary) {
        CanaryStatus s = canary.getStatus();
        List<String[]> rows = new ArrayList<>();
        rows.add(row(
                "Canary",
                canary.getMetadata().getNamespace() + "/" + canary.getMetadata().getName()));
        if (s == null || s.phase == null) {
            rows.add(row("Phase", "not initialized yet (the analyzer has written no status)"));
        } else {
            rows.add(row(
                    "Phase", s.phase + (s.lastTransitionTime == null ? "" : "  (since " + s.lastTransitionTime + ")")));
        }
        if (s != null) {
            rows.add(row("Weight", (s.canaryWeight == null ? 0 : s.canaryWeight) + "%"));
        }
        rows.add(row("Steps", ladder(canary).render(s)));
        if (s != null) {
            rows.add(row(
                    "Checks",
                    (s.failedChecks == null ? 0 : s.failedChecks) + " failed, threshold "
                            + CanaryDefaults.threshold(analysis(canary))));
            if (canary.getSpec() != null && Boolean.TRUE.equals(canary.getSpec().suspend)) {
                rows.add(row("Suspended", "yes (spec.suspend)"));
            }
            if (RuntimeRequests.paused(s)) {
                rows.add(row("Paused", "yes, by " + who(s.request.user, s.request.source) + " (resume to continue)"));
            }
            if (s.currentRun != null) {
                rows.add(row(
                        "Run",
                        "revision " + s.currentRun.revision + ", started "
                                + (s.currentRun.startedAt == null ? "" : s.currentRun.startedAt + " ") + "by "
                                + who(s.currentRun.user, s.currentRun.source)));
            }
            if (s.admittedRevision != null) {
                CanaryStatus.AdmittedRevision a = s.admittedRevision;
                rows.add(row(
                        "Admitted",
                        "revision " + a.revision + images(a.images) + ", by " + who(a.user, a.source)
                                + (a.admittedAt == null ? "" : " at " + a.admittedAt)));
            }
            if (s.lastAppliedSpec != null) {
                rows.add(row("Applied", "revision " + s.lastAppliedSpec));
            }
            if (s.lastPromotedSpec != null) {
                rows.add(row("Promoted", "revision " + s.lastPromotedSpec));
            }
            if (RuntimeRequests.pending(s)) {
                CanaryStatus.RecordedRequest r = s.request;
                rows.add(row(
                        "Request",
                        "pending: " + request(r.action, r.revision) + " by " + who(r.user, r.source)
                                + (r.requestedAt == null ? "" : " at " + r.requestedAt)
                                + (r.id == null ? "" : " (id " + r.id + ")")));
            }
            if (s.requestHandled != null) {
                CanaryStatus.HandledRequest h = s.requestHandled;
                String by = s.request != null && h.uid != null && h.uid.equals(s.request.uid)
                        ? " (asked by " + who(s.request.user, s.request.source) + ")"
                        : "";
                rows.add(row(
                        "Last request",
                        request(h.action, h.revision) + ": " + h.outcome
                                + (h.handledAt == null ? "" : " at " + h.handledAt) + by
                                + (h.message == null ? "" : " - " + h.message)));
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            lines.add(pad(r[0] + ":", LABEL_WIDTH) + r[1]);
        }
        if (s != null && s.conditions != null && !s.conditions.isEmpty()) {
            lines.add("Conditions:");
            for (CanaryCondition c : s.conditions) {
                lines.add("  " + c.type + "=" + c.status + " (" + c.reason + ")"
                        + (c.message == null ? "" : ": " + c.message)
                        + (c.lastUpdateTime == null ? "" : "  [" + c.lastUpdateTime + "]"));
            }
        }
        return lines;
    }

    private static String images(Map<String, String> images) {
        if (images == null || images.isEmpty()) {
            return "";
        }
        return images.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
    }

    /** The detail's labels and values line up at the same column, whichever labels a Canary has. */
    private static final int LABEL_WIDTH = "Last request:  ".length();

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    /** A table of Canaries, one row each, columns aligned. */
    static List<String> table(List<Canary> canaries, boolean withNamespace) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(
                List.of("NAME", "PHASE", "WEIGHT", "STEP", "FAILED", "REVISION", "STARTED BY", "REQUEST"));
        if (withNamespace) {
            header.add(0, "NAMESPACE");
        }
        rows.add(header);
        for (Canary c : canaries) {
            CanaryStatus s = c.getStatus();
            List<String> row = new ArrayList<>();
            if (withNamespace) {
                row.add(c.getMetadata().getNamespace());
            }
            row.add(c.getMetadata().getName());
            row.add(s == null || s.phase == null ? "-" : s.phase + (RuntimeRequests.paused(s) ? " (paused)" : ""));
            row.add(s == null || s.canaryWeight == null ? "0" : String.valueOf(s.canaryWeight));
            row.add(ladder(c).column(s));
            row.add((s == null || s.failedChecks == null ? 0 : s.failedChecks) + "/"
                    + CanaryDefaults.threshold(analysis(c)));
            String revision = RuntimeRequests.runRevision(s);
            row.add(revision == null ? "-" : revision);
            row.add(s == null || s.currentRun == null ? "-" : who(s.currentRun.user, s.currentRun.source));
            row.add(requestColumn(s));
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    private static String requestColumn(CanaryStatus s) {
        if (RuntimeRequests.pending(s)) {
            return s.request.action + " (pending)";
        }
        if (s != null && s.requestHandled != null && s.requestHandled.action != null) {
            return s.requestHandled.action + ": " + s.requestHandled.outcome;
        }
        return "-";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
