package io.sluice.analyzer.decision;

import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Objects;

/** Copies and compares statuses without a serializer, so that the decision stays free of client libraries. */
final class Statuses {
    private Statuses() {}

    static CanaryStatus copy(CanaryStatus s) {
        CanaryStatus c = new CanaryStatus();
        if (s == null) {
            return c;
        }
        c.phase = s.phase;
        c.failedChecks = s.failedChecks;
        c.canaryWeight = s.canaryWeight;
        c.iterations = s.iterations;
        c.trackedConfigs = s.trackedConfigs == null ? null : new LinkedHashMap<>(s.trackedConfigs);
        c.lastAppliedSpec = s.lastAppliedSpec;
        c.lastPromotedSpec = s.lastPromotedSpec;
        c.lastTransitionTime = s.lastTransitionTime;
        c.sessionAffinityCookie = s.sessionAffinityCookie;
        c.primarySessionAffinityCookie = s.primarySessionAffinityCookie;
        c.previousSessionAffinityCookie = s.previousSessionAffinityCookie;
        if (s.conditions != null) {
            c.conditions = new ArrayList<>();
            for (CanaryCondition cond : s.conditions) {
                CanaryCondition cc = new CanaryCondition();
                cc.type = cond.type;
                cc.status = cond.status;
                cc.reason = cond.reason;
                cc.message = cond.message;
                cc.lastUpdateTime = cond.lastUpdateTime;
                cc.lastTransitionTime = cond.lastTransitionTime;
                cond.unknownFields().forEach(cc::setUnknownField);
                c.conditions.add(cc);
            }
        }
        c.observedGeneration = s.observedGeneration;
        // The admitted revision belongs to the admission service: carried over untouched, never rewritten.
        c.admittedRevision = s.admittedRevision;
        if (s.currentRun != null) {
            CanaryStatus.CurrentRun r = new CanaryStatus.CurrentRun();
            r.revision = s.currentRun.revision;
            r.source = s.currentRun.source;
            r.user = s.currentRun.user;
            r.startedAt = s.currentRun.startedAt;
            s.currentRun.unknownFields().forEach(r::setUnknownField);
            c.currentRun = r;
        }
        // The recorded request belongs to the admission service, like the admitted revision: carried over untouched.
        c.request = s.request;
        if (s.requestHandled != null) {
            CanaryStatus.HandledRequest h = new CanaryStatus.HandledRequest();
            h.uid = s.requestHandled.uid;
            h.action = s.requestHandled.action;
            h.revision = s.requestHandled.revision;
            h.handledAt = s.requestHandled.handledAt;
            h.outcome = s.requestHandled.outcome;
            h.message = s.requestHandled.message;
            s.requestHandled.unknownFields().forEach(h::setUnknownField);
            c.requestHandled = h;
        }
        s.unknownFields().forEach(c::setUnknownField);
        return c;
    }

    /** True when something other than bookkeeping (times, conditions, observed generation) differs. */
    static boolean progressed(CanaryStatus a, CanaryStatus b) {
        return !Objects.equals(a.phase, b.phase)
                || n(a.failedChecks) != n(b.failedChecks)
                || n(a.canaryWeight) != n(b.canaryWeight)
                || n(a.iterations) != n(b.iterations)
                || !Objects.equals(empty(a.trackedConfigs), empty(b.trackedConfigs))
                || !Objects.equals(a.lastAppliedSpec, b.lastAppliedSpec)
                || !Objects.equals(a.lastPromotedSpec, b.lastPromotedSpec)
                || !Objects.equals(
                        a.currentRun == null ? null : a.currentRun.startedAt,
                        b.currentRun == null ? null : b.currentRun.startedAt);
    }

    static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static Object empty(java.util.Map<String, String> m) {
        return m == null ? java.util.Map.of() : m;
    }
}
