package io.sluice.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PatchesTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "merge patch replaces an array instead of appending to it",
                        Patches.MERGE_PATCH,
                        "{\"spec\":{\"hosts\":[\"a\",\"b\"],\"x\":1}}",
                        "{\"spec\":{\"hosts\":[\"c\"]}}",
                        "{\"spec\":{\"hosts\":[\"c\"],\"x\":1}}"),
                Arguments.of(
                        "merge patch removes a key set to null",
                        Patches.MERGE_PATCH,
                        "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}",
                        "{\"b\":{\"c\":null}}",
                        "{\"a\":1,\"b\":{\"d\":3}}"),
                Arguments.of(
                        "strategic merge changes one container by name and keeps the others",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":80}]},"
                                + "{\"name\":\"side\",\"image\":\"s:1\"}]}}",
                        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}",
                        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\",\"ports\":[{\"containerPort\":80}]},"
                                + "{\"name\":\"side\",\"image\":\"s:1\"}]}}"),
                Arguments.of(
                        "strategic merge appends an element with a new key",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}",
                        "{\"env\":[{\"name\":\"B\",\"value\":\"2\"}]}",
                        "{\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}"),
                Arguments.of(
                        "strategic merge deletes an element marked $patch: delete",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\"}]}",
                        "{\"env\":[{\"name\":\"A\",\"$patch\":\"delete\"}]}",
                        "{\"env\":[{\"name\":\"B\"}]}"),
                Arguments.of(
                        "strategic merge ignores ordering directives",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]}}",
                        "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"}],\"containers\":[{\"name\":\"app\","
                                + "\"image\":\"a:2\"}]}}",
                        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}"),
                Arguments.of(
                        "strategic merge replaces lists without a merge key",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"args\":[\"a\",\"b\"]}",
                        "{\"args\":[\"c\"]}",
                        "{\"args\":[\"c\"]}"),
                Arguments.of(
                        "service ports merge on port, container ports on containerPort",
                        Patches.STRATEGIC_MERGE_PATCH,
                        "{\"ports\":[{\"port\":80,\"name\":\"http\"},{\"port\":443}]}",
                        "{\"ports\":[{\"port\":80,\"targetPort\":8080}]}",
                        "{\"ports\":[{\"port\":80,\"name\":\"http\",\"targetPort\":8080},{\"port\":443}]}"),
                Arguments.of(
                        "JSON patch applies its operations in order",
                        Patches.JSON_PATCH,
                        "{\"a\":[1]}",
                        "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":2},"
                                + "{\"op\":\"replace\",\"path\":\"/a/0\",\"value\":0}]",
                        "{\"a\":[0,2]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void applies(String name, String type, String target, String patch, String expected) {
        assertThat(Patches.apply(type, new JsonObject(target), patch)).isEqualTo(new JsonObject(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void leavesTheTargetUntouched(String name, String type, String target, String patch, String expected) {
        JsonObject original = new JsonObject(target);
        Patches.apply(type, original, patch);
        assertThat(original).isEqualTo(new JsonObject(target));
    }

    @org.junit.jupiter.api.Test
    void unknownPatchTypeIsUnsupportedMediaType() {
        assertThatThrownBy(() -> Patches.apply("application/apply-patch+yaml", new JsonObject(), "{}"))
                .isInstanceOfSatisfying(
                        Patches.PatchException.class, e -> assertThat(e.code).isEqualTo(415));
    }

    @org.junit.jupiter.api.Test
    void failingJsonPatchIsUnprocessable() {
        assertThatThrownBy(() -> Patches.apply(
                        Patches.JSON_PATCH, new JsonObject(), "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]"))
                .isInstanceOfSatisfying(
                        Patches.PatchException.class, e -> assertThat(e.code).isEqualTo(422));
    }
}
