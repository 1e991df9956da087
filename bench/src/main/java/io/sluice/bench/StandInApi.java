package io.sluice.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD mock API server, made to hold a large cluster, plus what the benchmark observes at it.
 *
 * <ul>
 *   <li>The mock finds an object by scanning every stored object (one {@code AttributeSet.matches} per object and
 *       request); with 100,000 objects that is milliseconds per request under one lock, and the stand-in, not the
 *       analyzer, would be measured. Here the store's map keeps an index by resource, namespace and name, and single
 *       objects are found through it; lists and watches stay the mock's.
 *   <li>It plays the Deployment controller: after every write of a Deployment's spec it writes a finished rollout
 *       (all replicas updated, ready and available at the current generation) as the status, a second write with its
 *       own watch event, as a real controller's.
 *   <li>It answers {@code limit} and {@code continue} as an API server does, in pages of one snapshot of the list
 *       (the mock answers every list whole), so that the services' paged lists are what is measured.
 *   <li>It counts the requests it answers (by method; watches apart) and the time spent answering them, and records
 *       each Canary's phase from the status the analyzer writes.
 *   <li>A watch's end runs off the mock server's event loop ({@link OffLoopWatchClose}), where the mock's own would
 *       stop every request for up to 30 s per closing watch.
 * </ul>
 */
final class StandInApi extends KubernetesCrudDispatcher {
    private static final Pattern DEPLOYMENT =
            Pattern.compile("^/apis/apps/v1/namespaces/([^/]+)/deployments(/([^/?]+))?(\\?.*)?$");
    private static final Pattern CANARY_STATUS =
            Pattern.compile("^/apis/flagger\\.app/v1beta1/namespaces/([^/]+)/canaries/([^/?]+)/status");
    private static final Pattern PHASE = Pattern.compile("\"phase\"\\s*:\\s*\"([A-Za-z]+)\"");

    private static final Pattern LIMIT = Pattern.compile("[?&]limit=(\\d+)");
    private static final Pattern CONTINUE = Pattern.compile("[?&]continue=([^&]+)");

    private static final boolean DEBUG = Boolean.getBoolean("bench.debug");
    /**
     * The lists whose later pages are still to be asked for, by the id their continue tokens carry; the oldest of
     * more than {@link #KEPT_LISTS} is dropped, as an API server lets an unfinished list's token expire.
     */
    private final Map<String, ListSnapshot> snapshots = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ListSnapshot> eldest) {
            return size() > KEPT_LISTS;
        }
    });

    static final int KEPT_LISTS = 64;

    private final AtomicLong lists = new AtomicLong();
    /** List pages answered with a limit. */
    final LongAdder pages = new LongAdder();

    private final Indexed index = new Indexed();

    /** Requests answered, by method, watches excluded. */
    final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    /** Watches opened. */
    final LongAdder watches = new LongAdder();
    /** Nanoseconds spent answering requests (watches excluded). */
    final LongAdder busyNanos = new LongAdder();
    /** The last phase each Canary's status was written with, by {@code namespace/name}. */
    final Map<String, String> phases = new ConcurrentHashMap<>();
    /** When each Canary's status first said {@code Initialized} (ms since the epoch). */
    final Map<String, Long> initializedAt = new ConcurrentHashMap<>();

    /** The mock's watch listeners, which every write sends its event to. */
    private final Set<?> watchers;
    /**
     * Where watches end, off the event loop: daemon threads that stop when idle, never shut down, so that a watch the
     * mock server closes on its way down still shuts its sender thread down.
     */
    private final ExecutorService watchCloser = Executors.newCachedThreadPool(new ThreadFactory());

    StandInApi() {
        super(List.of());
        try {
            Field f = io.fabric8.mockwebserver.crud.CrudDispatcher.class.getDeclaredField("map");
            f.setAccessible(true);
            f.set(this, index);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot index the mock server's store", e);
        }
        try {
            Field f = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
            f.setAccessible(true);
            watchers = (Set<?>) f.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the mock server's watches", e);
        }
    }

    /** Watches open or opening, not yet ended. */
    int watching() {
        return watchers.size();
    }

    @Override
    public MockResponse handleWatch(String path) {
        MockResponse watch = super.handleWatch(path);
        WebSocketListener mocks = watch.getWebSocketListener();
        return watch.withWebSocketUpgrade(new OffLoopWatchClose(mocks, watchCloser, () -> watchers.remove(mocks)));
    }

    private static final class ThreadFactory implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "stand-in-watch-close-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    long requestCount() {
        return requests.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        if (path != null && path.contains("watch=true")) {
            watches.increment();
            return super.dispatch(request);
        }
        long start = System.nanoTime();
        if (DEBUG && !"GET".equals(request.getMethod())) {
            System.out.println(request.getMethod() + " " + path);
        }
        try {
            return super.dispatch(request);
        } finally {
            busyNanos.add(System.nanoTime() - start);
            requests.computeIfAbsent(request.getMethod(), m -> new LongAdder()).increment();
        }
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        String key = Indexed.key(query);
        if (key == null) {
            return super.findResource(query);
        }
        synchronized (index) {
            for (AttributeSet candidate : index.byName.getOrDefault(key, List.of())) {
                if (candidate.matches(query)) {
                    return Map.entry(candidate, index.get(candidate));
                }
            }
        }
        return null;
    }

    @Override
    public MockResponse handleGet(String path) {
        // One object by its name, through the index; a list (no name) is the mock's or a page.
        if (path.indexOf('?') < 0 && Indexed.key(getKey(path)) != null) {
            Map.Entry<AttributeSet, String> found = findResource(getKey(path));
            if (found != null) {
                return new MockResponse().setResponseCode(200).setBody(found.getValue());
            }
        }
        Matcher limit = LIMIT.matcher(path);
        if (limit.find()) {
            return page(path, Integer.parseInt(limit.group(1)));
        }
        return super.handleGet(path);
    }

    /**
     * A list in pages of {@code limit} items, as an API server answers {@code limit} and {@code continue}: the first
     * page takes a snapshot of the whole list, and the {@code continue} token of each page names the snapshot and
     * the position of the next, so that every page comes from one consistent list (the mock alone ignores both
     * parameters and answers the whole list at once). A token that names no snapshot is a 410 Gone, as an expired one
     * is.
     */
    private MockResponse page(String path, int limit) {
        Matcher cont = CONTINUE.matcher(path);
        String token = cont.find() ? URLDecoder.decode(cont.group(1), StandardCharsets.UTF_8) : null;
        ListSnapshot snapshot;
        int from;
        if (token == null) {
            MockResponse whole = super.handleGet(unpaged(path));
            if (whole.code() != 200) {
                return whole;
            }
            JsonObject list = new JsonObject(new String(whole.getBody().getBytes(), StandardCharsets.UTF_8));
            snapshot = new ListSnapshot(list, list.getJsonArray("items", new JsonArray()));
            from = 0;
        } else {
            int colon = token.lastIndexOf(':');
            snapshot = colon < 0 ? null : snapshots.get(token.substring(0, colon));
            if (snapshot == null) {
                return new MockResponse()
                        .setResponseCode(410)
                        .setBody(new JsonObject()
                                .put("kind", "Status")
                                .put("apiVersion", "v1")
                                .put("status", "Failure")
                                .put("reason", "Expired")
                                .put("code", 410)
                                .put("message", "continue token " + token + " names no list")
                                .encode());
            }
            from = Integer.parseInt(token.substring(colon + 1));
        }
        JsonArray items = snapshot.items();
        int to = limit <= 0 ? items.size() : Math.min(items.size(), from + limit);
        JsonObject page = snapshot.list().copy();
        page.put("items", new JsonArray(items.getList().subList(from, to)));
        JsonObject meta = page.getJsonObject("metadata", new JsonObject());
        page.put("metadata", meta);
        String id = token == null ? "list-" + lists.incrementAndGet() : token.substring(0, token.lastIndexOf(':'));
        if (to < items.size()) {
            snapshots.put(id, snapshot);
            meta.put("continue", id + ":" + to);
            meta.put("remainingItemCount", items.size() - to);
        } else {
            snapshots.remove(id);
            meta.remove("continue");
            meta.remove("remainingItemCount");
        }
        pages.increment();
        return new MockResponse().setResponseCode(200).setBody(page.encode());
    }

    /** {@code path} without its {@code limit} and {@code continue} parameters. */
    static String unpaged(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return path;
        }
        StringBuilder kept = new StringBuilder();
        for (String param : path.substring(q + 1).split("&")) {
            if (param.isEmpty() || param.startsWith("limit=") || param.startsWith("continue=")) {
                continue;
            }
            kept.append(kept.length() == 0 ? "?" : "&").append(param);
        }
        return path.substring(0, q) + kept;
    }

    /** A list taken whole for its pages. */
    private record ListSnapshot(JsonObject list, JsonArray items) {}

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return controlled(request, super.handleCreate(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return controlled(request, statusWritten(request, super::handleUpdate));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return controlled(request, statusWritten(request, super::handlePatch));
    }

    /**
     * Answers {@code request} with {@code write}, and records the phase a Canary status write (a patch or a PUT) carried
     * once it is stored.
     */
    private MockResponse statusWritten(
            RecordedRequest request, java.util.function.Function<RecordedRequest, MockResponse> write) {
        Matcher m = CANARY_STATUS.matcher(request.getPath());
        // getBytes() leaves the body to be read; getUtf8Body() would consume it.
        String body = m.find() ? new String(request.getBody().getBytes(), StandardCharsets.UTF_8) : null;
        MockResponse r = write.apply(request);
        if (body != null && r.code() < 300) {
            Matcher p = PHASE.matcher(body);
            if (p.find()) {
                String key = m.group(1) + "/" + m.group(2);
                phases.put(key, p.group(1));
                if ("Initialized".equals(p.group(1))) {
                    initializedAt.putIfAbsent(key, System.currentTimeMillis());
                }
            }
        }
        return r;
    }

    /** The object stored at {@code path} as JSON, read in-process and uncounted; null when there is none. */
    String read(String path) {
        Map.Entry<AttributeSet, String> found = findResource(getKey(path));
        return found == null ? null : found.getValue();
    }

    /** Writes, in-process and uncounted, what a client would send: for seeding the cluster in bulk. */
    MockResponse write(HttpMethod method, String path, String body, String contentType) {
        RecordedRequest r = new RecordedRequest(
                "HTTP/1.1",
                method,
                path,
                Headers.builder().add("Content-Type", contentType).build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8)));
        MockResponse answer = switch (method) {
            case POST -> handleCreate(r);
            case PUT -> handleUpdate(r);
            case PATCH -> handlePatch(r);
            default -> throw new IllegalArgumentException("not a write: " + method);
        };
        if (answer.code() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.code() + ": "
                    + answer.getBody().readUtf8());
        }
        return answer;
    }

    /** The Deployment controller's part: a Deployment whose spec was written gets a finished rollout. */
    private MockResponse controlled(RecordedRequest request, MockResponse answer) {
        if (answer.code() >= 300) {
            return answer;
        }
        Matcher m = DEPLOYMENT.matcher(request.getPath());
        if (!m.matches() || request.getPath().contains("/status")) {
            return answer;
        }
        JsonObject d = new JsonObject(new String(answer.getBody().getBytes(), StandardCharsets.UTF_8));
        JsonObject meta = d.getJsonObject("metadata");
        long generation = meta.getLong("generation", 1L);
        int replicas = d.getJsonObject("spec").getInteger("replicas", 1);
        JsonObject status = new JsonObject()
                .put("observedGeneration", generation)
                .put("replicas", replicas)
                .put("updatedReplicas", replicas)
                .put("readyReplicas", replicas)
                .put("availableReplicas", replicas);
        if (status.equals(d.getJsonObject("status"))) {
            return answer;
        }
        d.put("status", status);
        String path = "/apis/apps/v1/namespaces/" + meta.getString("namespace") + "/deployments/"
                + meta.getString("name") + "/status";
        RecordedRequest put = new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.PUT,
                path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(d.encode().getBytes(StandardCharsets.UTF_8)));
        super.handleUpdate(put);
        return answer;
    }

    /** The mock's store, with an index by resource, namespace and name. Guarded by its own monitor. */
    static final class Indexed extends LinkedHashMap<AttributeSet, String> {
        private static final long serialVersionUID = 1L;
        final transient Map<String, List<AttributeSet>> byName = new java.util.HashMap<>();

        static String key(AttributeSet s) {
            String plural = value(s.getAttribute("plural"));
            String name = value(s.getAttribute("name"));
            if (plural == null || name == null) {
                return null;
            }
            String ns = value(s.getAttribute("namespace"));
            return plural + "|" + (ns == null ? "" : ns) + "|" + name;
        }

        private static String value(Attribute a) {
            return a == null || a.getValues().size() != 1
                    ? null
                    : a.getValues().get(0).toString();
        }

        @Override
        public synchronized String put(AttributeSet k, String v) {
            String old = super.put(k, v);
            String key = key(k);
            if (old == null && key != null) {
                byName.computeIfAbsent(key, x -> new ArrayList<>(1)).add(k);
            }
            return old;
        }

        @Override
        public synchronized String remove(Object k) {
            String old = super.remove(k);
            if (old != null && k instanceof AttributeSet s) {
                String key = key(s);
                List<AttributeSet> l = key == null ? null : byName.get(key);
                if (l != null) {
                    l.remove(s);
                    if (l.isEmpty()) {
                        byName.remove(key);
                    }
                }
            }
            return old;
        }

        @Override
        public synchronized String get(Object k) {
            return super.get(k);
        }

        @Override
        public synchronized void clear() {
            super.clear();
            byName.clear();
        }
    }
}
