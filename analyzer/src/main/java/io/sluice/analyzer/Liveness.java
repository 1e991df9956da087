package io.sluice.analyzer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether the controller still makes progress, for {@code /healthz}: Kubernetes restarts a wedged leader (and its Lease
 * goes to a standby). Two signs of a wedge:
 *
 * <ul>
 *   <li>its event loop stopped: the controller's context beats every second ({@link #beat()}); no beat for
 *       {@link #MAX_SILENCE} means something blocks it;
 *   <li>a reconcile far past any deadline: every call a reconcile makes has a timeout well under a minute (API calls
 *       30 s, metric queries 5 s, webhooks 10 s per attempt), so one running longer than {@link #MAX_RECONCILE} is
 *       stuck.
 * </ul>
 *
 * A process that is not running a controller (a standby, or before the informers synced) is alive. Thread-safe: beats
 * and reconciles are recorded on the controller's context, the probe reads on the health server's.
 */
final class Liveness {
    static final Duration MAX_SILENCE = Duration.ofSeconds(30);
    static final Duration MAX_RECONCILE = Duration.ofMinutes(10);

    private final LongSupplier nanos;
    private volatile long lastBeat;
    private volatile boolean beating;
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    Liveness(LongSupplier nanos) {
        this.nanos = nanos;
    }

    static Liveness system() {
        return new Liveness(System::nanoTime);
    }

    /** The controller's event loop ran a periodic timer. */
    void beat() {
        lastBeat = nanos.getAsLong();
        beating = true;
    }

    /** The controller stopped on purpose: no more beats are expected. */
    void stopped() {
        beating = false;
        running.clear();
    }

    void reconcileStarted(String key) {
        running.put(key, nanos.getAsLong());
    }

    void reconcileEnded(String key) {
        running.remove(key);
    }

    /** Null while alive, else what is wrong. */
    String problem() {
        long now = nanos.getAsLong();
        if (beating && now - lastBeat > MAX_SILENCE.toNanos()) {
            return "the controller's event loop has not run for "
                    + Duration.ofNanos(now - lastBeat).toSeconds() + "s";
        }
        for (Map.Entry<String, Long> r : running.entrySet()) {
            if (now - r.getValue() > MAX_RECONCILE.toNanos()) {
                return "the reconcile of " + r.getKey() + " has been running for "
                        + Duration.ofNanos(now - r.getValue()).toSeconds() + "s";
            }
        }
        return null;
    }
}
