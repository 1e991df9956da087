package io.sluice.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mutating handler diffs the request's Deployment against a copy that shares every subtree the replica guard
 * cannot write to. This pins that the patch is exactly the one zjsonpatch computes against an independent deep
 * copy, over many generated Deployments: key orders, missing metadata or annotations, missing or null replicas,
 * and annotation values equal to the wish (which a diff that looks for equal values turns into {@code copy}
 * operations; the handler's patch never does).
 */
class ReplicaGuardPatchTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void thePatchOverSharedSubtreesEqualsTheDiffOfTwoIndependentTrees() {
        Random random = new Random(20261126L);
        int patched = 0;
        int copyable = 0;
        for (int i = 0; i < 5000; i++) {
            ObjectNode stored = deployment(random);
            ObjectNode requested = deployment(random);
            JsonNode asReceived = requested.deepCopy();

            ObjectNode deep = requested.deepCopy();
            boolean changedDeep = ReplicaGuard.keepStoredReplicas(stored, deep);
            ObjectNode shared = MutatingHandler.copyOfGuardedPath(requested);
            boolean changedShared = ReplicaGuard.keepStoredReplicas(stored, shared);
            JsonNode expected = JsonDiff.asJson(requested, deep, DiffFlags.dontNormalizeOpIntoMoveAndCopy());
            JsonNode actual = MutatingHandler.patchBetween(requested, shared);

            String seen = "case " + i + ": stored " + stored + ", requested " + requested;
            assertThat(changedShared).as(seen).isEqualTo(changedDeep);
            assertThat(actual).as(seen).isEqualTo(expected);
            assertThat(shared).as(seen).isEqualTo(deep);
            // The request's tree is never written to: the copy shares its subtrees, not its spine.
            assertThat(requested).as(seen).isEqualTo(asReceived);
            assertThat(JsonPatch.apply(actual, requested)).as(seen).isEqualTo(deep);
            for (JsonNode op : actual) {
                assertThat(op.path("op").asString()).as(seen).isIn("add", "replace", "remove");
            }
            if (changedDeep) {
                patched++;
                copyable += JsonDiff.asJson(requested, deep).toString().contains("\"copy\"") ? 1 : 0;
            }
        }
        // The generator must reach the interesting cases, or the equality above proves little: among them,
        // wishes equal to another annotation's value, which a value-matching diff would copy.
        assertThat(patched).isGreaterThan(1000);
        assertThat(copyable).isGreaterThan(10);
    }

    /** A Deployment-shaped tree with random parts; small values so that coincidences with the wish happen. */
    private static ObjectNode deployment(Random random) {
        List<String> keys = new ArrayList<>(List.of("apiVersion", "kind", "metadata", "spec", "status"));
        Collections.shuffle(keys, random);
        ObjectNode d = NODES.objectNode();
        for (String key : keys) {
            switch (key) {
                case "apiVersion" -> d.put(key, "apps/v1");
                case "kind" -> d.put(key, "Deployment");
                case "metadata" -> {
                    if (random.nextInt(6) > 0) {
                        d.set(key, metadata(random));
                    }
                }
                case "spec" -> {
                    if (random.nextInt(10) > 0) {
                        d.set(key, spec(random));
                    }
                }
                default -> {
                    if (random.nextBoolean()) {
                        d.putObject(key).put("replicas", random.nextInt(4)).put("observedGeneration", 7);
                    }
                }
            }
        }
        return d;
    }

    private static ObjectNode metadata(Random random) {
        ObjectNode m = NODES.objectNode();
        if (random.nextBoolean()) {
            m.put("name", "podinfo");
        }
        m.put("namespace", "test");
        if (random.nextInt(4) > 0) {
            ObjectNode a = m.putObject("annotations");
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                a.put("example.com/a" + i, Integer.toString(random.nextInt(5)));
            }
            if (random.nextInt(3) == 0) {
                a.put("sluice.io/desired-replicas", Integer.toString(random.nextInt(5)));
            }
            if (random.nextBoolean()) {
                a.put("deployment.kubernetes.io/revision", Integer.toString(random.nextInt(5)));
            }
        }
        if (random.nextBoolean()) {
            m.putArray("managedFields")
                    .addObject()
                    .put("manager", "kustomize-controller")
                    .putObject("fieldsV1")
                    .putObject("f:spec")
                    .putObject("f:replicas");
        }
        if (random.nextInt(5) == 0) {
            m.put("replicasLike", Integer.toString(random.nextInt(5)));
        }
        return m;
    }

    private static ObjectNode spec(Random random) {
        ObjectNode s = NODES.objectNode();
        if (random.nextBoolean()) {
            s.put("revisionHistoryLimit", random.nextInt(4));
        }
        switch (random.nextInt(6)) {
            case 0 -> {
                /* no replicas: the API server's default of one */
            }
            case 1 -> s.putNull("replicas");
            default -> s.put("replicas", random.nextInt(4));
        }
        if (random.nextBoolean()) {
            s.put("minReadySeconds", random.nextInt(3));
        }
        s.putObject("template")
                .putObject("spec")
                .putArray("containers")
                .addObject()
                .put("name", "podinfod")
                .put("image", "ghcr.io/stefanprodan/podinfo:6.0." + random.nextInt(3));
        return s;
    }
}
