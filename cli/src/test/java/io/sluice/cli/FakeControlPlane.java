package io.sluice.cli;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.model.WellKnown;
import io.sluice.model.control.RuntimeRequest;
import io.sluice.model.control.RuntimeRequests;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryStatus;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays the two services' parts of the request contract on the mock server: as the admission webhook, records each
 * new {@code sluice.io/request} in {@code status.request} (with the PATCH's field manager as the source); as the
 * analyzer, answers it in {@code status.requestHandled} with the outcome the test chose, or not at all.
 */
final class FakeControlPlane implements AutoCloseable {
    /** How the analyzer answers; {@code null} never answers. */
    private final String outcome;

    private final String message;
    private final boolean admit;
    private final MockApi api;
    private final SharedIndexInformer<Canary> informer;

    /** Counted down when a request is first recorded in the status. */
    final java.util.concurrent.CountDownLatch recorded = new java.util.concurrent.CountDownLatch(1);

    private static final Pattern FIELD_MANAGER = Pattern.compile("fieldManager=([^&]+)");

    private FakeControlPlane(MockApi api, boolean admit, String outcome, String message) {
        this.api = api;
        this.admit = admit;
        this.outcome = outcome;
        this.message = message;
        informer = api.client.resources(Canary.class).inAnyNamespace().inform(new ResourceEventHandler<Canary>() {
            @Override
            public void onAdd(Canary canary) {
                react(canary);
            }

            @Override
            public void onUpdate(Canary before, Canary canary) {
                react(canary);
            }

            @Override
            public void onDelete(Canary canary, boolean unknown) {}
        });
    }

    /** Records every request and answers it with {@code outcome} and {@code message}. */
    static FakeControlPlane answering(MockApi api, String outcome, String message) {
        return new FakeControlPlane(api, true, outcome, message);
    }

    /** Records every request; the analyzer never answers. */
    static FakeControlPlane recordingOnly(MockApi api) {
        return new FakeControlPlane(api, true, null, null);
    }

    private synchronized void react(Canary canary) {
        Map<String, String> annotations = canary.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(WellKnown.REQUEST_ANNOTATION);
        String id = annotations == null ? null : annotations.get(WellKnown.REQUEST_ID_ANNOTATION);
        CanaryStatus s = canary.getStatus();
        String ns = canary.getMetadata().getNamespace();
        String name = canary.getMetadata().getName();
        if (admit && value != null && (s == null || s.request == null || !Objects.equals(id, s.request.id))) {
            RuntimeRequest request = RuntimeRequest.parse(value);
            api.status(ns, name, st -> {
                CanaryStatus.RecordedRequest r = new CanaryStatus.RecordedRequest();
                r.action = request.action().wireName();
                r.revision = request.revision();
                r.user = "bob";
                r.source = lastFieldManager();
                r.requestedAt = "2026-12-06T03:10:00Z";
                r.uid = UUID.randomUUID().toString();
                r.id = id;
                st.request = r;
            });
            recorded.countDown();
            return;
        }
        if (outcome != null && s != null && RuntimeRequests.pending(s)) {
            api.status(ns, name, st -> {
                CanaryStatus.HandledRequest h = new CanaryStatus.HandledRequest();
                h.uid = st.request.uid;
                h.action = st.request.action;
                h.revision = st.request.revision;
                h.handledAt = "2026-12-06T03:10:01Z";
                h.outcome = outcome;
                h.message = message;
                st.requestHandled = h;
            });
        }
    }

    private String lastFieldManager() {
        if (api.patches.isEmpty()) {
            return "kubectl";
        }
        Matcher m = FIELD_MANAGER.matcher(api.patches.get(api.patches.size() - 1)[0]);
        return m.find() ? m.group(1) : "kubectl";
    }

    @Override
    public void close() {
        informer.close();
    }
}
