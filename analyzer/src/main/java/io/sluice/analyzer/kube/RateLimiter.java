package io.sluice.analyzer.kube;

/**
 * A token bucket for calls to the API server ({@code --kube-qps}, {@code --kube-burst}). {@link #acquire()} waits
 * on the calling thread, which is always a worker of the Kubernetes pool, never an event loop.
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(double qps, int burst) {
        this.perNano = qps / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.last = System.nanoTime();
    }

    /** Takes one token, waiting until one is available; returns how long it waited, in nanoseconds. */
    public long acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            tokens -= 1;
            wait = tokens >= 0 ? 0 : (long) (-tokens / perNano);
        }
        if (wait > 0) {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
        }
        return wait;
    }
}
