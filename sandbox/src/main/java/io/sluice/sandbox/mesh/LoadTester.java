package io.sluice.sandbox.mesh;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flagger's load tester, for what Canaries send it: {@code cmd} runs in the background (202, the
 * same command never twice at once per Canary), {@code bash} runs to completion (200, or 500 with
 * the output). Commands name cluster hosts ({@code http://podinfo-canary.test:9898/}); the
 * sandbox rewrites each such URL to the loopback port of that Service's proxy before running it,
 * so {@code hey} and {@code curl} reach the Service as they would in the cluster.
 */
public final class LoadTester implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadTester.class);

    private final Vertx vertx;
    private final UnaryOperator<String> rewriteHosts;
    private final long timeoutMs;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<Long, Process> processes = new ConcurrentHashMap<>();

    public LoadTester(Vertx vertx, UnaryOperator<String> rewriteHosts, long timeoutMs) {
        this.vertx = vertx;
        this.rewriteHosts = rewriteHosts;
        this.timeoutMs = timeoutMs;
    }

    public Handler<HttpServerRequest> handler() {
        return req -> {
            if (req.path().equals("/healthz")) {
                req.response().end("OK");
                return;
            }
            if (!req.path().equals("/") || !req.method().name().equals("POST")) {
                req.response().setStatusCode(404).end();
                return;
            }
            req.body().onSuccess(body -> {
                JsonObject payload;
                try {
                    payload = body.toJsonObject();
                } catch (RuntimeException e) {
                    req.response().setStatusCode(400).end(e.getMessage());
                    return;
                }
                JsonObject metadata = payload.getJsonObject("metadata");
                if (metadata == null) {
                    req.response().setStatusCode(400).end("metadata not found in payload");
                    return;
                }
                String cmd = metadata.getString("cmd");
                String type = metadata.getString("type", "cmd");
                if (cmd == null || cmd.isBlank()) {
                    req.response().setStatusCode(400).end("cmd not found in metadata");
                    return;
                }
                String canary = payload.getString("name") + "." + payload.getString("namespace");
                switch (type) {
                    case "cmd" -> {
                        String key = canary + "\u0000" + cmd;
                        if (!running.add(key)) {
                            LOG.info("command skipped for {}: {} is already running", canary, cmd);
                        } else {
                            run("sh", cmd).onComplete(ar -> running.remove(key));
                        }
                        req.response().setStatusCode(202).end();
                    }
                    case "bash" ->
                        run("bash", cmd).onComplete(ar -> {
                            if (ar.failed()) {
                                req.response()
                                        .setStatusCode(500)
                                        .end("command " + cmd + " failed: "
                                                + ar.cause().getMessage());
                            } else if (ar.result().exit() != 0) {
                                req.response()
                                        .setStatusCode(500)
                                        .end("command " + cmd + " failed: "
                                                + ar.result().output() + ": exit status "
                                                + ar.result().exit());
                            } else {
                                req.response()
                                        .setStatusCode(200)
                                        .end(
                                                "true".equals(metadata.getString("returnCmdOutput"))
                                                        ? ar.result().output()
                                                        : "");
                            }
                        });
                    default -> req.response().setStatusCode(400).end("unsupported type " + type);
                }
            });
        };
    }

    record Outcome(int exit, String output) {}

    private Future<Outcome> run(String shell, String cmd) {
        String rewritten = rewriteHosts.apply(cmd);
        LOG.info("running {} -c {}", shell, rewritten);
        Path output;
        Process process;
        try {
            output = Files.createTempFile("sandbox-loadtester", ".out");
            process = new ProcessBuilder(shell, "-c", rewritten)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        processes.put(process.pid(), process);
        long timer = vertx.setTimer(timeoutMs, t -> kill(process));
        return Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext())
                .compose(p -> {
                    vertx.cancelTimer(timer);
                    processes.remove(p.pid());
                    return vertx.executeBlocking(
                            () -> {
                                try {
                                    return new Outcome(
                                            p.exitValue(),
                                            Files.readString(output, StandardCharsets.UTF_8)
                                                    .strip());
                                } finally {
                                    Files.deleteIfExists(output);
                                }
                            },
                            false);
                });
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
    }

    @Override
    public void close() {
        processes.values().forEach(LoadTester::kill);
        processes.clear();
    }
}
