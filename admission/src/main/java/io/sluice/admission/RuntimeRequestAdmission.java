package io.sluice.admission;

import io.sluice.model.WellKnown;
import io.sluice.model.control.RuntimeRequest;
import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admission side of runtime requests: a Canary CREATE or UPDATE that carries a new {@code sluice.io/request}
 * (or the same one with a new {@code sluice.io/request-id}) is judged against the stored Canary's status with the
 * shared rules ({@link RuntimeRequests}); a request that does not fit is denied with the
 * reason, one that fits is recorded in {@code status.request} with who sent it.
 */
final class RuntimeRequestAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeRequestAdmission.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The field path of the annotation, as a denial's cause names it. */
    static final String FIELD = "metadata.annotations[" + WellKnown.REQUEST_ANNOTATION + "]";

    private final StatusRecords records;
    private final SourceClassifier sources;
    private final Clock clock;
    private final AdmissionMetrics metrics;
    private final Executor afterAnswer;

    /**
     * @param afterAnswer runs the status write once the answer is on its way: in the service, a task queued on the
     *     request's event loop behind the one that answers
     */
    RuntimeRequestAdmission(
            StatusWriter writer,
            Duration writeBudget,
            SourceClassifier sources,
            Clock clock,
            AdmissionMetrics metrics,
            Executor afterAnswer) {
        this.records = new StatusRecords(writer, writeBudget, metrics);
        this.sources = sources;
        this.clock = clock;
        this.metrics = metrics;
        this.afterAnswer = afterAnswer;
    }

    /**
     * Judges the runtime request {@code canary} carries, when it is a new one.
     *
     * @param old the stored Canary ({@code null} on CREATE): its status is what the request is judged against
     * @return the denial, or {@code null} when the change may go on (no request, the same request as before, the
     *     annotation removed, a request that fits)
     */
    AdmissionResponse judge(AdmissionRequest request, Canary canary, Canary old) {
        String value = annotation(canary, WellKnown.REQUEST_ANNOTATION);
        if (value == null) {
            return null;
        }
        String id = annotation(canary, WellKnown.REQUEST_ID_ANNOTATION);
        if (old != null
                && value.equals(annotation(old, WellKnown.REQUEST_ANNOTATION))
                && Objects.equals(id, annotation(old, WellKnown.REQUEST_ID_ANNOTATION))) {
            // The request the stored Canary already carries: this change is about something else.
            return null;
        }
        String canaryKey = request.namespace() + "/" + request.name();
        RuntimeRequest asked;
        try {
            asked = RuntimeRequest.parse(value);
        } catch (IllegalArgumentException e) {
            metrics.runtimeRequest("unknown", "malformed");
            // The parser's message completes "annotation sluice.io/request …" and quotes the part it could not read.
            String problem = e.getMessage();
            return AdmissionResponse.invalid(
                    "cannot act on canary " + canaryKey + ": annotation " + WellKnown.REQUEST_ANNOTATION + " "
                            + problem,
                    List.of(new AdmissionResponse.Cause(FIELD, problem, "FieldValueInvalid")));
        }
        String action = asked.action().wireName();
        CanaryStatus status = old == null ? null : old.getStatus();
        var verdict = RuntimeRequests.judge(asked, status);
        String user = request.username();
        if (verdict instanceof RuntimeRequests.Verdict.Denied denied) {
            if (id != null && recorded(status, action, asked.revision(), user, id)) {
                // The request this very id already recorded, sent again by the API server after a conflict; the
                // analyzer may have carried it out in between, so the status no longer fits it.
                return duplicate(request, canaryKey, action);
            }
            metrics.runtimeRequest(action, "denied");
            LOG.info(
                    "uid={} canary={} user={} request=\"{}\" denied: {}",
                    request.uid(),
                    canaryKey,
                    user,
                    value,
                    denied.reason());
            return AdmissionResponse.denied("cannot " + action + " canary " + canaryKey + ": " + denied.reason(), 409);
        }
        String revision = ((RuntimeRequests.Verdict.Accepted) verdict).revision();
        if (recorded(status, action, revision, user, id) && (id != null || RuntimeRequests.pending(status))) {
            return duplicate(request, canaryKey, action);
        }
        if (request.dryRun()) {
            metrics.runtimeRequest(action, "dry-run");
            LOG.info(
                    "uid={} canary={} request={}@{} dry run: status.request not written",
                    request.uid(),
                    canaryKey,
                    action,
                    revision);
            return null;
        }
        metrics.runtimeRequest(action, "accepted");
        String source = sources.classify(user, request.object());
        String patch = mergePatch(action, revision, user, request.groups(), source, request.uid(), id);
        // The status write must not hold the answer, and should land after the change it records. Writing the
        // status of the very Canary whose update is being admitted moves its resourceVersion: if the write landed
        // before the API server stores the update, an update that names a resourceVersion (a PUT) would fail with
        // a conflict, and a patch would be admitted a second time (that second time finds the request already
        // recorded, above, and writes nothing). So the write is queued behind the answer on this event loop and
        // runs on the API worker pool; its failure is logged and counted and never turns into a denial: the
        // analyzer still sees the annotation.
        afterAnswer.execute(() -> records.write(
                request.uid(),
                request.namespace(),
                request.name(),
                StatusRecords.Field.REQUEST,
                patch,
                "request=" + action + "@" + revision + " source=" + source));
        return null;
    }

    /**
     * The service's {@code afterAnswer}: a task queued on the calling event loop's context, so it runs once the task
     * that decides and sends the answer (the endpoint answers a decided review in the same task) has finished.
     */
    static Executor afterAnswerOn(Vertx vertx) {
        return task -> vertx.runOnContext(v -> task.run());
    }

    private AdmissionResponse duplicate(AdmissionRequest request, String canaryKey, String action) {
        metrics.runtimeRequest(action, "duplicate");
        LOG.info(
                "uid={} canary={} request={} already in status.request: not written again",
                request.uid(),
                canaryKey,
                action);
        return null;
    }

    /** True when {@code status.request} records this action, for this revision (or any, when null), user and id. */
    private static boolean recorded(CanaryStatus status, String action, String revision, String user, String id) {
        if (status == null || status.request == null) {
            return false;
        }
        CanaryStatus.RecordedRequest r = status.request;
        return action.equals(r.action)
                && (revision == null || revision.equals(r.revision))
                && Objects.equals(user, r.user)
                && Objects.equals(id, r.id);
    }

    /**
     * The merge patch that writes {@code status.request} whole: every field is set, {@code id} to null when this
     * request has none, so that nothing of the previous record survives the merge ({@code groups} is replaced
     * whole, as arrays are).
     */
    private String mergePatch(
            String action, String revision, String user, List<String> groups, String source, String uid, String id) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode record = patch.putObject("status").putObject("request");
        record.put("action", action);
        record.put("revision", revision);
        record.put("user", user);
        groups.forEach(record.putArray("groups")::add);
        record.put("source", source);
        record.put(
                "requestedAt", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        record.put("uid", uid);
        if (id == null) {
            record.putNull("id");
        } else {
            record.put("id", id);
        }
        return JSON.writeValueAsString(patch);
    }

    private static String annotation(Canary canary, String key) {
        if (canary == null || canary.getMetadata() == null) {
            return null;
        }
        Map<String, String> annotations = canary.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
