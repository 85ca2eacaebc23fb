package io.reporadar.jobs;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.reporadar.core.DaemonThreads;
import io.reporadar.core.Durations;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.internal.SessionDataException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
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
    private static final long WRITE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_BLOCK_MILLIS = 10;
    private static final long LEASE_CHECK_MILLIS = 50;

    private final JobQueue queue;
    private final Map<String, JobHandler> handlers;
    private final int concurrency;
    private final Duration lease;
    private final long renewEveryMillis;
    private final long pollMillis;
    private final Duration drainTimeout;
    private final @Nullable SessionRedis blocking;
    private final ExecutorService jobThreads;
    private final Thread dispatcher;
    /** Two threads: one renews, one checks the leases' local deadlines while a renewal may be waiting on Redis. */
    private final ScheduledExecutorService leaseThreads;
    private final long leaseMarginNanos;
    /** The jobs this worker holds, by lease token. */
    private final Map<String, JobContext> held = new ConcurrentHashMap<>();
    private final String tokenPrefix;
    private final AtomicLong tokens = new AtomicLong();
    private final Runnable wakeUp = this::wakeUp;

    private volatile boolean taking;
    /** Guards start and drain; {@link #drained} is set once. */
    private final Object lifecycle = new Object();
    private boolean started;
    private @Nullable Drained drained;
    /** The dispatcher waits on it for a free slot, a local enqueue, or a drain. */
    private final Object signal = new Object();
    private boolean signalled; // guarded by signal
    /** Guards {@link #inBlockingWait}: a drain interrupts the dispatcher only while it blocks on the wake list. */
    private final Object dispatchLock = new Object();
    private boolean inBlockingWait; // guarded by dispatchLock
    /** Notified whenever a held job is settled. */
    private final Object settledSignal = new Object();

    private final LongAdder completed = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder handedBack = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder leasesLost = new LongAdder();
    private final LongAdder unrecorded = new LongAdder();
    private final LongAdder takeovers = new LongAdder();
    /** Fetches that failed in a row; the dispatcher's alone. */
    private int fetchFailures;
    /** Renewals that failed in a row; the lease thread's alone. */
    private int renewFailures;

    private JobWorker(Builder b) {
        this.queue = b.queue;
        this.handlers = Map.copyOf(b.handlers);
        this.concurrency = b.concurrency;
        this.lease = b.lease;
        this.renewEveryMillis = Math.min(b.lease.toMillis() / 3, 1000);
        this.pollMillis = b.pollInterval.toMillis();
        this.drainTimeout = b.drainTimeout;
        this.blocking = b.blocking;
        String purpose = "jobs-" + queue.name();
        this.jobThreads = Executors.newFixedThreadPool(concurrency, DaemonThreads.factory(purpose));
        this.dispatcher = DaemonThreads.thread(purpose + "-dispatcher", this::dispatch);
        this.leaseThreads = Executors.newScheduledThreadPool(2, DaemonThreads.factory(purpose + "-leases"));
        this.leaseMarginNanos = Math.min(b.lease.toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(500));
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.tokenPrefix = HexFormat.of().formatHex(random) + "-";
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
            taking = true;
        }
        queue.onEnqueue(wakeUp);
        dispatcher.start();
        // renewAll and checkLeases never throw, so the futures have nothing to report; close() stops them
        ScheduledFuture<?> unusedRenewals = leaseThreads.scheduleWithFixedDelay(this::renewAll, renewEveryMillis, renewEveryMillis, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> unusedChecks = leaseThreads.scheduleWithFixedDelay(this::checkLeases, LEASE_CHECK_MILLIS, LEASE_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        LOG.info("job worker of {} started: {} job threads, lease {}, handles {}", queue.name(), concurrency, Durations.format(lease),
                new TreeSet<>(handlers.keySet()));
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
            taking = false;
            if (!started) {
                Drained none = new Drained(0, 0, 0);
                drained = none;
                return none;
            }
            long begin = System.nanoTime();
            long deadline = begin + budget.toNanos();
            long handBackAt = deadline - Math.min(TimeUnit.SECONDS.toNanos(1), budget.toNanos() / 4);
            long finishedBefore = finishedCount();
            long handedBackBefore = handedBack.sum();
            int holding = held.size();
            stopDispatcher(handBackAt);
            awaitSettled(handBackAt);
            List<JobContext> unfinished = new ArrayList<>(held.values());
            if (!unfinished.isEmpty()) {
                LOG.info("job worker of {} draining: handing back {} jobs still running", queue.name(), unfinished.size());
                unfinished.forEach(JobContext::handBack);
                awaitSettled(deadline);
            }
            jobThreads.shutdown();
            Drained result = new Drained((int) (finishedCount() - finishedBefore), (int) (handedBack.sum() - handedBackBefore), held.size());
            drained = result;
            LOG.info("job worker of {} drained in {} ms: held {}, {}", queue.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                    holding, result);
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
        leaseThreads.shutdownNow();
        jobThreads.shutdown();
        queue.removeEnqueueListener(wakeUp);
    }

    /** What this worker has done so far. */
    public Stats stats() {
        return new Stats(completed.sum(), retried.sum(), failed.sum(), cancelled.sum(), handedBack.sum(), refused.sum(), leasesLost.sum(),
                unrecorded.sum(), takeovers.sum(), held.size());
    }

    @Override
    public String toString() {
        return "JobWorker[" + queue.name() + ", concurrency " + concurrency + ", lease " + Durations.format(lease) + ", holding "
                + held.size() + (taking ? "" : ", not taking jobs") + "]";
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

    // ---- the dispatcher ----

    private void dispatch() {
        while (taking) {
            Thread.interrupted(); // only a drain interrupts this thread, to end a blocking wait; nothing else may stop it
            int free = concurrency - held.size();
            if (free <= 0) {
                awaitSignal(pollMillis);
                continue;
            }
            List<String> fresh = new ArrayList<>(free);
            for (int i = 0; i < free; i++) {
                fresh.add(tokenPrefix + tokens.incrementAndGet());
            }
            long sent = System.nanoTime();
            JobQueue.Fetched fetched;
            try {
                fetched = queue.fetch(lease, fresh);
            } catch (JobQueueUnavailableException e) {
                int failures = ++fetchFailures;
                if (failures == 1) {
                    LOG.warn("job worker of {}: cannot fetch jobs: {}", queue.name(), e.getMessage());
                }
                awaitSignal(Math.min(1000, 100L * failures));
                continue;
            } catch (RuntimeException e) {
                LOG.error("job worker of {}: fetching jobs failed", queue.name(), e);
                awaitSignal(1000);
                continue;
            }
            if (fetchFailures > 0) {
                LOG.info("job worker of {}: fetching jobs again after {} failures", queue.name(), fetchFailures);
                fetchFailures = 0;
            }
            takeovers.add(fetched.requeued() + fetched.expiredFailed());
            if (fetched.requeued() + fetched.expiredFailed() > 0) {
                LOG.info("job worker of {}: {} expired leases returned to the queue, {} of them on their last attempt (failed)", queue.name(),
                        fetched.requeued() + fetched.expiredFailed(), fetched.expiredFailed());
            }
            long leaseUntil = sent + lease.toNanos();
            for (JobQueue.Taken taken : fetched.jobs()) {
                start(taken, leaseUntil);
            }
            if (fetched.jobs().size() == free) {
                continue; // perhaps more are due
            }
            long wait = pollMillis;
            if (fetched.nextDue() >= 0) {
                wait = Math.min(wait, Math.max(1, fetched.nextDue() - fetched.now()));
            }
            if (fetched.nextLapse() >= 0) {
                wait = Math.min(wait, Math.max(1, fetched.nextLapse() - fetched.now() + 1));
            }
            waitForWork(wait);
        }
    }

    private void start(JobQueue.Taken taken, long leaseUntilNanos) {
        JobContext context = new JobContext(this, taken, leaseUntilNanos);
        held.put(taken.token(), context);
        if (!taking) {
            context.handBack(); // taken as a drain began: straight back
        }
        jobThreads.execute(() -> run(context));
    }

    /** Waits up to {@code millis} for work: on the wake list with a blocking connection, else for a local signal. */
    private void waitForWork(long millis) {
        SessionRedis on = blocking;
        long cap = on == null ? 0 : Math.min(millis, on.connection().getTimeout().toMillis() / 2);
        if (on == null || cap < MIN_BLOCK_MILLIS) {
            awaitSignal(millis);
            return;
        }
        synchronized (dispatchLock) {
            if (!taking) {
                return;
            }
            inBlockingWait = true;
        }
        boolean failedToBlock = false;
        try {
            on.connection().sync().blpop(cap / 1000.0, queue.wakeKey());
        } catch (RedisCommandInterruptedException drainBegan) {
            // a drain woke us
        } catch (RedisCommandExecutionException e) {
            failedToBlock = true;
            if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
                on.reconnect();
            } else {
                LOG.debug("job worker of {}: waiting on the wake list failed: {}", queue.name(), QueueRedis.errorText(e));
            }
        } catch (RedisException e) {
            failedToBlock = true;
            LOG.debug("job worker of {}: waiting on the wake list failed: {}", queue.name(), e.toString());
        } finally {
            synchronized (dispatchLock) {
                inBlockingWait = false;
                Thread.interrupted(); // an interrupt meant for the wait must not reach the next fetch
            }
        }
        if (failedToBlock) {
            awaitSignal(millis);
        }
    }

    private void awaitSignal(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
        synchronized (signal) {
            while (!signalled && taking) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    signal.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            signalled = false;
        }
    }

    private void wakeUp() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void stopDispatcher(long untilNanos) {
        synchronized (dispatchLock) {
            if (inBlockingWait) {
                dispatcher.interrupt();
            }
        }
        wakeUp();
        try {
            long millis = TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime());
            if (millis > 0) {
                dispatcher.join(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the job threads ----

    private void run(JobContext context) {
        JobQueue.Taken taken = context.taken();
        Throwable failure = null;
        if (context.begin(Thread.currentThread())) {
            try {
                JobHandler handler = handlers.get(taken.type());
                if (handler == null) {
                    failure = new IllegalStateException("no handler for job type '" + taken.type() + "' on this worker (it handles "
                            + new TreeSet<>(handlers.keySet()) + ")");
                } else {
                    byte[] payload = null;
                    try {
                        payload = queue.open(taken.id(), taken.sealed());
                    } catch (SessionDataException e) {
                        failure = new IllegalStateException("payload unreadable: " + e.reason().tag()
                                + (e.keyId() == null ? "" : " (key " + e.keyId() + ")"));
                    }
                    if (payload != null) {
                        handler.handle(Job.received(taken.id(), taken.type(), payload, taken.maxAttempts()), context);
                    }
                }
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                context.end();
            }
        }
        try {
            settle(context, failure);
        } finally {
            held.remove(context.token(), context);
            synchronized (settledSignal) {
                settledSignal.notifyAll();
            }
            wakeUp(); // a slot is free
        }
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** Writes the outcome of an attempt: hand-back, completion or failure, each token-checked. */
    private void settle(JobContext context, @Nullable Throwable failure) {
        context.settle();
        JobQueue.Taken job = context.taken();
        if (context.handingBack()) {
            Long reply = write(context, "hand-back", () -> queue.release(context));
            if (reply != null) {
                count(context, reply, "hand-back", handedBack);
            }
        } else if (failure == null) {
            Long reply = write(context, "completion", () -> queue.complete(context));
            if (reply != null) {
                count(context, reply, "completion", completed);
            }
        } else {
            String error = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
            List<Object> reply = write(context, "failure", () -> queue.fail(context, error));
            if (reply == null) {
                return;
            }
            long code = JobQueue.number(reply.get(0));
            if (code == Scripts.DONE) {
                retried.increment();
                long delay = reply.size() > 1 ? JobQueue.number(reply.get(1)) : 0;
                LOG.warn("job {} ({}) attempt {} of {} failed, retry in {} ms: {}", job.id(), job.type(), job.attempt(), job.maxAttempts(),
                        delay, error);
            } else if (code == Scripts.FAILED) {
                failed.increment();
                LOG.warn("job {} ({}) failed on its last attempt ({} of {})", job.id(), job.type(), job.attempt(), job.maxAttempts(), failure);
            } else {
                count(context, code, "failure", retried);
            }
        }
    }

    /** Counts a reply to a token-checked write: done (into {@code done}), cancelled, already recorded, or refused. */
    private void count(JobContext context, long code, String what, LongAdder done) {
        if (code == Scripts.DONE || code == Scripts.ALREADY) {
            done.increment();
        } else if (code == Scripts.CANCELLED) {
            cancelled.increment();
            LOG.info("job {} ({}) cancelled", context.id(), context.taken().type());
        } else {
            refusedWrite(context, what);
        }
    }

    private void refusedWrite(JobContext context, String what) {
        refused.increment();
        if (context.lose()) {
            leasesLost.increment();
        }
        LOG.warn("job {} ({}): {} refused, the lease was lost (the job was taken over, or is gone); nothing recorded", context.id(),
                context.taken().type(), what);
    }

    /**
     * Sends a token-checked write, again every 100 ms while Redis does not answer and the lease surely holds.
     *
     * @return the reply, or null when it could not be written before the lease ran out (counted as unrecorded)
     */
    private <T> @Nullable T write(JobContext context, String what, Supplier<T> write) {
        while (true) {
            boolean interrupted = Thread.interrupted(); // a late interrupt must not fail the write
            try {
                return write.get();
            } catch (JobQueueUnavailableException e) {
                if (System.nanoTime() - context.leaseUntilNanos() > 0) {
                    unrecorded.increment();
                    LOG.warn("job {} ({}): {} not recorded before its lease ran out ({}); another instance will run it again", context.id(),
                            context.taken().type(), what, e.getMessage());
                    return null;
                }
                LockSupport.parkNanos(WRITE_RETRY_NANOS);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Records progress for {@link JobContext#progress}. */
    boolean progress(JobContext context, int percent) {
        boolean interrupted = Thread.interrupted(); // a cancel's interrupt must not fail the write
        try {
            if (queue.progress(context, percent) == Scripts.REFUSED) {
                refusedWrite(context, "progress");
                return false;
            }
            return true;
        } catch (JobQueueUnavailableException e) {
            LOG.debug("job {}: progress not recorded: {}", context.id(), e.getMessage());
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the lease thread ----

    /** Renews every held lease in one round trip, and interrupts the jobs that were cancelled or taken over. Never throws. */
    private void renewAll() {
        try {
            List<JobContext> jobs = new ArrayList<>(held.values());
            if (jobs.isEmpty()) {
                return;
            }
            long sent = System.nanoTime();
            try {
                long[] outcomes = queue.renew(jobs, lease);
                if (renewFailures > 0) {
                    LOG.info("job worker of {}: renewing leases again after {} failures", queue.name(), renewFailures);
                    renewFailures = 0;
                }
                for (int i = 0; i < outcomes.length; i++) {
                    JobContext job = jobs.get(i);
                    if (outcomes[i] == Scripts.REFUSED) {
                        if (!job.settling() && job.lose()) {
                            leasesLost.increment();
                            LOG.warn("job {} ({}): lease lost, another instance took the job over; interrupting it", job.id(),
                                    job.taken().type());
                        }
                        continue;
                    }
                    job.renewed(sent + lease.toNanos());
                    if (outcomes[i] == Scripts.CANCELLED) {
                        job.cancel();
                    }
                }
            } catch (JobQueueUnavailableException e) {
                if (++renewFailures == 1) {
                    LOG.warn("job worker of {}: cannot renew leases: {}", queue.name(), e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("job worker of {}: renewing leases failed", queue.name(), e);
        }
    }

    /**
     * Interrupts the jobs whose lease may be about to lapse: not renewed for the lease less a margin (a tenth of it,
     * at most 500 ms), counted from when the last renewal that succeeded was sent. Redis's expiry is later than
     * that, so a handler that heeds the interrupt stops before another instance can take the job over. Never throws.
     */
    private void checkLeases() {
        try {
            long now = System.nanoTime();
            for (JobContext job : held.values()) {
                if (now - (job.leaseUntilNanos() - leaseMarginNanos) > 0 && !job.settling() && job.lose()) {
                    leasesLost.increment();
                    LOG.warn("job {} ({}): lease not renewed within {}; interrupting it, another instance may run the job", job.id(),
                            job.taken().type(), Durations.format(lease));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("job worker of {}: checking leases failed", queue.name(), e);
        }
    }

    private long finishedCount() {
        return completed.sum() + retried.sum() + failed.sum() + cancelled.sum();
    }

    private void awaitSettled(long untilNanos) {
        synchronized (settledSignal) {
            while (!held.isEmpty()) {
                long millis = TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime());
                if (millis <= 0) {
                    return;
                }
                try {
                    settledSignal.wait(Math.min(millis, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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
            if (type == null || !Job.TYPE.matcher(type).matches()) {
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
