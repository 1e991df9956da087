package io.sluice.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the admission webhooks stored in the sandbox, as the API server does for a CREATE or
 * UPDATE: mutating webhooks in order (configuration name, then list order), each seeing the
 * previous one's result, then the validating ones; TLS trusting the configuration's caBundle; the
 * failure policy, the dry-run rules and the timeout of each webhook honoured. Reinvocation
 * ({@code reinvocationPolicy: IfNeeded}) is not modelled: Sluice registers one mutating webhook.
 */
final class AdmissionChain {

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionChain.class);
    static final String MUTATING = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    static final String VALIDATING = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

    /** What is being admitted. */
    record Attributes(
            ResourceType type,
            String subresource,
            String namespace,
            String name,
            String operation,
            JsonObject object,
            JsonObject oldObject,
            boolean dryRun,
            JsonObject options,
            UserInfo user) {}

    /** The admitted object and the warnings to hand back to the client. */
    record Admitted(JsonObject object, List<String> warnings) {}

    private final Vertx vertx;
    private final Function<String, Future<JsonObject>> store;
    private final ServiceResolver services;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    // Every write reaches the store through this server, so a cache dropped on each write to these
    // kinds is exact, and admission costs no store round trips in the common case.
    private final Map<String, Future<JsonObject>> cache = new ConcurrentHashMap<>();

    AdmissionChain(Vertx vertx, Function<String, Future<JsonObject>> store, ServiceResolver services) {
        this.vertx = vertx;
        this.store = store;
        this.services = services;
    }

    /** Called before any write to webhook configurations or namespaces is stored. */
    void invalidate() {
        cache.clear();
    }

    private Future<JsonObject> cached(String path) {
        Future<JsonObject> f = cache.computeIfAbsent(path, store);
        return f.recover(e -> {
            cache.remove(path, f);
            return Future.failedFuture(e);
        });
    }

    Future<Admitted> admit(Attributes a) {
        List<String> warnings = new ArrayList<>();
        Future<JsonObject> namespaceLabels =
                a.namespace() == null || a.namespace().isEmpty()
                        ? Future.succeededFuture(new JsonObject())
                        : cached("/api/v1/namespaces/" + a.namespace())
                                .map(ns -> ns == null
                                        ? new JsonObject()
                                        : ns.getJsonObject("metadata", new JsonObject())
                                                .getJsonObject("labels", new JsonObject()));
        return namespaceLabels
                .compose(nsLabels -> webhooks(MUTATING).compose(mutating -> {
                    Future<JsonObject> chain = Future.succeededFuture(a.object());
                    for (JsonObject hook : mutating) {
                        chain = chain.compose(obj -> {
                            Attributes current = withObject(a, obj);
                            if (!matches(hook, current, nsLabels)) {
                                return Future.succeededFuture(obj);
                            }
                            return call(hook, current, true, warnings);
                        });
                    }
                    return chain;
                }))
                .compose(mutated ->
                        namespaceLabels.compose(nsLabels -> webhooks(VALIDATING).compose(validating -> {
                            Attributes current = withObject(a, mutated);
                            List<Future<JsonObject>> calls = new ArrayList<>();
                            for (JsonObject hook : validating) {
                                if (matches(hook, current, nsLabels)) {
                                    calls.add(call(hook, current, false, warnings));
                                }
                            }
                            return Future.all(calls).map(x -> new Admitted(mutated, warnings));
                        })));
    }

    private static Attributes withObject(Attributes a, JsonObject obj) {
        return new Attributes(
                a.type(),
                a.subresource(),
                a.namespace(),
                a.name(),
                a.operation(),
                obj,
                a.oldObject(),
                a.dryRun(),
                a.options(),
                a.user());
    }

    private Future<List<JsonObject>> webhooks(String path) {
        return cached(path).map(list -> {
            List<JsonObject> configs = list == null
                    ? List.of()
                    : list.getJsonArray("items", new JsonArray()).stream()
                            .map(o -> (JsonObject) o)
                            .sorted(Comparator.comparing(
                                    c -> c.getJsonObject("metadata").getString("name")))
                            .toList();
            List<JsonObject> hooks = new ArrayList<>();
            configs.forEach(c -> c.getJsonArray("webhooks", new JsonArray()).forEach(h -> hooks.add((JsonObject) h)));
            return hooks;
        });
    }

    static boolean matches(JsonObject hook, Attributes a, JsonObject namespaceLabels) {
        boolean ruleMatch = hook.getJsonArray("rules", new JsonArray()).stream()
                .map(o -> (JsonObject) o)
                .anyMatch(rule -> ruleMatches(rule, a));
        if (!ruleMatch) {
            return false;
        }
        if (a.namespace() != null
                && !a.namespace().isEmpty()
                && !Selectors.matches(hook.getJsonObject("namespaceSelector"), namespaceLabels)) {
            return false;
        }
        JsonObject objectSelector = hook.getJsonObject("objectSelector");
        return Selectors.matches(objectSelector, labels(a.object()))
                || (a.oldObject() != null && Selectors.matches(objectSelector, labels(a.oldObject())));
    }

    private static JsonObject labels(JsonObject o) {
        return o == null
                ? new JsonObject()
                : o.getJsonObject("metadata", new JsonObject()).getJsonObject("labels", new JsonObject());
    }

    private static boolean ruleMatches(JsonObject rule, Attributes a) {
        String resource = a.subresource() == null ? a.type().plural() : a.type().plural() + "/" + a.subresource();
        boolean resources = anyOf(
                rule.getJsonArray("resources"),
                r -> r.equals("*/*")
                        || r.equals(resource)
                        || (r.equals("*") && a.subresource() == null)
                        || (r.endsWith("/*")
                                && a.subresource() != null
                                && r.equals(a.type().plural() + "/*"))
                        || (r.startsWith("*/") && a.subresource() != null && r.equals("*/" + a.subresource())));
        String scope = rule.getString("scope", "*");
        boolean scoped = scope.equals("*") || scope.equals(a.type().namespaced() ? "Namespaced" : "Cluster");
        return anyOf(rule.getJsonArray("operations"), op -> op.equals("*") || op.equals(a.operation()))
                && anyOf(
                        rule.getJsonArray("apiGroups"),
                        g -> g.equals("*") || g.equals(a.type().group()))
                && anyOf(
                        rule.getJsonArray("apiVersions"),
                        v -> v.equals("*") || v.equals(a.type().version()))
                && resources
                && scoped;
    }

    private static boolean anyOf(JsonArray values, java.util.function.Predicate<String> test) {
        return values != null && values.stream().map(String::valueOf).anyMatch(test);
    }

    private Future<JsonObject> call(JsonObject hook, Attributes a, boolean mutating, List<String> warnings) {
        String name = hook.getString("name");
        String sideEffects = hook.getString("sideEffects", "Unknown");
        boolean ignore = "Ignore".equals(hook.getString("failurePolicy", "Fail"));
        if (a.dryRun() && !(sideEffects.equals("None") || sideEffects.equals("NoneOnDryRun"))) {
            return Future.failedFuture(
                    new ApiError(400, "BadRequest", "admission webhook \"" + name + "\" does not support dry run"));
        }
        String uid = UUID.randomUUID().toString();
        JsonObject review = review(a, uid);
        Target target;
        try {
            target = target(hook.getJsonObject("clientConfig", new JsonObject()));
        } catch (RuntimeException e) {
            return failed(name, ignore, a.object(), "failed to call webhook: " + e.getMessage());
        }
        long timeoutMs = hook.getInteger("timeoutSeconds", 10) * 1000L;
        HttpClient client =
                client(hook.getJsonObject("clientConfig", new JsonObject()).getString("caBundle"));
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(target.address())
                .setHost(target.host())
                .setPort(target.port())
                .setURI(target.path() + "?timeout=" + (timeoutMs / 1000) + "s")
                .setIdleTimeout(timeoutMs)
                .setTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json");
        long started = System.nanoTime();
        return client.request(options)
                .compose(req -> req.send(review.toBuffer())
                        .compose(resp -> resp.body().map(body -> {
                            if (resp.statusCode() != 200) {
                                throw new IllegalStateException(
                                        "received invalid webhook response status " + resp.statusCode());
                            }
                            return body;
                        })))
                .transform(ar -> {
                    if (ar.failed()) {
                        String cause = ar.cause().getMessage();
                        return failed(
                                name,
                                ignore,
                                a.object(),
                                "failed to call webhook: Post \"" + target.url() + "?timeout=" + (timeoutMs / 1000)
                                        + "s\": " + cause);
                    }
                    LOG.debug(
                            "webhook {} answered {} {}/{} in {} ms",
                            name,
                            a.operation(),
                            a.namespace(),
                            a.name(),
                            (System.nanoTime() - started) / 1_000_000);
                    return interpret(name, ignore, mutating, a, uid, ar.result(), warnings);
                });
    }

    private Future<JsonObject> interpret(
            String name,
            boolean ignore,
            boolean mutating,
            Attributes a,
            String uid,
            Buffer body,
            List<String> warnings) {
        JsonObject response;
        try {
            response = body.toJsonObject().getJsonObject("response");
        } catch (RuntimeException e) {
            return failed(name, ignore, a.object(), "received invalid webhook response: " + e.getMessage());
        }
        if (response == null || !uid.equals(response.getString("uid"))) {
            return failed(
                    name,
                    ignore,
                    a.object(),
                    "expected response.uid=\"" + uid + "\", got \""
                            + (response == null ? "" : response.getString("uid", "")) + "\"");
        }
        response.getJsonArray("warnings", new JsonArray()).forEach(w -> warnings.add(String.valueOf(w)));
        if (!response.getBoolean("allowed", false)) {
            return Future.failedFuture(denial(name, response.getJsonObject("status", new JsonObject())));
        }
        String patch = response.getString("patch");
        if (patch == null || !mutating) {
            return Future.succeededFuture(a.object());
        }
        if (!"JSONPatch".equals(response.getString("patchType"))) {
            return failed(
                    name, ignore, a.object(), "unsupported patch type \"" + response.getString("patchType") + "\"");
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(patch), StandardCharsets.UTF_8);
            return Future.succeededFuture(Patches.jsonPatch(a.object(), decoded));
        } catch (RuntimeException e) {
            return failed(name, ignore, a.object(), "the webhook's patch could not be applied: " + e.getMessage());
        }
    }

    /**
     * A denial as the API server reports it: the webhook's {@code status} (the JSON name of the
     * response's result in {@code admission.k8s.io/v1}) with its message prefixed by who denied, a
     * code below 400 raised to 400, and reason and details kept as given.
     */
    static ApiError denial(String name, JsonObject status) {
        String deniedBy = "admission webhook \"" + name + "\" denied the request";
        String message = status.getString("message", "");
        String reason = status.getString("reason", "");
        String text = !message.isEmpty()
                ? deniedBy + ": " + message
                : !reason.isEmpty() ? deniedBy + ": " + reason : deniedBy + " without explanation";
        int code = Math.max(400, status.getInteger("code", 0));
        return new ApiError(code, reason, text, status.getJsonObject("details"));
    }

    private static Future<JsonObject> failed(String name, boolean ignore, JsonObject unchanged, String why) {
        if (ignore) {
            LOG.warn("admission webhook {} failed and its failurePolicy is Ignore: {}", name, why);
            return Future.succeededFuture(unchanged);
        }
        return Future.failedFuture(new ApiError(
                500, "InternalError", "Internal error occurred: failed calling webhook \"" + name + "\": " + why));
    }

    static JsonObject review(Attributes a, String uid) {
        JsonObject kind = new JsonObject()
                .put("group", a.type().group())
                .put("version", a.type().version())
                .put("kind", a.type().kind());
        JsonObject resource = new JsonObject()
                .put("group", a.type().group())
                .put("version", a.type().version())
                .put("resource", a.type().plural());
        JsonObject request = new JsonObject()
                .put("uid", uid)
                .put("kind", kind)
                .put("resource", resource)
                .put("requestKind", kind)
                .put("requestResource", resource)
                .put("name", a.name())
                .put("operation", a.operation())
                .put("userInfo", a.user().toJson())
                .put("object", a.object())
                .put("oldObject", a.oldObject())
                .put("dryRun", a.dryRun())
                .put("options", a.options());
        if (a.subresource() != null) {
            request.put("subResource", a.subresource()).put("requestSubResource", a.subresource());
        }
        if (a.namespace() != null && !a.namespace().isEmpty()) {
            request.put("namespace", a.namespace());
        }
        return new JsonObject()
                .put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview")
                .put("request", request);
    }

    private record Target(SocketAddress address, String host, int port, String path, String url) {}

    private Target target(JsonObject clientConfig) {
        String url = clientConfig.getString("url");
        if (url != null) {
            URI uri = URI.create(url);
            if (!"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("webhook url must use https: " + url);
            }
            int port = uri.getPort() < 0 ? 443 : uri.getPort();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return new Target(SocketAddress.inetSocketAddress(port, uri.getHost()), uri.getHost(), port, path, url);
        }
        JsonObject service = clientConfig.getJsonObject("service");
        if (service == null) {
            throw new IllegalArgumentException("clientConfig has neither url nor service");
        }
        String ns = service.getString("namespace");
        String svc = service.getString("name");
        int port = service.getInteger("port", 443);
        String path = service.getString("path", "/");
        String host = svc + "." + ns + ".svc";
        Optional<SocketAddress> address = services.resolve(ns, svc, port);
        if (address.isEmpty()) {
            throw new IllegalStateException("service \"" + svc + "\" not found in namespace \"" + ns + "\"");
        }
        return new Target(address.get(), host, port, path, "https://" + host + ":" + port + path);
    }

    private HttpClient client(String caBundle) {
        String key = caBundle == null ? "" : caBundle;
        return clients.computeIfAbsent(key, k -> {
            HttpClientOptions options =
                    new HttpClientOptions().setSsl(true).setVerifyHost(true).setConnectTimeout(10_000);
            if (!k.isEmpty()) {
                options.setTrustOptions(new PemTrustOptions()
                        .addCertValue(Buffer.buffer(Base64.getDecoder().decode(k))));
            }
            return vertx.createHttpClient(options);
        });
    }

    void close() {
        clients.values().forEach(HttpClient::close);
    }
}
