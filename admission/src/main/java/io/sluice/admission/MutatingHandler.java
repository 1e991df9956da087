package io.sluice.admission;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.sluice.model.Revisions;
import io.sluice.model.flagger.Canary;
import io.sluice.model.validation.CanaryValidator;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mutates {@code apps/v1} Deployments that a Canary targets, on CREATE and UPDATE: records a new pod-template
 * revision in the Canary's {@code status.admittedRevision} and keeps the analyzer's replica count (see
 * {@link ReplicaGuard}). The Deployment is handled as a generic JSON tree and the answer is the JSON Patch between
 * the tree as received and as changed, so fields Sluice does not model are never touched.
 *
 * <p>The status write is a hint for the analyzer, which confirms every revision against the Deployment it
 * watches: when the write fails or runs out of its time budget the request is still admitted.
 */
final class MutatingHandler implements AdmissionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MutatingHandler.class);

    private final ClusterView cluster;
    private final StatusRecords records;
    private final SourceClassifier sources;
    private final Installation installation;
    private final Clock clock;

    MutatingHandler(
            ClusterView cluster,
            StatusWriter writer,
            SourceClassifier sources,
            Installation installation,
            Duration writeBudget,
            Clock clock,
            AdmissionMetrics metrics) {
        this.cluster = cluster;
        this.records = new StatusRecords(writer, writeBudget, metrics);
        this.sources = sources;
        this.installation = installation;
        this.clock = clock;
    }

    @Override
    public Future<AdmissionResponse> handle(AdmissionRequest request) {
        boolean write =
                request.operation().equals("CREATE") || request.operation().equals("UPDATE");
        if (!write
                || !request.subResource().isEmpty()
                || !"apps".equals(request.group())
                || !"Deployment".equals(request.kind())
                // Sluice's own Deployments, whatever the webhook's namespaceSelector says: a broken Sluice must not
                // stand in the way of its own repair.
                || installation.namespace().equals(request.namespace())) {
            return Future.succeededFuture(AdmissionResponse.allowed());
        }
        String malformed = shapeProblem(request.object());
        if (malformed != null) {
            // The mutating path never denies: the API server's own validation judges the object.
            return Future.succeededFuture(AdmissionResponse.allowed()
                    .withWarnings(List.of("Sluice left this Deployment unchanged: request.object is not a Deployment: "
                            + malformed)));
        }
        // Only Sluice's Canaries: a Deployment another provider's Canary targets (Flagger's, side by side) is left
        // alone.
        List<Canary> owners = cluster.canariesTargeting(request.namespace(), "Deployment", request.name()).stream()
                .filter(CanaryValidator::isSluices)
                .toList();
        if (owners.isEmpty()) {
            return Future.succeededFuture(AdmissionResponse.allowed());
        }
        Canary canary = owners.get(0);
        AdmissionResponse response = replicas(request);
        return recordRevision(request, canary).map(response);
    }

    private AdmissionResponse replicas(AdmissionRequest request) {
        if (!request.operation().equals("UPDATE")
                || !request.hasOldObject()
                || installation.analyzerIdentity().equals(request.username())) {
            return AdmissionResponse.allowed();
        }
        if (request.object()
                .path("spec")
                .path("replicas")
                .equals(request.oldObject().path("spec").path("replicas"))) {
            return AdmissionResponse.allowed();
        }
        ObjectNode changed = copyOfGuardedPath((ObjectNode) request.object());
        if (!ReplicaGuard.keepStoredReplicas(request.oldObject(), changed)) {
            return AdmissionResponse.allowed();
        }
        return AdmissionResponse.patched(patchBetween(request.object(), changed));
    }

    /**
     * The JSON Patch that turns {@code from} into {@code to}, made only of {@code add}, {@code replace} and
     * {@code remove}: no {@code copy} or {@code move} found by matching equal values elsewhere in the tree, which
     * would read oddly in an audit log and costs a hash of every node of the 10 KB object to find.
     */
    static JsonNode patchBetween(JsonNode from, JsonNode to) {
        return JsonDiff.asJson(from, to, PATCH_FLAGS);
    }

    private static final EnumSet<DiffFlags> PATCH_FLAGS = DiffFlags.dontNormalizeOpIntoMoveAndCopy();

    /**
     * A copy of {@code object} in which only the nodes {@link ReplicaGuard} may write to are new: the object
     * itself, {@code spec}, {@code metadata} and {@code metadata.annotations}; every other subtree (the pod
     * template, managedFields, status) is shared with the original. The diff is still the diff of the two whole
     * trees, but a shared subtree compares equal by identity at once, so neither the deep copy nor the diff walks
     * the 10 KB the guard never touches. ReplicaGuardPatchTest pins that the patch equals the diff against a deep
     * copy.
     */
    static ObjectNode copyOfGuardedPath(ObjectNode object) {
        ObjectNode copy = shallowCopy(object);
        if (object.get("spec") instanceof ObjectNode spec) {
            copy.set("spec", shallowCopy(spec));
        }
        if (object.get("metadata") instanceof ObjectNode metadata) {
            ObjectNode metadataCopy = shallowCopy(metadata);
            if (metadata.get("annotations") instanceof ObjectNode annotations) {
                metadataCopy.set("annotations", shallowCopy(annotations));
            }
            copy.set("metadata", metadataCopy);
        }
        return copy;
    }

    private static ObjectNode shallowCopy(ObjectNode node) {
        ObjectNode copy = node.objectNode();
        copy.setAll(node);
        return copy;
    }

    private Future<Void> recordRevision(AdmissionRequest request, Canary canary) {
        JsonNode template = Revisions.templateOf(request.object());
        if (request.hasOldObject() && template.equals(Revisions.templateOf(request.oldObject()))) {
            // This request changes no pod template, so it admits no revision; recording it would also name the
            // wrong sender (say, a replica change by Flux after a kubectl set image made while Sluice was down).
            return Future.succeededFuture();
        }
        String revision = Revisions.ofTemplate(template);
        if (!AdmittedRevisions.isNew(canary, revision)) {
            return Future.succeededFuture();
        }
        String canaryKey =
                canary.getMetadata().getNamespace() + "/" + canary.getMetadata().getName();
        if (request.dryRun()) {
            LOG.info(
                    "uid={} canary={} revision={} dry run: admittedRevision not written",
                    request.uid(),
                    canaryKey,
                    revision);
            return Future.succeededFuture();
        }
        AdmittedRevisions.Admitted admitted = new AdmittedRevisions.Admitted(
                revision,
                Revisions.images(template),
                request.username(),
                request.groups(),
                sources.classify(request.username(), request.object()),
                clock.instant(),
                request.uid());
        String patch = AdmittedRevisions.mergePatch(canary, admitted);
        return records.write(
                request.uid(),
                canary.getMetadata().getNamespace(),
                canary.getMetadata().getName(),
                StatusRecords.Field.ADMITTED_REVISION,
                patch,
                "revision=" + revision + " source=" + admitted.source());
    }

    /** Why {@code object} cannot be a Deployment, or null. Only what this handler relies on is checked. */
    private static String shapeProblem(JsonNode object) {
        if (!object.isObject()) {
            return "missing or not a JSON object";
        }
        JsonNode metadata = object.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isObject()) {
            return "metadata must be an object";
        }
        JsonNode annotations = metadata.path("annotations");
        if (!annotations.isMissingNode() && !annotations.isNull() && !annotations.isObject()) {
            return "metadata.annotations must be an object";
        }
        JsonNode spec = object.path("spec");
        if (!spec.isMissingNode() && !spec.isObject()) {
            return "spec must be an object";
        }
        JsonNode replicas = spec.path("replicas");
        if (!replicas.isMissingNode() && !replicas.isNull() && !replicas.isIntegralNumber()) {
            return "spec.replicas must be an integer";
        }
        JsonNode template = spec.path("template");
        if (!template.isMissingNode() && !template.isObject()) {
            return "spec.template must be an object";
        }
        JsonNode containers = template.path("spec").path("containers");
        if (!containers.isMissingNode() && !containers.isArray()) {
            return "spec.template.spec.containers must be an array";
        }
        return null;
    }
}
