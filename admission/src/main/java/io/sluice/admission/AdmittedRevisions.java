package io.sluice.admission;

import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds the {@code status.admittedRevision} record and the merge patch that writes it and nothing else. */
final class AdmittedRevisions {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private AdmittedRevisions() {}

    /** The facts recorded for one admitted revision. */
    record Admitted(
            String revision,
            Map<String, String> images,
            String user,
            List<String> groups,
            String source,
            Instant admittedAt,
            String uid) {}

    /**
     * True when {@code revision} is news to the Canary: neither the revision the analyzer last synced nor the one
     * already recorded. Re-sending the same template (a reinvocation, an apply that changes only replicas) writes
     * nothing.
     */
    static boolean isNew(Canary canary, String revision) {
        CanaryStatus status = canary.getStatus();
        if (status == null) {
            return true;
        }
        if (revision.equals(status.lastAppliedSpec)) {
            return false;
        }
        return status.admittedRevision == null || !revision.equals(status.admittedRevision.revision);
    }

    /**
     * The merge patch. A merge patch merges nested objects, so containers the previous record named and this one
     * does not are set to null to drop them; arrays ({@code groups}) are replaced whole.
     */
    static String mergePatch(Canary canary, Admitted admitted) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode record = patch.putObject("status").putObject("admittedRevision");
        record.put("revision", admitted.revision());
        ObjectNode images = record.putObject("images");
        admitted.images().forEach(images::put);
        CanaryStatus status = canary.getStatus();
        if (status != null && status.admittedRevision != null && status.admittedRevision.images != null) {
            for (String container : status.admittedRevision.images.keySet()) {
                if (!admitted.images().containsKey(container)) {
                    images.putNull(container);
                }
            }
        }
        record.put("user", admitted.user());
        admitted.groups().forEach(record.putArray("groups")::add);
        record.put("source", admitted.source());
        record.put(
                "admittedAt",
                admitted.admittedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        record.put("uid", admitted.uid());
        return JSON.writeValueAsString(patch);
    }
}
