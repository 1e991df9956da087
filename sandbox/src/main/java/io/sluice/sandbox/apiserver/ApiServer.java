package io.sluice.sandbox.apiserver;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.sandbox.tls.Pki;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's Kubernetes API server: fabric8's mock server in CRUD mode keeps the objects
 * (plain HTTP on a loopback port nobody else is told about), and an HTTPS front in this class
 * adds what a real client needs from a real API server: discovery, server-side printing, the
 * three patch types and server-side apply, managed fields, generations, client-certificate
 * identities and the admission chain. Requests the front has nothing to add to (reads, deletes, watches) pass
 * through to the store unchanged.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_PATCH_RETRIES = 5;
    private static final java.util.Set<String> INVALIDATING =
            java.util.Set.of("namespaces", "mutatingwebhookconfigurations", "validatingwebhookconfigurations");

    private final Vertx vertx;
    private final Clock clock;
    private final Pki pki;
    private final Discovery discovery = new Discovery();
    private final KubernetesMockServer store;
    private StoreClient storeClient;
    private Deletions deletions;
    private GarbageCollector collector;
    private Watches watches;
    private Authorizer authorizer;
    private final AdmissionChain admission;
    private final Pki.Pem servingCert;
    private HttpServer front;

    // The store logs every request at INFO through java.util.logging; the front logs what matters.
    // Held here because java.util.logging keeps loggers only weakly, and with them their level.
    private static final java.util.logging.Logger STORE_LOG =
            java.util.logging.Logger.getLogger(MockWebServer.class.getName());

    static {
        STORE_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private ApiServer(Vertx vertx, Clock clock, ServiceResolver services) {
        this.vertx = vertx;
        this.clock = clock;
        this.pki = new Pki("sluice-sandbox-ca");
        this.servingCert = pki.issueServing("kubernetes", "default", List.of("localhost", "127.0.0.1"));
        this.store = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(List.of()), false);
        this.admission = new AdmissionChain(vertx, this::readStore, services);
    }

    /** Starts the store and the HTTPS front on loopback; {@code port} 0 picks a free one. */
    public static Future<ApiServer> start(Vertx vertx, int port, ServiceResolver services) {
        ApiServer server = new ApiServer(vertx, Clock.systemUTC(), services);
        return vertx.<Void>executeBlocking(() -> {
                    server.store.init(InetAddress.getLoopbackAddress(), 0);
                    return null;
                })
                .map(x -> {
                    server.storeClient = new StoreClient(vertx, server.store.getPort());
                    AtomicReference<GarbageCollector> gc = new AtomicReference<>();
                    server.deletions = new Deletions(
                            server.storeClient, server.clock, () -> gc.get().poke());
                    gc.set(new GarbageCollector(vertx, server.storeClient, server.discovery::types, server.deletions));
                    gc.get()
                            .deleteWith((type, name, path, policy) -> server.deletions.delete(
                                    type, name, path, new JsonObject().put("propagationPolicy", policy), false));
                    server.collector = gc.get();
                    server.watches = new Watches(vertx, server.store.getPort(), server.clock);
                    server.authorizer = new Authorizer(server.storeClient);
                    return null;
                })
                .compose(x -> server.storeClient.send(
                        HttpMethod.POST,
                        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                        Authorizer.CLUSTER_ADMIN.toBuffer(),
                        StoreClient.jsonHeaders()))
                .compose(x -> server.storeClient.send(
                        HttpMethod.POST,
                        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                        Authorizer.CLUSTER_ADMIN_BINDING.toBuffer(),
                        StoreClient.jsonHeaders()))
                .compose(x -> {
                    HttpServerOptions options = new HttpServerOptions()
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setSsl(true)
                            .setKeyCertOptions(new PemKeyCertOptions()
                                    .addCertValue(Buffer.buffer(server.servingCert.certificate()))
                                    .addKeyValue(Buffer.buffer(server.servingCert.privateKey())))
                            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(server.pki.caPem())))
                            .setClientAuth(ClientAuth.REQUEST)
                            .setMaxWebSocketFrameSize(1 << 22)
                            .setMaxWebSocketMessageSize(1 << 24);
                    server.front = vertx.createHttpServer(options).requestHandler(server::handle);
                    return server.front.listen();
                })
                .map(s -> {
                    LOG.info("sandbox API server listening on {}", server.url());
                    return server;
                });
    }

    public String url() {
        return "https://127.0.0.1:" + front.actualPort();
    }

    public String caPem() {
        return pki.caPem();
    }

    /** The sandbox CA also signs the sandbox's own serving certificates (test webhooks). */
    public Pki pki() {
        return pki;
    }

    /**
     * Writes a kubeconfig that reaches this server as {@code user} with {@code groups}, presented
     * as a client certificate exactly as kubeadm's admin.conf does.
     */
    public Path writeKubeconfig(Path file, String user, List<String> groups) {
        Pki.Pem client = pki.issueClient(user, groups);
        String yaml = "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: sluice-sandbox\n  cluster:\n    server: " + url() + "\n"
                + "    certificate-authority-data: " + b64(pki.caPem()) + "\n"
                + "users:\n- name: " + user + "\n  user:\n"
                + "    client-certificate-data: " + b64(client.certificate()) + "\n"
                + "    client-key-data: " + b64(client.privateKey()) + "\n"
                + "contexts:\n- name: sluice-sandbox\n  context:\n    cluster: sluice-sandbox\n    user: " + user + "\n"
                + "current-context: sluice-sandbox\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write kubeconfig " + file, e);
        }
        return file;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Installs a CRD (stores it, registers its kinds with discovery and the store). */
    public Future<Void> installCrd(JsonObject crd) {
        return forward(
                        HttpMethod.POST,
                        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                        crd.toBuffer(),
                        MultiMap.caseInsensitiveMultiMap())
                .compose(r -> {
                    if (r.status() >= 300 && r.status() != 409) {
                        return Future.failedFuture("cannot install CRD "
                                + crd.getJsonObject("metadata").getString("name") + ": " + r.body());
                    }
                    registerCrd(crd);
                    return Future.succeededFuture();
                });
    }

    private void registerCrd(JsonObject crd) {
        for (ResourceType t : discovery.addCrd(crd)) {
            store.expectCustomResource(new CustomResourceDefinitionContext.Builder()
                    .withGroup(t.group())
                    .withVersion(t.version())
                    .withKind(t.kind())
                    .withPlural(t.plural())
                    .withScope(t.namespaced() ? "Namespaced" : "Cluster")
                    .withStatusSubresource(t.subresources().contains("status"))
                    .build());
        }
    }

    @Override
    public void close() {
        if (front != null) {
            front.close().await();
        }
        if (collector != null) {
            collector.close();
        }
        admission.close();
        if (storeClient != null) {
            storeClient.close();
        }
        if (watches != null) {
            watches.close();
        }
        store.destroy();
    }

    // ---------------------------------------------------------------------------------------------
    // request handling

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (isWebSocket(req)) {
            req.pause();
            Optional<ResourcePath> rp = ResourcePath.parse(path);
            Future<Void> allowed;
            try {
                allowed = rp.isEmpty()
                        ? Future.succeededFuture()
                        : authorizer.authorize(
                                Impersonation.effective(user(req), req.headers()),
                                Authorizer.attributes("GET", rp.get(), true));
            } catch (RuntimeException e) {
                allowed = Future.failedFuture(e);
            }
            allowed.onSuccess(x -> watches.webSocket(req)).onFailure(e -> {
                req.resume();
                fail(req, e);
            });
            return;
        }
        req.body()
                .onFailure(e -> LOG.debug("request body lost: {}", e.getMessage()))
                .onSuccess(body -> {
                    Future<Void> done;
                    try {
                        done = route(req, path, body);
                    } catch (RuntimeException e) {
                        done = Future.failedFuture(e);
                    }
                    done.onFailure(e -> fail(req, e));
                });
    }

    private Future<Void> route(HttpServerRequest req, String path, Buffer body) {
        Optional<JsonObject> discovered = discoveryDocument(req.method(), path);
        if (discovered.isPresent()) {
            return respond(req, 200, discovered.get(), List.of());
        }
        if (req.method().equals(HttpMethod.GET) && path.startsWith("/openapi/v3")) {
            String gv = path.substring("/openapi/v3".length()).replaceAll("^/|/$", "");
            Optional<JsonObject> doc = gv.isEmpty()
                    ? Optional.of(discovery.openApiIndex())
                    : gv.startsWith("api/")
                            ? discovery.openApiDocument("", gv.substring(4))
                            : gv.startsWith("apis/") && gv.split("/").length == 3
                                    ? discovery.openApiDocument(gv.split("/")[1], gv.split("/")[2])
                                    : Optional.empty();
            if (doc.isPresent()) {
                return respond(req, 200, doc.get(), List.of());
            }
        }
        if (path.startsWith("/openapi/")) {
            return respond(
                    req,
                    404,
                    new ApiError(404, "NotFound", "the server could not find the requested resource").status(),
                    List.of());
        }
        Optional<ResourcePath> parsed = ResourcePath.parse(path);
        if (parsed.isEmpty()) {
            return proxy(req, body);
        }
        ResourcePath rp = parsed.get();
        Optional<ResourceType> type = discovery.find(rp.group(), rp.version(), rp.plural());
        if (type.isEmpty()) {
            return respond(
                    req,
                    404,
                    new ApiError(404, "NotFound", "the server could not find the requested resource").status(),
                    List.of());
        }
        Request r = new Request(req, rp, type.get(), body, Impersonation.effective(user(req), req.headers()));
        return authorizer
                .authorize(r.user(), Authorizer.attributes(req.method().name(), rp, isWatch(req)))
                .compose(x -> authorized(r));
    }

    private Future<Void> authorized(Request r) {
        HttpServerRequest req = r.http();
        ResourcePath rp = r.path();
        if (rp.plural().equals("selfsubjectreviews") && req.method().equals(HttpMethod.POST)) {
            return respond(
                    req,
                    201,
                    new JsonObject()
                            .put("apiVersion", r.type().apiVersion())
                            .put("kind", "SelfSubjectReview")
                            .put("metadata", new JsonObject().put("creationTimestamp", (String) null))
                            .put(
                                    "status",
                                    new JsonObject().put("userInfo", r.user().toJson())),
                    List.of());
        }
        HttpMethod m = req.method();
        if (!m.equals(HttpMethod.GET) && Authorizer.PLURALS.contains(rp.plural())) {
            authorizer.invalidate();
            return dispatch(r, m).onComplete(x -> authorizer.invalidate());
        }
        if (!m.equals(HttpMethod.GET) && INVALIDATING.contains(rp.plural())) {
            // Dropped before (no admission may see the old state once the write is sent) and after
            // (nothing read while the write was in flight may stay cached).
            admission.invalidate();
            return dispatch(r, m).onComplete(x -> admission.invalidate());
        }
        return dispatch(r, m);
    }

    private Future<Void> dispatch(Request r, HttpMethod m) {
        HttpServerRequest req = r.http();
        ResourcePath rp = r.path();
        Buffer body = r.body();
        if (m.equals(HttpMethod.GET)
                && !isWatch(req)
                && (rp.name() == null || Tables.wantsTable(req.getHeader("Accept")))) {
            return read(r);
        }
        if (m.equals(HttpMethod.GET) && isWatch(req)) {
            watches.http(req, r.type());
            return Future.succeededFuture();
        }
        if (m.equals(HttpMethod.POST) && rp.name() == null) {
            return create(r);
        }
        if (m.equals(HttpMethod.PUT) && rp.name() != null) {
            return update(r, attempt -> Future.succeededFuture(new JsonObject(body)), false);
        }
        if (m.equals(HttpMethod.PATCH) && rp.name() != null) {
            return patch(r);
        }
        if (m.equals(HttpMethod.DELETE) && rp.name() != null && rp.subresource() == null) {
            return delete(r);
        }
        return proxy(req, body);
    }

    private Optional<JsonObject> discoveryDocument(HttpMethod method, String path) {
        if (!method.equals(HttpMethod.GET)) {
            return Optional.empty();
        }
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (p.equals("/api")) {
            return Optional.of(discovery.coreVersions());
        }
        if (p.equals("/apis")) {
            return Optional.of(discovery.groups());
        }
        if (p.equals("/version")) {
            return Optional.of(new JsonObject()
                    .put("major", "1")
                    .put("minor", "30")
                    .put("gitVersion", "v1.30.0-sluice-sandbox")
                    .put("platform", "linux/amd64"));
        }
        if (p.equals("/healthz") || p.equals("/livez") || p.equals("/readyz")) {
            return Optional.of(new JsonObject().put("status", "ok"));
        }
        String[] s = p.split("/");
        if (s.length == 3 && s[1].equals("api")) {
            return discovery.resources("", s[2]);
        }
        if (s.length == 4 && s[1].equals("apis")) {
            return discovery.resources(s[2], s[3]);
        }
        if (s.length == 3 && s[1].equals("apis")) {
            return discovery.groups().getJsonArray("groups").stream()
                    .map(o -> (JsonObject) o)
                    .filter(g -> g.getString("name").equals(s[2]))
                    .findFirst()
                    .map(g -> g.copy().put("kind", "APIGroup").put("apiVersion", "v1"));
        }
        return Optional.empty();
    }

    private record Request(HttpServerRequest http, ResourcePath path, ResourceType type, Buffer body, UserInfo user) {
        boolean dryRun() {
            return http.params().getAll("dryRun").contains("All");
        }

        /** The request's options as an AdmissionReview carries them. */
        JsonObject options(String kind) {
            JsonObject o = new JsonObject()
                    .put("kind", kind)
                    .put("apiVersion", "meta.k8s.io/v1")
                    .put("fieldManager", fieldManager());
            if ("true".equals(http.getParam("force"))) {
                o.put("force", true);
            }
            return o;
        }

        String fieldManager() {
            String m = http.getParam("fieldManager");
            if (m != null && !m.isEmpty()) {
                return m;
            }
            String agent = http.getHeader("User-Agent");
            return agent == null || agent.isEmpty() ? "unknown" : agent.split("/")[0];
        }
    }

    /**
     * A read the store cannot answer alone: typed list kinds, field selectors (the store ignores most of them, and
     * {@code kubectl describe} finds an object's Events through {@code involvedObject.*}) and
     * server-side printing.
     */
    private Future<Void> read(Request r) {
        String selector = r.http().getParam("fieldSelector");
        String uri = selector == null ? r.http().uri() : withoutParam(r.http().uri(), "fieldSelector");
        return forward(HttpMethod.GET, uri, Buffer.buffer(), MultiMap.caseInsensitiveMultiMap())
                .compose(resp -> {
                    if (resp.status() != 200) {
                        return raw(r.http(), resp);
                    }
                    JsonObject body = new JsonObject(resp.body());
                    if (body.containsKey("items") && "List".equals(body.getString("kind"))) {
                        // The store answers every collection as a generic List; a real API server answers with
                        // the kind's own list type (CanaryList), and typed clients rely on it.
                        body.put("kind", r.type().kind() + "List")
                                .put("apiVersion", r.type().apiVersion());
                        if (!body.containsKey("metadata")) {
                            body.put("metadata", new JsonObject());
                        }
                    }
                    if (selector != null && body.containsKey("items")) {
                        body.put(
                                "items",
                                new io.vertx.core.json.JsonArray(body.getJsonArray("items").stream()
                                        .filter(o -> FieldSelectors.matches(selector, (JsonObject) o))
                                        .toList()));
                    }
                    if (Tables.wantsTable(r.http().getHeader("Accept"))) {
                        body = Tables.toTable(r.type(), body, clock.instant());
                    }
                    return respond(r.http(), 200, body, List.of());
                });
    }

    private static String withoutParam(String uri, String param) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        String kept = java.util.Arrays.stream(uri.substring(q + 1).split("&"))
                .filter(p -> !p.startsWith(param + "="))
                .collect(java.util.stream.Collectors.joining("&"));
        return uri.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept);
    }

    private Future<Void> create(Request r) {
        JsonObject object;
        try {
            object = new JsonObject(r.body());
        } catch (RuntimeException e) {
            throw new ApiError(400, "BadRequest", "the request body is not JSON: " + e.getMessage());
        }
        return create(r, object, null);
    }

    /**
     * Creates {@code object}; {@code applied} is the applied configuration when the create comes from a
     * server-side apply (its manager then owns what it set, operation Apply), null for a POST.
     */
    private Future<Void> create(Request r, JsonObject object, JsonObject applied) {
        JsonObject meta = object.getJsonObject("metadata");
        if (meta == null) {
            object.put("metadata", meta = new JsonObject());
        }
        if (r.path().namespace() != null) {
            String ns = meta.getString("namespace");
            if (ns != null && !ns.equals(r.path().namespace())) {
                throw new ApiError(
                        400,
                        "BadRequest",
                        "the namespace of the provided object does not match the namespace " + "sent on the request");
            }
            meta.put("namespace", r.path().namespace());
        }
        if (meta.getString("name") == null && meta.getString("generateName") != null) {
            meta.put("name", meta.getString("generateName") + randomSuffix());
        }
        String name = meta.getString("name");
        if (name == null || name.isEmpty()) {
            throw new ApiError(
                    422,
                    "Invalid",
                    r.type().kind() + " \"\" is invalid: metadata.name: Required value: name "
                            + "or generateName is required");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        meta.put("uid", UUID.randomUUID().toString())
                .put("creationTimestamp", now.toString())
                .put("generation", 1);
        meta.remove("managedFields");
        if (applied == null) {
            ManagedFields.recordUpdate(
                    null, object, r.fieldManager(), null, r.type().apiVersion(), now);
        } else {
            ManagedFields.recordCreateByApply(
                    object, applied, r.fieldManager(), r.type().apiVersion(), now);
        }
        Defaults.apply(r.type(), object);
        AdmissionChain.Attributes attrs = new AdmissionChain.Attributes(
                r.type(),
                null,
                r.path().namespace(),
                name,
                "CREATE",
                object,
                null,
                r.dryRun(),
                r.options(applied == null ? "CreateOptions" : "PatchOptions"),
                r.user());
        return admission.admit(attrs).compose(admitted -> {
            if (r.dryRun()) {
                return respond(r.http(), 201, admitted.object(), admitted.warnings());
            }
            return forward(
                            HttpMethod.POST,
                            r.path().collectionPath(),
                            admitted.object().toBuffer(),
                            StoreClient.jsonHeaders())
                    .compose(resp -> {
                        if (resp.status() < 300 && r.type().kind().equals("CustomResourceDefinition")) {
                            registerCrd(new JsonObject(resp.body()));
                        }
                        if (resp.status() < 300
                                && admitted.object().getJsonObject("metadata").containsKey("ownerReferences")) {
                            collector.poke();
                        }
                        return raw(r.http(), resp, admitted.warnings());
                    });
        });
    }

    private Future<Void> patch(Request r) {
        String contentType = r.http().getHeader("Content-Type");
        String type =
                contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (type.equals("application/apply-patch+yaml")) {
            return serverSideApply(r);
        }
        if (type.equals("application/apply-patch+cbor")) {
            throw new ApiError(
                    415,
                    "UnsupportedMediaType",
                    "the sandbox API server takes apply configurations as " + "application/apply-patch+yaml only");
        }
        if (type.equals(Patches.STRATEGIC_MERGE_PATCH)
                && r.type().group().contains(".")
                && !r.type().group().endsWith("k8s.io")) {
            throw new ApiError(
                    415,
                    "UnsupportedMediaType",
                    "strategic merge patch is not supported for custom resources; "
                            + "use a JSON merge patch or a JSON patch");
        }
        String patchBody = r.body().toString(StandardCharsets.UTF_8);
        return update(
                r,
                current -> {
                    JsonObject patched = Patches.apply(contentType, current, patchBody);
                    return Future.succeededFuture(patched);
                },
                true);
    }

    /**
     * Server-side apply: creates the object from the applied configuration when it is absent, else
     * merges the configuration into it with {@link ManagedFields#apply} (409 on conflicts unless
     * {@code force=true}); either way the result goes through admission like any other write.
     */
    private Future<Void> serverSideApply(Request r) {
        if (r.path().subresource() != null) {
            throw new ApiError(
                    415,
                    "UnsupportedMediaType",
                    "the sandbox API server applies to the main resource only, " + "not to the "
                            + r.path().subresource() + " subresource");
        }
        String manager = r.http().getParam("fieldManager");
        if (manager == null || manager.isEmpty()) {
            throw new ApiError(
                    422,
                    "Invalid",
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                            + "is required for apply patch");
        }
        JsonObject applied = appliedConfiguration(r);
        boolean force = "true".equals(r.http().getParam("force"));
        return readStore(r.path().objectPath()).compose(current -> {
            if (current == null) {
                return create(r, applied.copy(), applied);
            }
            return update(
                    r,
                    live -> Future.succeededFuture(ManagedFields.apply(
                            live,
                            applied,
                            manager,
                            force,
                            r.type().apiVersion(),
                            clock.instant().truncatedTo(ChronoUnit.SECONDS))),
                    true,
                    true);
        });
    }

    private static JsonObject appliedConfiguration(Request r) {
        String text = r.body().toString(StandardCharsets.UTF_8);
        JsonObject applied;
        try {
            applied = new JsonObject(text);
        } catch (RuntimeException notJson) {
            List<JsonObject> docs;
            try {
                docs = io.sluice.sandbox.Manifests.parse(text);
            } catch (RuntimeException e) {
                throw new ApiError(
                        400, "BadRequest", "the apply configuration is neither JSON nor YAML: " + e.getMessage());
            }
            if (docs.size() != 1) {
                throw new ApiError(400, "BadRequest", "the apply configuration must be one object");
            }
            applied = docs.get(0);
        }
        if (!r.type().apiVersion().equals(applied.getString("apiVersion"))
                || !r.type().kind().equals(applied.getString("kind"))) {
            throw new ApiError(
                    400,
                    "BadRequest",
                    "the apply configuration's apiVersion and kind (" + applied.getString("apiVersion") + ", "
                            + applied.getString("kind") + ") do not match the resource ("
                            + r.type().apiVersion()
                            + ", " + r.type().kind() + ")");
        }
        JsonObject meta = applied.getJsonObject("metadata", new JsonObject());
        if (!r.path().name().equals(meta.getString("name"))) {
            throw new ApiError(
                    400,
                    "BadRequest",
                    "the name of the object (" + meta.getString("name") + ") does not match the name on the URL ("
                            + r.path().name() + ")");
        }
        meta.remove("managedFields");
        meta.remove("creationTimestamp");
        applied.remove("status");
        return applied;
    }

    /**
     * Read, modify, admit, store: a PUT or a PATCH. A patch that did not name a resourceVersion is
     * retried on a write conflict, as the real API server does; a PUT's conflict is the client's.
     */
    private Future<Void> update(
            Request r, java.util.function.Function<JsonObject, Future<JsonObject>> change, boolean retryOnConflict) {
        return updateAttempt(r, change, retryOnConflict, false, 0);
    }

    /** {@code applied}: the change is a server-side apply and has set managedFields itself. */
    private Future<Void> update(
            Request r,
            java.util.function.Function<JsonObject, Future<JsonObject>> change,
            boolean retryOnConflict,
            boolean applied) {
        return updateAttempt(r, change, retryOnConflict, applied, 0);
    }

    private Future<Void> updateAttempt(
            Request r,
            java.util.function.Function<JsonObject, Future<JsonObject>> change,
            boolean retryOnConflict,
            boolean applied,
            int attempt) {
        return readStore(r.path().objectPath()).compose(current -> {
            if (current == null) {
                throw ApiError.notFound(r.type(), r.path().name());
            }
            return change.apply(current.copy()).compose(next -> {
                String sub = r.path().subresource();
                JsonObject desired = prepareUpdate(r, current, next, sub, applied);
                AdmissionChain.Attributes attrs = new AdmissionChain.Attributes(
                        r.type(),
                        sub,
                        r.path().namespace(),
                        r.path().name(),
                        "UPDATE",
                        desired,
                        current,
                        r.dryRun(),
                        r.options(r.http().method().equals(HttpMethod.PATCH) ? "PatchOptions" : "UpdateOptions"),
                        r.user());
                return admission.admit(attrs).compose(admitted -> {
                    if (r.dryRun()) {
                        return respond(r.http(), 200, admitted.object(), admitted.warnings());
                    }
                    return forward(
                                    HttpMethod.PUT,
                                    r.path().objectPath() + (sub == null ? "" : "/" + sub),
                                    admitted.object().toBuffer(),
                                    StoreClient.jsonHeaders())
                            .compose(resp -> {
                                if (resp.status() == 409 && retryOnConflict && attempt < MAX_PATCH_RETRIES) {
                                    return updateAttempt(r, change, true, applied, attempt + 1);
                                }
                                return finishDeletion(r, admitted.object(), resp)
                                        .compose(answer -> raw(r.http(), answer, admitted.warnings()));
                            });
                });
            });
        });
    }

    /**
     * An update that removed the last finalizer of an object being deleted removes the object; the
     * client is answered with the object as written.
     */
    private Future<StoreClient.Response> finishDeletion(Request r, JsonObject written, StoreClient.Response resp) {
        JsonObject meta = written.getJsonObject("metadata");
        if (resp.status() >= 300 || meta.getString("deletionTimestamp") == null) {
            return Future.succeededFuture(resp);
        }
        collector.poke();
        if (!Deletions.strings(meta.getJsonArray("finalizers")).isEmpty()) {
            return Future.succeededFuture(resp);
        }
        JsonObject answer = resp.body().isBlank() ? written : resp.json();
        return storeClient
                .delete(r.path().objectPath())
                .map(d -> new StoreClient.Response(200, answer.encode(), StoreClient.jsonHeaders()));
    }

    private Future<Void> delete(Request r) {
        JsonObject options = r.body().length() == 0 ? new JsonObject() : new JsonObject(r.body());
        String policy = r.http().getParam("propagationPolicy");
        if (policy != null) {
            options.put("propagationPolicy", policy);
        }
        boolean dryRun = r.dryRun()
                || options.getJsonArray("dryRun", new io.vertx.core.json.JsonArray())
                        .contains("All");
        return deletions
                .delete(r.type(), r.path().name(), r.path().objectPath(), options, dryRun)
                .compose(o -> {
                    if (!o.removed() || r.type().custom()) {
                        return respond(r.http(), 200, o.object(), List.of());
                    }
                    JsonObject meta = o.object().getJsonObject("metadata");
                    return respond(
                            r.http(),
                            200,
                            new JsonObject()
                                    .put("kind", "Status")
                                    .put("apiVersion", "v1")
                                    .put("metadata", new JsonObject())
                                    .put("status", "Success")
                                    .put(
                                            "details",
                                            new JsonObject()
                                                    .put("name", meta.getString("name"))
                                                    .put("group", r.type().group())
                                                    .put("kind", r.type().plural())
                                                    .put("uid", meta.getString("uid"))),
                            List.of());
                });
    }

    private JsonObject prepareUpdate(Request r, JsonObject current, JsonObject next, String sub, boolean applied) {
        JsonObject currentMeta = current.getJsonObject("metadata");
        JsonObject meta = next.getJsonObject("metadata");
        if (meta == null) {
            next.put("metadata", meta = new JsonObject());
        }
        String rv = meta.getString("resourceVersion");
        if (rv != null && !rv.isEmpty() && !rv.equals(currentMeta.getString("resourceVersion"))) {
            throw new ApiError(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled on " + r.type().plural()
                            + (r.type().group().isEmpty() ? "" : "." + r.type().group()) + " \""
                            + r.path().name()
                            + "\": the object has been modified; please apply your changes to the latest version and try again");
        }
        for (String fixed : List.of("uid", "creationTimestamp", "namespace", "name")) {
            if (currentMeta.containsKey(fixed)) {
                meta.put(fixed, currentMeta.getValue(fixed));
            }
        }
        meta.put("resourceVersion", currentMeta.getString("resourceVersion"));
        Deletions.keepDeletionMark(r.type(), r.path().name(), current, next);
        if (!meta.containsKey("managedFields") && currentMeta.containsKey("managedFields")) {
            meta.put("managedFields", currentMeta.getJsonArray("managedFields").copy());
        }
        if ("status".equals(sub)) {
            next.put("metadata", currentMeta.copy().put("managedFields", meta.getJsonArray("managedFields")));
            meta = next.getJsonObject("metadata");
            for (String k : current.fieldNames()) {
                if (!k.equals("status") && !k.equals("metadata")) {
                    next.put(k, current.getValue(k));
                }
            }
        } else {
            Defaults.apply(r.type(), next);
            if (current.containsKey("status")) {
                next.put("status", current.getValue("status"));
            }
            long generation = currentMeta.getLong("generation", 1L);
            if (!Objects.equals(withoutMetaAndStatus(current), withoutMetaAndStatus(next))) {
                generation++;
            }
            meta.put("generation", generation);
        }
        if (!applied) {
            ManagedFields.recordUpdate(
                    current,
                    next,
                    r.fieldManager(),
                    sub,
                    r.type().apiVersion(),
                    clock.instant().truncatedTo(ChronoUnit.SECONDS));
        }
        return next;
    }

    private static JsonObject withoutMetaAndStatus(JsonObject o) {
        JsonObject c = o.copy();
        c.remove("metadata");
        c.remove("status");
        return c;
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // identities

    private static UserInfo user(HttpServerRequest req) {
        try {
            if (!req.isSSL() || req.connection().sslSession() == null) {
                return UserInfo.ANONYMOUS;
            }
            List<Certificate> peers = req.connection().peerCertificates();
            if (peers == null || peers.isEmpty() || !(peers.get(0) instanceof X509Certificate cert)) {
                return UserInfo.ANONYMOUS;
            }
            String cn = null;
            List<String> groups = new ArrayList<>();
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(0, String.valueOf(rdn.getValue()));
                }
            }
            return cn == null ? UserInfo.ANONYMOUS : new UserInfo(cn, groups);
        } catch (javax.net.ssl.SSLPeerUnverifiedException | InvalidNameException e) {
            return UserInfo.ANONYMOUS;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // talking to the store

    private Future<JsonObject> readStore(String path) {
        return storeClient.get(path);
    }

    private Future<StoreClient.Response> forward(HttpMethod method, String uri, Buffer body, MultiMap headers) {
        return storeClient.send(method, uri, body, headers);
    }

    private Future<Void> proxy(HttpServerRequest req, Buffer body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String h : List.of("Content-Type", "Accept")) {
            if (req.getHeader(h) != null) {
                headers.add(h, req.getHeader(h));
            }
        }
        return forward(req.method(), req.uri(), body, headers).compose(resp -> raw(req, resp));
    }

    private static boolean isWatch(HttpServerRequest req) {
        return "true".equals(req.getParam("watch")) || "1".equals(req.getParam("watch"));
    }

    private static boolean isWebSocket(HttpServerRequest req) {
        String upgrade = req.getHeader("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    // ---------------------------------------------------------------------------------------------
    // responses

    private Future<Void> raw(HttpServerRequest req, StoreClient.Response resp) {
        return raw(req, resp, List.of());
    }

    private Future<Void> raw(HttpServerRequest req, StoreClient.Response resp, List<String> warnings) {
        var response = req.response().setStatusCode(resp.status());
        String contentType = resp.headers().get("Content-Type");
        response.putHeader("Content-Type", contentType == null ? "application/json" : contentType);
        warnings.forEach(w -> response.headers().add("Warning", warning(w)));
        return response.end(resp.body());
    }

    private static Future<Void> respond(HttpServerRequest req, int status, JsonObject body, List<String> warnings) {
        var response = req.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        warnings.forEach(w -> response.headers().add("Warning", warning(w)));
        return response.end(body.toBuffer());
    }

    private static String warning(String text) {
        return "299 - \"" + text.replace("\"", "'").replace("\n", " ") + "\"";
    }

    private static void fail(HttpServerRequest req, Throwable e) {
        if (req.response().ended()) {
            return;
        }
        ApiError error;
        if (e instanceof ApiError a) {
            error = a;
        } else if (e instanceof Patches.PatchException p) {
            error = new ApiError(p.code, p.reason, p.getMessage());
        } else if (e instanceof io.vertx.core.json.DecodeException) {
            error = new ApiError(400, "BadRequest", "the request body is not valid JSON: " + e.getMessage());
        } else {
            LOG.warn("request {} {} failed", req.method(), req.uri(), e);
            error = new ApiError(500, "InternalError", "Internal error occurred: " + e.getMessage());
        }
        req.response()
                .setStatusCode(error.code)
                .putHeader("Content-Type", "application/json")
                .end(error.status().toBuffer());
    }

    /** Exempts {@code user} from RBAC (see Environment: Sluice's own service accounts, until their Roles suffice). */
    public void unrestrict(String user) {
        authorizer.unrestrict(user);
    }

    /** The kinds of request {@code user} has made, as RBAC judged them (allowed or not), each once. */
    public java.util.Set<ApiCall> calls(String user) {
        return authorizer.calls(user);
    }

    /** Reads one object as JSON, for the sandbox's own controllers and tests. */
    public Future<JsonObject> get(String path) {
        return readStore(path);
    }
}
