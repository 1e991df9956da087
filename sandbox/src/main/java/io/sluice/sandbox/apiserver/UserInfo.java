package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Who sent a request, as the API server tells admission webhooks (from the client certificate). */
public record UserInfo(String username, List<String> groups) {

    static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", List.of("system:unauthenticated"));

    JsonObject toJson() {
        JsonArray g = new JsonArray(groups);
        if (!groups.contains("system:authenticated") && !username.equals(ANONYMOUS.username())) {
            g.add("system:authenticated");
        }
        return new JsonObject().put("username", username).put("groups", g);
    }
}
