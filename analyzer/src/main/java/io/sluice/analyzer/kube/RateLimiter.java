package io.sluice.analyzer.kube;

/**
 * A token bucket for calls to the API server ({@code --kube-qps}, {@code --kube-burst}). {@link #acquire()} waits
 * on the calling thread, which is always a worker of the Kubernetes pool, never an event loop.
 */
public final class RateLimiter {
    /** How the limiter waits; the real one sleeps the worker thread. */
    interface Sleep {
        void nanos(long n) throws InterruptedException;
    }

    private final java.util.function.LongSupplier clock;
    private final Sleep sleep;
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(double qps, int burst) {
        this(qps, burst, System::nanoTime, java.util.concurrent.TimeUnit.NANOSECONDS::sleep);
    }

    RateLimiter(double qps, int burst, java.util.function.LongSupplier clock, Sleep sleep) {
        this.clock = clock;
        this.sleep = sleep;
        this.perNano = qps / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.last = clock.getAsLong();
    }

    /** Takes one token, waiting until one is available; returns how long it waited, in nanoseconds. */
    public long acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = clock.getAsLong();
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            tokens -= 1;
            // Rounded up: a wait one nanosecond short would leave the next call a fraction of a token behind.
            wait = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
        }
        if (wait > 0) {
            sleep.nanos(wait);
        }
        return wait;
    }
}
