package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sandbox.Kubectl;
import io.sluice.sandbox.Wait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Watches over plain HTTP, as kubectl get -w, kubectl wait and kubectl delete use them. */
class WatchIT {

    @RegisterExtension
    static final TestApiServer SERVER = new TestApiServer("w", "configmaps");

    static String resourceVersion(String name) {
        return new JsonObject(SERVER.admin()
                        .run("-n", "w", "get", "configmap", name, "-o", "json")
                        .ok()
                        .out())
                .getJsonObject("metadata")
                .getString("resourceVersion");
    }

    @Test
    void getWatchPrintsEachObjectOnceAndThenItsChanges() {
        SERVER.admin()
                .run("-n", "w", "create", "configmap", "one", "--from-literal=a=b")
                .ok();
        try (Kubectl.Running watch = SERVER.admin().start("-n", "w", "get", "configmaps", "-w")) {
            Wait.until(
                    "the watch to list the existing configmap",
                    Duration.ofSeconds(20),
                    () -> watch.output().contains("one"));
            SERVER.admin()
                    .run("-n", "w", "create", "configmap", "two", "--from-literal=a=b")
                    .ok();
            Wait.until(
                    "the watch to print the new configmap",
                    Duration.ofSeconds(20),
                    () -> watch.output().contains("two"));
            String out = watch.output();
            assertThat(out.lines().findFirst().orElseThrow()).contains("NAME", "AGE");
            assertThat(out.lines().filter(l -> l.startsWith("one ")))
                    .as("rows for 'one' in:\n%s", out)
                    .hasSize(1);
        }
    }

    @Test
    void deleteOfAHeldObjectIsSeenAsAnUpdateThenADeleteAndKubectlWaitsForIt() {
        SERVER.admin()
                .run("-n", "w", "create", "configmap", "held", "--from-literal=a=b")
                .ok();
        SERVER.admin()
                .run(
                        "-n",
                        "w",
                        "patch",
                        "configmap",
                        "held",
                        "--type=merge",
                        "-p",
                        "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}")
                .ok();
        try (Kubectl.Running events =
                SERVER.admin().start("-n", "w", "get", "configmap", "held", "-w", "--output-watch-events")) {
            Wait.until(
                    "the watch to start",
                    Duration.ofSeconds(20),
                    () -> events.output().contains("ADDED"));
            deleteWhileHeld(events);
        }
    }

    private static void deleteWhileHeld(Kubectl.Running events) {
        try (Kubectl.Running delete = SERVER.admin().start("-n", "w", "delete", "configmap", "held", "--timeout=30s");
                Kubectl.Running wait =
                        SERVER.admin().start("-n", "w", "wait", "--for=delete", "configmap/held", "--timeout=30s")) {
            Wait.until(
                    "the deletion mark",
                    Duration.ofSeconds(20),
                    () -> SERVER.admin()
                                    .run(
                                            "-n",
                                            "w",
                                            "get",
                                            "configmap",
                                            "held",
                                            "-o",
                                            "jsonpath={.metadata.deletionTimestamp}")
                                    .out()
                                    .length()
                            > 0);
            assertThat(delete.exitWithin(2))
                    .as("kubectl delete waits for the finalizer")
                    .isNull();
            SERVER.admin()
                    .run(
                            "-n",
                            "w",
                            "patch",
                            "configmap",
                            "held",
                            "--type=json",
                            "-p",
                            "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                    .ok();
            assertThat(delete.exitWithin(20)).as(delete.output()).isZero();
            assertThat(wait.exitWithin(20)).as(wait.output()).isZero();
            Wait.until(
                    "the watch to see the delete",
                    Duration.ofSeconds(20),
                    () -> events.output().contains("DELETED"));
            List<String> types =
                    events.output().lines().map(l -> l.split("\\s+")[0]).toList();
            assertThat(types).as(events.output()).containsSubsequence("ADDED", "MODIFIED", "DELETED");
        }
    }

    @Test
    void waitForAConditionEndsWhenAnUpdateMeetsIt() {
        SERVER.admin()
                .run("-n", "w", "create", "configmap", "flag", "--from-literal=ready=no")
                .ok();
        try (Kubectl.Running wait = SERVER.admin()
                .start("-n", "w", "wait", "configmap/flag", "--for=jsonpath={.data.ready}=yes", "--timeout=30s")) {
            assertThat(wait.exitWithin(2)).isNull();
            SERVER.admin()
                    .run("-n", "w", "patch", "configmap", "flag", "-p", "{\"data\":{\"ready\":\"yes\"}}")
                    .ok();
            assertThat(wait.exitWithin(20)).as(wait.output()).isZero();
        }
    }

    @Test
    void aWatchResumesAfterItsResourceVersionAndSendsABookmarkBeforeItsTimeout() {
        SERVER.admin()
                .run("-n", "w", "create", "configmap", "before", "--from-literal=a=b")
                .ok();
        String rv = resourceVersion("before");
        SERVER.admin()
                .run("-n", "w", "create", "configmap", "after", "--from-literal=a=b")
                .ok();
        String out = SERVER.admin()
                .run(
                        "get",
                        "--raw",
                        "/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=" + rv
                                + "&allowWatchBookmarks=true&timeoutSeconds=3")
                .ok()
                .out();
        List<JsonObject> events =
                out.lines().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
        assertThat(events).extracting(e -> e.getString("type")).containsExactly("ADDED", "BOOKMARK");
        assertThat(events.get(0)
                        .getJsonObject("object")
                        .getJsonObject("metadata")
                        .getString("name"))
                .isEqualTo("after");
        assertThat(Watches.version(events.get(1)
                        .getJsonObject("object")
                        .getJsonObject("metadata")
                        .getString("resourceVersion")))
                .isGreaterThan(Watches.version(rv));
    }
}
