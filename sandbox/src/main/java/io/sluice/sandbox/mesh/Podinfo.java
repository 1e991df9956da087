package io.sluice.sandbox.mesh;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Podinfo's HTTP behaviour for the paths the seed uses: {@code /} reports the version (the image
 * tag), {@code POST /token} issues a token, {@code /status/{code}} answers that code and
 * {@code /delay/{seconds}} answers after that long.
 */
public final class Podinfo {

    private Podinfo() {}

    public static String tag(String image) {
        int at = image.indexOf('@');
        String ref = at >= 0 ? image.substring(0, at) : image;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : "latest";
    }

    public static Handler<HttpServerRequest> handler(Vertx vertx, String hostname, String image) {
        String version = tag(image);
        return req -> {
            String path = req.path();
            var resp = req.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("X-Content-Type-Options", "nosniff");
            if (path.equals("/") || path.isEmpty()) {
                resp.end(new JsonObject()
                        .put("hostname", hostname)
                        .put("version", version)
                        .put("revision", "")
                        .put("color", "#34577c")
                        .put("logo", "https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif")
                        .put("message", "greetings from podinfo v" + version)
                        .put("goos", "linux")
                        .put("goarch", "amd64")
                        .put("runtime", "sandbox")
                        .put("num_goroutine", "1")
                        .put("num_cpu", "1")
                        .encodePrettily());
            } else if (path.equals("/token") && req.method().name().equals("POST")) {
                String claims = new JsonObject()
                        .put("name", "anonymous")
                        .put("exp", Instant.now().plusSeconds(60).getEpochSecond())
                        .encode();
                String token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                        + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes())
                        + "." + UUID.randomUUID().toString().replace("-", "");
                resp.end(new JsonObject()
                        .put("token", token)
                        .put("expires_at", Instant.now().plusSeconds(60).toString())
                        .encodePrettily());
            } else if (path.startsWith("/status/")) {
                int code = parse(path.substring("/status/".length()), 200);
                if (code < 100 || code > 599) {
                    code = 400;
                }
                resp.setStatusCode(code)
                        .end(new JsonObject().put("status", code).encodePrettily());
            } else if (path.startsWith("/delay/")) {
                int seconds = Math.max(0, Math.min(parse(path.substring("/delay/".length()), 0), 60));
                vertx.setTimer(
                        Math.max(1, seconds * 1000L),
                        t -> resp.end(new JsonObject().put("delay", seconds).encodePrettily()));
            } else if (path.equals("/healthz") || path.equals("/readyz")) {
                resp.end("{\"status\":\"OK\"}");
            } else if (path.equals("/version")) {
                resp.end(new JsonObject()
                        .put("version", version)
                        .put("commit", "")
                        .encodePrettily());
            } else {
                resp.setStatusCode(404)
                        .end(new JsonObject()
                                .put("code", 404)
                                .put("message", "Not Found")
                                .encode());
            }
        };
    }

    private static int parse(String s, int fallback) {
        try {
            return Integer.parseInt(s.replace("/", ""));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
