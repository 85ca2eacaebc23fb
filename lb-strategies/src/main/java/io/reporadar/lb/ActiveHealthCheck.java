package io.reporadar.lb;

import io.reporadar.core.DaemonThreads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks: every interval (± 10 %), a GET of each endpoint's readiness path
 * ({@code /health/ready} by default) with its own timeout; {@code fall} failures in a row take the endpoint out,
 * {@code rise} successes in a row bring it back. A 2xx answer is a success; anything else, a timeout or a
 * refused connection is a failure.
 *
 * <pre>{@code
 * try (ActiveHealthCheck checks = ActiveHealthCheck.builder(lb).interval(Duration.ofSeconds(2)).start()) { ... }
 * }</pre>
 *
 * <p>Thread-safe. The checks are sent from one daemon thread, {@code reporadar-lb-active-check}, until
 * {@link #close()}.
 */
public final class ActiveHealthCheck implements AutoCloseable {

    private final LoadBalancer balancer;
    private final HttpClient client;
    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final int rise;
    private final int fall;
    private final ScheduledExecutorService scheduler;
    private final Map<Endpoint, int[]> streaks = new ConcurrentHashMap<>();

    private ActiveHealthCheck(Builder b) {
        this.balancer = b.balancer;
        this.path = b.path;
        this.interval = b.interval;
        this.timeout = b.timeout;
        this.rise = b.rise;
        this.fall = b.fall;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.scheduler = DaemonThreads.scheduler("lb-active-check");
    }

    public static Builder builder(LoadBalancer balancer) {
        return new Builder(balancer);
    }

    private ActiveHealthCheck begin() {
        Future<?> unused = scheduler.schedule(this::round, 0, TimeUnit.MILLISECONDS); // round() schedules the next one
        return this;
    }

    /**
     * Checks every endpoint once and schedules the next round. Nothing escapes to the scheduler's futures, which
     * nobody reads: a check that cannot even be sent counts as a failed check.
     */
    private void round() {
        try {
            for (Endpoint endpoint : balancer.endpoints()) {
                check(endpoint);
            }
        } finally {
            if (!scheduler.isShutdown()) {
                long jitter = interval.toMillis() / 10;
                long next = interval.toMillis() + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
                try {
                    Future<?> unused = scheduler.schedule(this::round, next, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // close() came between the check and the schedule: no next round, as asked.
                }
            }
        }
    }

    private void check(Endpoint endpoint) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint.address() + path)).timeout(timeout).GET().build();
            CompletableFuture<?> unused = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> verdict(endpoint,
                            failure == null && response.statusCode() >= 200 && response.statusCode() < 300));
        } catch (RuntimeException e) {
            verdict(endpoint, false);
        }
    }

    /** [0] successes in a row, [1] failures in a row. */
    private void verdict(Endpoint endpoint, boolean healthy) {
        EndpointStats stats = balancer.stats(endpoint);
        if (stats == null) {
            return;
        }
        int[] streak = streaks.computeIfAbsent(endpoint, e -> new int[2]);
        synchronized (streak) {
            if (healthy) {
                streak[0]++;
                streak[1] = 0;
                if (stats.activelyDown() && streak[0] >= rise) {
                    balancer.activeVerdict(endpoint, false);
                }
            } else {
                streak[1]++;
                streak[0] = 0;
                if (!stats.activelyDown() && streak[1] >= fall) {
                    balancer.activeVerdict(endpoint, true);
                }
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** Not thread-safe. */
    public static final class Builder {
        private final LoadBalancer balancer;
        private String path = "/health/ready";
        private Duration interval = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(1);
        private int rise = 2;
        private int fall = 3;

        private Builder(LoadBalancer balancer) {
            this.balancer = Objects.requireNonNull(balancer, "balancer");
        }

        public Builder path(String path) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path: " + path + " (expected: an absolute path such as /health/ready)");
            }
            this.path = path;
            return this;
        }

        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /** Successes in a row that bring an endpoint back, and failures in a row that take it out. */
        public Builder riseAndFall(int rise, int fall) {
            if (rise < 1 || fall < 1) {
                throw new IllegalArgumentException("rise/fall: " + rise + "/" + fall + " (expected: both >= 1)");
            }
            this.rise = rise;
            this.fall = fall;
            return this;
        }

        public ActiveHealthCheck start() {
            return new ActiveHealthCheck(this).begin();
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
