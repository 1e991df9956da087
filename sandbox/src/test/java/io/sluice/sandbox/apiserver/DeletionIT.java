package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Kubectl;
import io.sluice.sandbox.Wait;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Finalizers, deletionTimestamp and garbage collection, driven through kubectl as a user would. */
class DeletionIT {

    @RegisterExtension
    static final TestApiServer SERVER = new TestApiServer("gc", "configmaps,deployments");

    static JsonObject get(String kind, String name) {
        Kubectl.Result r = SERVER.admin().run("-n", "gc", "get", kind, name, "-o", "json");
        return r.exit() == 0 ? new JsonObject(r.out()) : null;
    }

    static void apply(JsonObject object) throws Exception {
        Path file = Files.createTempFile(SERVER.dir(), "object", ".json");
        Files.writeString(file, object.encode());
        SERVER.admin().run("apply", "-f", file.toString()).ok();
    }

    static JsonObject configMap(String name, JsonArray finalizers, JsonArray owners) {
        JsonObject meta = new JsonObject().put("name", name).put("namespace", "gc");
        if (finalizers != null) {
            meta.put("finalizers", finalizers);
        }
        if (owners != null) {
            meta.put("ownerReferences", owners);
        }
        return new JsonObject()
                .put("apiVersion", "v1")
                .put("kind", "ConfigMap")
                .put("metadata", meta)
                .put("data", new JsonObject().put("a", "b"));
    }

    /** A configmap standing in for an owner (any kind can own). */
    static JsonObject owner(String name) throws Exception {
        apply(configMap(name, null, null));
        return get("configmap", name);
    }

    static JsonArray ownedBy(JsonObject owner, boolean block) {
        JsonObject meta = owner.getJsonObject("metadata");
        return new JsonArray()
                .add(new JsonObject()
                        .put("apiVersion", "v1")
                        .put("kind", "ConfigMap")
                        .put("name", meta.getString("name"))
                        .put("uid", meta.getString("uid"))
                        .put("blockOwnerDeletion", block));
    }

    static void awaitGone(String kind, String name) {
        Wait.until(kind + " " + name + " to be deleted", Duration.ofSeconds(20), () -> get(kind, name) == null);
    }

    @Test
    void deleteOfAnObjectWithFinalizersMarksItAndTheLastRemovalDeletesIt() throws Exception {
        apply(configMap("held", new JsonArray().add("example.com/hold").add("example.com/other"), null));
        SERVER.admin()
                .run("-n", "gc", "delete", "configmap", "held", "--wait=false")
                .ok();
        JsonObject meta = get("configmap", "held").getJsonObject("metadata");
        assertThat(meta.getString("deletionTimestamp")).isNotNull();
        assertThat(meta.getInteger("deletionGracePeriodSeconds")).isZero();

        SERVER.admin()
                .run("-n", "gc", "label", "configmap", "held", "still=updatable")
                .ok();
        assertThat(get("configmap", "held")
                        .getJsonObject("metadata")
                        .getJsonObject("labels")
                        .getString("still"))
                .isEqualTo("updatable");
        Kubectl.Result added = SERVER.admin()
                .run(
                        "-n",
                        "gc",
                        "patch",
                        "configmap",
                        "held",
                        "--type=merge",
                        "-p",
                        "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/other\",\"example.com/late\"]}}");
        assertThat(added.exit()).isNotZero();
        assertThat(added.err()).contains("no new finalizers can be added if the object is being deleted");

        SERVER.admin()
                .run(
                        "-n",
                        "gc",
                        "patch",
                        "configmap",
                        "held",
                        "--type=json",
                        "-p",
                        "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]")
                .ok();
        assertThat(get("configmap", "held").getJsonObject("metadata").getJsonArray("finalizers"))
                .containsExactly("example.com/other");
        SERVER.admin()
                .run(
                        "-n",
                        "gc",
                        "patch",
                        "configmap",
                        "held",
                        "--type=json",
                        "-p",
                        "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                .ok();
        assertThat(get("configmap", "held")).isNull();
    }

    @Test
    void backgroundDeletionCollectsDependentsOfTheOwner() throws Exception {
        JsonObject owner = owner("owner");
        JsonObject other = owner("other-owner");
        apply(configMap("dependent", null, ownedBy(owner, true)));
        JsonArray both = ownedBy(owner, false);
        both.addAll(ownedBy(other, false));
        apply(configMap("shared", null, both));
        SERVER.admin().run("-n", "gc", "delete", "configmap", "owner").ok();
        awaitGone("configmap", "dependent");
        // An object with another owner left stays, without the reference to the one that went.
        Wait.until(
                "the dangling reference to be removed",
                Duration.ofSeconds(20),
                () -> get("configmap", "shared")
                                .getJsonObject("metadata")
                                .getJsonArray("ownerReferences")
                                .size()
                        == 1);
        assertThat(get("configmap", "shared")
                        .getJsonObject("metadata")
                        .getJsonArray("ownerReferences")
                        .getJsonObject(0)
                        .getString("name"))
                .isEqualTo("other-owner");
    }

    @Test
    void orphanDeletionKeepsDependentsAndRemovesTheirReference() throws Exception {
        JsonObject owner = owner("owner");
        apply(configMap("dependent", null, ownedBy(owner, true)));
        SERVER.admin()
                .run("-n", "gc", "delete", "configmap", "owner", "--cascade=orphan")
                .ok();
        awaitGone("configmap", "owner");
        JsonObject dependent = get("configmap", "dependent");
        assertThat(dependent).isNotNull();
        assertThat(dependent.getJsonObject("metadata").containsKey("ownerReferences"))
                .isFalse();
    }

    @Test
    void foregroundDeletionWaitsForBlockingDependents() throws Exception {
        JsonObject owner = owner("owner");
        apply(configMap("blocking", new JsonArray().add("example.com/hold"), ownedBy(owner, true)));
        apply(configMap("loose", null, ownedBy(owner, false)));
        SERVER.admin()
                .run("-n", "gc", "delete", "configmap", "owner", "--cascade=foreground", "--wait=false")
                .ok();
        JsonObject meta = get("configmap", "owner").getJsonObject("metadata");
        assertThat(meta.getString("deletionTimestamp")).isNotNull();
        assertThat(meta.getJsonArray("finalizers")).containsExactly("foregroundDeletion");
        awaitGone("configmap", "loose");
        Wait.until(
                "the blocking dependent to be marked",
                Duration.ofSeconds(20),
                () -> get("configmap", "blocking").getJsonObject("metadata").getString("deletionTimestamp") != null);
        assertThat(get("configmap", "owner"))
                .as("the owner waits for its blocking dependent")
                .isNotNull();
        SERVER.admin()
                .run(
                        "-n",
                        "gc",
                        "patch",
                        "configmap",
                        "blocking",
                        "--type=json",
                        "-p",
                        "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                .ok();
        awaitGone("configmap", "blocking");
        awaitGone("configmap", "owner");
    }
}
