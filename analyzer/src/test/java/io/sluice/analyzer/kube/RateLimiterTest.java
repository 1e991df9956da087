package io.sluice.analyzer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The client-side token bucket ({@code --kube-qps}, {@code --kube-burst}) on the test's clock. */
class RateLimiterTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Duration> slept = new ArrayList<>();
    /** Sleeping moves the test's clock, as time would pass. */
    final RateLimiter limiter = new RateLimiter(10, 3, now::get, n -> {
        slept.add(Duration.ofNanos(n));
        now.addAndGet(n);
    });

    @Test
    void a_burst_goes_at_once_then_calls_are_spaced_by_the_rate() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire()).as("call %d of the burst", i + 1).isZero();
        }
        assertThat(limiter.acquire()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(limiter.acquire()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    }

    @Test
    void idle_time_refills_the_bucket_up_to_the_burst_only() throws Exception {
        for (int i = 0; i < 3; i++) {
            limiter.acquire();
        }
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire()).isZero();
        }
        assertThat(limiter.acquire()).as("not 600 tokens saved up").isPositive();
    }

    @Test
    void a_burst_below_one_still_lets_one_call_through() throws Exception {
        RateLimiter one = new RateLimiter(1, 0, now::get, n -> now.addAndGet(n));
        assertThat(one.acquire()).isZero();
        assertThat(one.acquire()).isEqualTo(Duration.ofSeconds(1).toNanos());
    }
}
