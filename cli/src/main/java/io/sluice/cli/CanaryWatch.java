package io.sluice.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.model.flagger.Canary;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every state one Canary goes through, from an informer (a list, then a watch that resumes on its own): the
 * commands that wait read them in order and decide on each, so that no state is missed and nothing polls.
 */
final class CanaryWatch implements AutoCloseable {
    /** A state of the Canary; empty when it was deleted. */
    private final BlockingQueue<Optional<Canary>> states = new LinkedBlockingQueue<>();

    private final SharedIndexInformer<Canary> informer;

    CanaryWatch(KubernetesClient client, String namespace, String name) {
        informer = CanaryCommand.canaries(client)
                .inNamespace(namespace)
                .withName(name)
                .inform(new ResourceEventHandler<Canary>() {
                    @Override
                    public void onAdd(Canary canary) {
                        states.add(Optional.of(canary));
                    }

                    @Override
                    public void onUpdate(Canary before, Canary canary) {
                        states.add(Optional.of(canary));
                    }

                    @Override
                    public void onDelete(Canary canary, boolean finalStateUnknown) {
                        states.add(Optional.empty());
                    }
                });
    }

    /** Thrown by {@link #next} when the Canary was deleted while waiting. */
    static final class Deleted extends Exception {
        Deleted() {
            super("the canary was deleted", null, false, false);
        }
    }

    /**
     * The Canary's next state, blocking until there is one or {@code deadline} passes.
     *
     * @return the state, or {@code null} when the deadline passed first
     * @throws Deleted when the Canary was deleted
     */
    Canary next(Instant deadline) throws InterruptedException, Deleted {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        Optional<Canary> state = left <= 0 ? states.poll() : states.poll(left, TimeUnit.MILLISECONDS);
        if (state == null) {
            return null;
        }
        return state.orElseThrow(Deleted::new);
    }

    @Override
    public void close() {
        informer.close();
    }
}
