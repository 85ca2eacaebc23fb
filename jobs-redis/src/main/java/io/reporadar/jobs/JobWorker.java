package io.reporadar.jobs;

import io.reporadar.core.Durations;
import io.reporadar.session.SessionRedis;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the jobs of a {@link JobQueue} on this instance, each under a lease that a killed or frozen instance loses.
 *
 * <pre>{@code
 * JobWorker worker = JobWorker.builder(queue)
 *         .handle("export", (job, context) -> export(job.payloadText(), context))
 *         .concurrency(5)
 *         .build()
 *         .start();
 * ...
 * worker.drain(Duration.ofSeconds(20));   // on SIGTERM: stop taking jobs, finish or hand back the rest
 * }</pre>
 *
 * <ul>
 *   <li>Threads: one dispatcher takes due jobs (one script call takes as many as there are free slots) when it
 *       has free slots; {@code concurrency} job threads run the handlers, never more at once; one lease thread,
 *       which job code cannot hold up, renews every held lease in one round trip every {@code min(lease / 3, 1 s)}
 *       and learns which jobs were cancelled or lost; another checks every 50 ms that no lease is about to lapse
 *       unrenewed (Redis unreachable), even while a renewal waits for Redis.</li>
 *   <li>Takeover: every fetch first returns jobs whose lease expired to the queue, and an idle dispatcher wakes
 *       when the next lease expires, so the job of a killed or frozen instance runs again on another within its
 *       lease plus about a poll.</li>
 *   <li>Fencing: every write about a job (progress, complete, fail, release) carries the lease's token and is
 *       refused once the lease is lost; refusals are counted ({@link Stats#refusedWrites()}), never taken for
 *       success, and a completion is recorded once. A lease not renewed for the lease less a tenth (at most
 *       500 ms) interrupts the handler, before Redis lets another instance take the job over.</li>
 *   <li>Waking: an enqueue through the same {@link JobQueue} object wakes this worker at once; enqueues elsewhere
 *       are seen at the next poll ({@link Builder#pollInterval}, default 200 ms), or at once with a connection of
 *       the dispatcher's own to block on ({@link Builder#blockingConnection}).</li>
 *   <li>Draining: {@link #drain} stops taking jobs, waits for the running ones within a budget, then interrupts
 *       the rest and hands them back (due again at once, the attempt not counted) once their handler returned,
 *       so no job runs twice at once. Wire it to your shutdown sequence (for example the health module's
 *       {@code GracefulShutdown}) with a {@code Runnable} that calls it, and {@code closeLast(worker)}.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JobWorker implements AutoCloseable {

    public static final int DEFAULT_CONCURRENCY = 5;
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);

    // The work is shared among package-private parts, each on threads of its own: JobDispatcher takes jobs,
    // JobRunner runs them and records their outcomes, LeaseKeeper renews and watches the leases, WorkerDrain
    // drains; they share HeldJobs and WorkerCounters. This class builds them and guards start and drain.

    private final JobQueue queue;
    private final int concurrency;
    private final Duration lease;
    private final Duration drainTimeout;
    /** The jobs this worker holds, by lease token. */
    private final HeldJobs held = new HeldJobs();
    private final WorkerCounters counters = new WorkerCounters();
    private final JobRunner runner;
    private final JobDispatcher dispatcher;
    private final LeaseKeeper leaseKeeper;
    private final WorkerDrain drain;
    private final Runnable wakeUp = this::wakeUp;

    /** Guards start and drain; {@link #drained} is set once. */
    private final Object lifecycle = new Object();
    private boolean started;
    private @Nullable Drained drained;

    private JobWorker(Builder b) {
        this.queue = b.queue;
        this.concurrency = b.concurrency;
        this.lease = b.lease;
        this.drainTimeout = b.drainTimeout;
        String purpose = "jobs-" + queue.name();
        this.runner = new JobRunner(queue, b.handlers, concurrency, lease, purpose, held, counters, wakeUp, this::taking);
        this.dispatcher = new JobDispatcher(queue, runner, held, concurrency, lease, b.pollInterval, b.blocking, purpose);
        this.leaseKeeper = new LeaseKeeper(queue, held, counters, lease, purpose);
        this.drain = new WorkerDrain(queue, dispatcher, runner, held, counters);
    }

    /** Whether it takes jobs now: started and not draining. */
    private boolean taking() {
        return dispatcher.taking();
    }

    /** A builder of a worker for {@code queue}'s jobs; give it a handler per job type. */
    public static Builder builder(JobQueue queue) {
        return new Builder(queue);
    }

    /**
     * Starts taking and running jobs.
     *
     * @return this worker
     * @throws IllegalStateException when started before, or drained
     */
    public JobWorker start() {
        synchronized (lifecycle) {
            if (started || drained != null) {
                throw new IllegalStateException("job worker of " + queue.name() + ": already " + (drained != null ? "drained" : "started"));
            }
            started = true;
            dispatcher.allowTaking();
        }
        queue.onEnqueue(wakeUp);
        runner.start();
        dispatcher.start();
        leaseKeeper.start();
        LOG.info("job worker of {} started: {} job threads, lease {}, handles {}", queue.name(), concurrency, Durations.format(lease),
                runner.handledTypes());
        return this;
    }

    /**
     * Stops taking jobs and lets the running ones finish within {@code budget}; at most a second before it runs out
     * (a quarter of it, for budgets under 4 s), interrupts those still running and hands each back once its handler
     * returned (due again at once, the attempt not counted, whatever the handler returned). A handler that ignores
     * the interrupt past the budget keeps its lease (renewed until it returns, or {@link #close()}) and its job is
     * handed back when it returns. Called again, or after {@link #close()}, returns the first drain's summary.
     * Blocks for at most about the budget; never call it from a handler (it would wait for itself).
     *
     * @return what became of the jobs held when the drain began
     */
    public Drained drain(Duration budget) {
        if (budget == null || budget.isNegative()) {
            throw new IllegalArgumentException("drain budget: " + budget + " (expected: zero or a positive duration)");
        }
        synchronized (lifecycle) {
            Drained done = drained;
            if (done != null) {
                return done;
            }
            dispatcher.stopTaking();
            if (!started) {
                Drained none = new Drained(0, 0, 0);
                drained = none;
                return none;
            }
            Drained result = drain.run(budget);
            drained = result;
            return result;
        }
    }

    /**
     * Drains (with {@link Builder#drainTimeout}, unless drained before), then stops renewing leases: a job whose
     * handler still runs is then taken over by another instance once its lease expires.
     */
    @Override
    public void close() {
        drain(drainTimeout);
        dispatcher.shutdown();
        leaseKeeper.stop();
        runner.shutdown();
        queue.removeEnqueueListener(wakeUp);
    }

    /** What this worker has done so far. */
    public Stats stats() {
        return counters.stats(held.size());
    }

    @Override
    public String toString() {
        return "JobWorker[" + queue.name() + ", concurrency " + concurrency + ", lease " + Durations.format(lease) + ", holding "
                + held.size() + (dispatcher.taking() ? "" : ", not taking jobs") + "]";
    }

    /**
     * What a worker has done since it started.
     *
     * @param completed     jobs it completed
     * @param retried       attempts that failed with a retry scheduled
     * @param failed        jobs that failed for good on their last attempt here
     * @param cancelled     jobs recorded as cancelled when their handler returned
     * @param handedBack    jobs handed back by a drain
     * @param refusedWrites writes (progress, complete, fail, release) refused because the lease was lost: never
     *                      taken for success
     * @param leasesLost    leases lost: taken over by another instance, or not renewed in time
     * @param unrecorded    outcomes that could not be written before the lease ran out (Redis unreachable): the job
     *                      runs again elsewhere
     * @param takeovers     expired leases (of killed, frozen or cut-off holders) its fetches returned to the queue
     * @param running       jobs it holds now
     */
    public record Stats(long completed, long retried, long failed, long cancelled, long handedBack, long refusedWrites, long leasesLost,
            long unrecorded, long takeovers, int running) {
    }

    /**
     * What a drain did with the jobs the worker held.
     *
     * @param finished     jobs whose outcome was recorded during the drain (completed, failed, retried, cancelled)
     * @param handedBack   jobs handed back, due again at once for another instance
     * @param stillRunning jobs whose handler ignored the interrupt and still runs (its lease still renewed)
     */
    public record Drained(int finished, int handedBack, int stillRunning) {
    }

    /** A free slot, or a job enqueued through this worker's queue object: the dispatcher looks for jobs. */
    private void wakeUp() {
        dispatcher.wakeUp();
    }

    /** Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {

        private final JobQueue queue;
        private final Map<String, JobHandler> handlers = new LinkedHashMap<>();
        private int concurrency = DEFAULT_CONCURRENCY;
        private Duration lease = DEFAULT_LEASE;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private @Nullable SessionRedis blocking;

        private Builder(JobQueue queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
        }

        /**
         * Runs the jobs of {@code type} with {@code handler}. A job whose type has no handler on the worker that
         * takes it fails that attempt with an error naming the type (and is retried, perhaps on an instance that
         * has one).
         *
         * @throws IllegalArgumentException when the type is malformed or already has a handler
         */
        public Builder handle(String type, JobHandler handler) {
            if (type == null || !JobId.isName(type, Job.TYPE_LENGTH)) {
                throw new IllegalArgumentException("job type: " + JobId.describe(type) + " (expected: 1 to 64 letters, digits, '.', '_' or '-')");
            }
            if (handlers.putIfAbsent(type, Objects.requireNonNull(handler, "handler")) != null) {
                throw new IllegalArgumentException("job type '" + type + "' has a handler already");
            }
            return this;
        }

        /** How many jobs run at once on this worker, at most: default 5. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 1000) {
                throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: 1 to 1000)");
            }
            this.concurrency = concurrency;
            return this;
        }

        /**
         * How long a job stays this worker's without a renewal: default 15 s. It is renewed every
         * {@code min(lease / 3, 1 s)}; when the worker is killed or frozen, another takes the job over once it
         * expires. At least 1 s.
         */
        public Builder lease(Duration lease) {
            if (lease == null || lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("lease: " + (lease == null ? "null" : Durations.format(lease)) + " (expected: 1s to 10m)");
            }
            this.lease = lease;
            return this;
        }

        /**
         * How often an idle worker looks for jobs enqueued by other instances, when it has no
         * {@link #blockingConnection}: default 200 ms. It also wakes when the next delayed job is due and when the
         * next lease expires.
         */
        public Builder pollInterval(Duration pollInterval) {
            if (pollInterval == null || pollInterval.compareTo(Duration.ofMillis(10)) < 0 || pollInterval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("pollInterval: " + (pollInterval == null ? "null" : Durations.format(pollInterval))
                        + " (expected: 10ms to 10s)");
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * A connection for the dispatcher alone, on which an idle worker blocks ({@code BLPOP} on the queue's wake
         * list, for up to half its command timeout at a time) so that a job enqueued by any instance starts at once
         * rather than at the next poll. Lettuce needs a connection of its own for a blocking command: open a second
         * {@link SessionRedis} with the same URL (it follows failovers like the first); the worker does not close it.
         */
        public Builder blockingConnection(SessionRedis redis) {
            if (Objects.requireNonNull(redis, "redis") == queue.redis()) {
                throw new IllegalArgumentException("blockingConnection: the queue's own SessionRedis (expected: a second one; a blocking"
                        + " command would hold up every other command on the queue's connection)");
            }
            this.blocking = redis;
            return this;
        }

        /** The drain budget of {@link JobWorker#close()} when no drain ran before: default 20 s. */
        public Builder drainTimeout(Duration drainTimeout) {
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: zero or a positive duration)");
            }
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * Builds the worker; {@link JobWorker#start()} starts it.
         *
         * @throws IllegalStateException when no handler was given
         */
        public JobWorker build() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("job worker of " + queue.name() + ": no handler (expected: handle(type, handler) at least once)");
            }
            return new JobWorker(this);
        }
    }
}
