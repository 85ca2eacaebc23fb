package io.reporadar.jobs.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reporadar.jobs.JobObserver;
import io.reporadar.jobs.JobQueue;
import io.reporadar.jobs.JobQueueUnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for a job queue and its workers: give it to the queue's builder
 * ({@code .observer(metrics)}) and, for the backlog gauges, {@link #watch} the queue once built.
 *
 * <table>
 *   <caption>Meters (tags: {@code queue}, and {@code type} the job type)</caption>
 *   <tr><td>{@code reporadar.jobs.enqueued}</td><td>jobs enqueued (not repeated enqueues of an id the queue holds)</td></tr>
 *   <tr><td>{@code reporadar.jobs.completed}, {@code .retried}, {@code .failed}</td><td>attempts that completed,
 *       failed with a retry scheduled, failed for good</td></tr>
 *   <tr><td>{@code reporadar.jobs.taken.over}</td><td>jobs whose holder's lease expired (killed, frozen, cut off),
 *       returned to the queue by this instance</td></tr>
 *   <tr><td>{@code reporadar.jobs.wait}</td><td>timer: from when a job was due (enqueued, or its delay or backoff
 *       over) to its start, by Redis's clock; with a histogram for percentiles</td></tr>
 *   <tr><td>{@code reporadar.jobs.processing}</td><td>timer per {@code outcome} (completed, retried, failed,
 *       cancelled, handed-back, refused, unrecorded): how long each attempt ran here</td></tr>
 *   <tr><td>{@code reporadar.jobs.backlog}</td><td>gauge per {@code state}: waiting, delayed, active, failed (read
 *       from Redis at most once a second, on a scrape); NaN while Redis does not answer</td></tr>
 * </table>
 *
 * <p>Tag values are bounded by the job types the application enqueues and runs. Thread-safe.
 */
public final class JobMetrics implements JobObserver {

    private static final Duration BACKLOG_REFRESH = Duration.ofSeconds(1);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the backlog gauges of {@code queue}. */
    public JobMetrics watch(JobQueue queue) {
        Backlog backlog = new Backlog(queue);
        gauge(queue, backlog, "waiting", JobQueue.Counts::waiting);
        gauge(queue, backlog, "delayed", JobQueue.Counts::delayed);
        gauge(queue, backlog, "active", JobQueue.Counts::active);
        gauge(queue, backlog, "failed", JobQueue.Counts::failed);
        return this;
    }

    @Override
    public void enqueued(String queue, String type) {
        counter("reporadar.jobs.enqueued", queue, type, "Jobs enqueued").increment();
    }

    @Override
    public void started(String queue, String type, Duration waited) {
        timers.computeIfAbsent("wait " + queue + " " + type, k -> Timer.builder("reporadar.jobs.wait").tag("queue", queue).tag("type", type)
                .description("Time from when a job was due to when a worker started it").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry)).record(waited);
    }

    @Override
    public void finished(String queue, String type, Outcome outcome, Duration took) {
        String tag = outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        timers.computeIfAbsent("processing " + queue + " " + type + " " + tag, k -> Timer.builder("reporadar.jobs.processing")
                .tag("queue", queue).tag("type", type).tag("outcome", tag).description("How long each attempt of a job ran")
                .register(registry)).record(took);
        switch (outcome) {
            case COMPLETED -> counter("reporadar.jobs.completed", queue, type, "Jobs completed").increment();
            case RETRIED -> counter("reporadar.jobs.retried", queue, type, "Attempts failed with a retry scheduled").increment();
            case FAILED -> counter("reporadar.jobs.failed", queue, type, "Jobs failed on their last attempt").increment();
            default -> {
                // counted by the processing timer's outcome tag
            }
        }
    }

    @Override
    public void takenOver(String queue, int jobs) {
        counters.computeIfAbsent("reporadar.jobs.taken.over " + queue, k -> Counter.builder("reporadar.jobs.taken.over").tag("queue", queue)
                .description("Jobs whose holder's lease expired, returned to the queue by this instance").register(registry)).increment(jobs);
    }

    @Override
    public String toString() {
        return "JobMetrics[" + counters.size() + " counters, " + timers.size() + " timers]";
    }

    private Counter counter(String name, String queue, String type, String description) {
        return counters.computeIfAbsent(name + " " + queue + " " + type,
                k -> Counter.builder(name).tag("queue", queue).tag("type", type).description(description).register(registry));
    }

    private void gauge(JobQueue queue, Backlog backlog, String state, ToLongFunction<JobQueue.Counts> count) {
        // A strong reference: the registry alone holds the Backlog, and a gauge's weak one would let it be collected (NaN).
        Gauge.builder("reporadar.jobs.backlog", backlog, b -> b.read(count)).tag("queue", queue.name()).tag("state", state)
                .description("Jobs in the queue by state").strongReference(true).register(registry);
    }

    /** The queue's counts, read from Redis at most once per {@link #BACKLOG_REFRESH}; shared by its gauges. */
    private static final class Backlog {
        private final JobQueue queue;
        private JobQueue.@Nullable Counts counts;
        private long readAtNanos;

        Backlog(JobQueue queue) {
            this.queue = queue;
        }

        synchronized double read(ToLongFunction<JobQueue.Counts> count) {
            JobQueue.Counts current = counts;
            if (current == null || System.nanoTime() - readAtNanos > BACKLOG_REFRESH.toNanos()) {
                try {
                    current = queue.counts();
                } catch (JobQueueUnavailableException e) {
                    counts = null;
                    return Double.NaN;
                }
                counts = current;
                readAtNanos = System.nanoTime();
            }
            return count.applyAsLong(current);
        }
    }
}
