package io.reporadar.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one check on its schedule: at most one run executes at a time, a run that outlives its timeout reports
 * DOWN with reason {@code timeout} (and a later real result still counts), thresholds damp flapping.
 *
 * <p>Thread-safe: state changes are synchronized; readers see a volatile reported result.
 */
final class CheckRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CheckRunner.class);

    final CheckSpec spec;
    private final Clock clock;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final List<HealthListener> listeners;

    private volatile Result reported;
    private boolean executing;
    private @Nullable CompletableFuture<Result> pending; // the last run started; null before the first
    private int failures;
    private int successes;
    private volatile int consecutiveFailures;
    private volatile @Nullable Rendered rendered; // null until the first render

    /** The JSON of the last result rendered, reused while the result stays the same. */
    private static final class Rendered {
        final Result result;
        final int failures;
        final String json;

        Rendered(Result result, int failures, String json) {
            this.result = result;
            this.failures = failures;
            this.json = json;
        }
    }

    CheckRunner(CheckSpec spec, Clock clock, Executor executor, ScheduledExecutorService scheduler, List<HealthListener> listeners) {
        this.spec = spec;
        this.clock = clock;
        this.executor = executor;
        this.scheduler = scheduler;
        this.listeners = listeners;
        this.reported = Result.of(spec.initialStatus, spec.initialStatus == Status.UP ? null : "initial");
    }

    /** Schedules the runs: the first after {@code firstDelay}, then every interval ± 10 %. */
    void schedule(Duration firstDelay) {
        Future<?> unused = scheduler.schedule(this::tick, firstDelay.toMillis(), TimeUnit.MILLISECONDS); // tick() schedules the next
    }

    /** A scheduled run; nobody reads the futures: the run reports through {@link #finish}, and schedules the next tick. */
    private void tick() {
        try {
            CompletableFuture<Result> unused = run();
        } finally {
            long interval = spec.interval.toMillis();
            long jitter = interval / 10;
            long next = interval + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
            if (!scheduler.isShutdown()) {
                try {
                    Future<?> unused = scheduler.schedule(this::tick, next, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // Health.close() came between the check and the schedule: no next tick, as asked.
                }
            }
        }
    }

    /**
     * Starts a run unless one is pending (then its future is shared: single flight) or a timed-out run still
     * executes (then the current result is returned: never two runs at once).
     */
    CompletableFuture<Result> run() {
        CompletableFuture<Result> run;
        synchronized (this) {
            if (pending != null && !pending.isDone()) {
                return pending;
            }
            if (executing) {
                return CompletableFuture.completedFuture(reported);
            }
            executing = true;
            run = new CompletableFuture<>();
            pending = run;
        }
        long started = System.nanoTime();
        try {
            executor.execute(() -> {
                Result raw = invoke();
                synchronized (this) {
                    executing = false;
                }
                finish(run, raw.timed(Duration.ofNanos(System.nanoTime() - started), clock.instant()), false);
            });
        } catch (RuntimeException rejected) {
            synchronized (this) {
                executing = false;
            }
            finish(run, Result.down("rejected").timed(Duration.ZERO, clock.instant()), false);
            return run;
        }
        // The timeout's own future is not needed: finish() ignores a timeout that comes after the result.
        Future<?> unused = scheduler.schedule(() -> finish(run, Result.down("timeout").withDetail("timeoutMs", spec.timeout.toMillis())
                .timed(spec.timeout, clock.instant()), true), spec.timeout.toMillis(), TimeUnit.MILLISECONDS);
        return run;
    }

    private Result invoke() {
        try {
            Result result = spec.check.check();
            return result != null ? result : Result.down("no-result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.down("interrupted");
        } catch (Exception | LinkageError e) {
            // The class of the failure helps; its message may carry hosts or credentials, and a stack trace never belongs here.
            return Result.down("error").withDetail("error", e.getClass().getName());
        }
    }

    private void finish(CompletableFuture<Result> run, Result raw, boolean isTimeout) {
        Status before;
        Result after;
        boolean firstResult;
        synchronized (this) {
            if (isTimeout && run.isDone()) {
                return;
            }
            before = reported.status();
            firstResult = reported.time() == null;
            record(raw);
            after = reported;
        }
        run.complete(after);
        if (before != after.status()) {
            // One line per change, never per run; a first healthy result is not news.
            if (firstResult && after.status().acceptsTraffic()) {
                LOG.debug("check {}: {}", spec.name, after.status());
            } else {
                LOG.info("check {}: {} -> {}{}", spec.name, before, after.status(), after.reason() == null ? "" : " (" + after.reason() + ")");
            }
        }
        for (HealthListener listener : listeners) {
            notify(() -> listener.onRun(spec.name, raw));
            if (before != after.status()) {
                notify(() -> listener.onTransition(spec.name, before, after.status(), after));
            }
        }
    }

    /** Applies the thresholds: a change of side is reported only after enough consecutive runs agree. */
    private void record(Result raw) {
        boolean healthy = raw.status().acceptsTraffic();
        boolean wasHealthy = reported.status().acceptsTraffic();
        if (healthy) {
            successes++;
            failures = 0;
            if (wasHealthy || successes >= spec.successThreshold || reported.time() == null) {
                reported = raw;
            }
        } else {
            failures++;
            successes = 0;
            if (!wasHealthy || failures >= spec.failureThreshold) {
                reported = raw;
            }
        }
        consecutiveFailures = failures;
    }

    /** The result as it counts now: UNKNOWN with reason {@code stale} when it is too old to trust. */
    Result current(Instant now) {
        Result result = reported;
        Instant time = result.time();
        if (time != null && Duration.between(time, now).compareTo(spec.effectiveStaleAfter()) > 0) {
            return result.as(Status.UNKNOWN, "stale");
        }
        return result;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * The check's JSON object for {@code result}; rendered once per result, since a probe reads the same
     * result many times between two runs.
     */
    String json(Result result, int failures, java.util.function.Supplier<String> render) {
        Rendered last = rendered;
        if (last != null && last.result == result && last.failures == failures) {
            return last.json;
        }
        String json = render.get();
        rendered = new Rendered(result, failures, json);
        return json;
    }

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("health listener failed on check {}: {}", spec.name, e.toString());
        }
    }
}
