package io.reporadar.jobs;

import io.reporadar.core.DaemonThreads;
import io.reporadar.jobs.JobObserver.Outcome;
import io.reporadar.session.internal.SessionDataException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a worker's jobs on its {@code concurrency} job threads, one attempt each, and records each attempt's
 * outcome: completed when the handler returns, a failure (retry scheduled, or failed for good) when it throws,
 * cancelled when a cancel reached the job, handed back when a drain asked for it. Every such write carries the
 * lease's token and is sent again every 100 ms while Redis does not answer and the lease surely holds; a refused
 * one is counted and never taken for success. It also records a handler's progress ({@link JobContext#progress}).
 *
 * <p>Thread-safe: {@link #submit} is the dispatcher's, {@link #progress} any handler thread's.
 */
final class JobRunner {

    /** Logged under {@link JobWorker}, as every part of a worker. */
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private static final long WRITE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final JobQueue queue;
    private final JobLeases leases;
    private final Map<String, JobHandler> handlers;
    private final HeldJobs held;
    private final WorkerCounters counters;
    /** Told whenever a job is settled: a slot is free. */
    private final Runnable slotFreed;
    private final ThreadPoolExecutor jobThreads;
    private final Duration lease;
    private final BooleanSupplier taking;

    /**
     * @param purpose   names the job threads ({@link DaemonThreads#factory})
     * @param slotFreed run on a job thread once its job is settled and it took no next one
     * @param taking    whether the worker takes jobs (not draining): a job thread then takes the next due job as it
     *                  records a completion
     */
    JobRunner(JobQueue queue, Map<String, JobHandler> handlers, int concurrency, Duration lease, String purpose, HeldJobs held,
            WorkerCounters counters, Runnable slotFreed, BooleanSupplier taking) {
        this.queue = queue;
        this.lease = lease;
        this.taking = taking;
        this.leases = queue.leases();
        this.handlers = Map.copyOf(handlers);
        this.held = held;
        this.counters = counters;
        this.slotFreed = slotFreed;
        this.jobThreads = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.factory(purpose));
    }

    /** The job types it has handlers for, sorted. */
    SortedSet<String> handledTypes() {
        return new TreeSet<>(handlers.keySet());
    }

    /**
     * Starts every job thread now, so that no job waits for one to be created: a pool creates a thread per job
     * until it has them all, idle ones or not, which put a thread's start into the first {@code concurrency} jobs'
     * start latency.
     */
    void start() {
        jobThreads.prestartAllCoreThreads();
    }

    /** Runs the attempt on a job thread; the job is in {@link HeldJobs} already. */
    void submit(JobContext context) {
        jobThreads.execute(() -> run(context));
    }

    /** Takes no more jobs; the running ones go on. */
    void shutdown() {
        jobThreads.shutdown();
    }

    /** Runs the attempt, then the next job its completion took, and so on, on this job thread. */
    private void run(JobContext first) {
        JobContext context = first;
        while (context != null) {
            context = runAttempt(context);
        }
    }

    /** Runs one attempt and records its outcome; the next job the completion took (now held), or null. */
    private @Nullable JobContext runAttempt(JobContext context) {
        JobLeases.Taken taken = context.taken();
        long startNanos = System.nanoTime();
        queue.report(observer -> observer.started(queue.name(), taken.type(), Duration.ofMillis(taken.waitedMillis())));
        Throwable failure = null;
        if (context.begin(Thread.currentThread())) {
            try {
                JobHandler handler = handlers.get(taken.type());
                if (handler == null) {
                    failure = new IllegalStateException("no handler for job type '" + taken.type() + "' on this worker (it handles "
                            + handledTypes() + ")");
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
        JobContext next = null;
        try {
            Settled settled = settle(context, failure);
            next = settled.next();
            Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
            queue.report(observer -> observer.finished(queue.name(), taken.type(), settled.outcome(), took));
        } finally {
            if (next != null) {
                held.add(next); // before the settled job leaves: the slot stays taken
                if (!taking.getAsBoolean()) {
                    next.handBack(); // taken as a drain began: straight back
                }
            }
            held.settled(context);
            if (next == null) {
                slotFreed.run();
            }
        }
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        return next;
    }

    /** What settling an attempt recorded, and the next job its completion took (held by no one yet), or null. */
    private record Settled(Outcome outcome, @Nullable JobContext next) {

        Settled(Outcome outcome) {
            this(outcome, null);
        }
    }

    /** Counts and reports leases found expired and returned to the queue (or failed, on their last attempt). */
    void tookOver(int requeued, int expiredFailed) {
        int takenOver = requeued + expiredFailed;
        if (takenOver == 0) {
            return;
        }
        counters.takeovers.add(takenOver);
        LOG.info("job worker of {}: {} expired leases returned to the queue, {} of them on their last attempt (failed)", queue.name(),
                takenOver, expiredFailed);
        queue.report(observer -> observer.takenOver(queue.name(), takenOver));
    }

    /**
     * Writes the outcome of an attempt: hand-back, completion or failure, each token-checked; what was recorded. A
     * completion while the worker takes jobs also takes the next due job, in the same round trip. (When a reply is
     * lost and the completion is sent again, a job the first send took is held by no one here: it is taken over once
     * its lease expires, as a killed holder's.)
     */
    private Settled settle(JobContext context, @Nullable Throwable failure) {
        context.settle();
        JobLeases.Taken job = context.taken();
        if (context.handingBack()) {
            Long reply = write(context, "hand-back", () -> leases.release(context));
            return new Settled(reply == null ? Outcome.UNRECORDED : count(context, reply, "hand-back", Outcome.HANDED_BACK));
        }
        if (failure == null) {
            byte[] result = context.sealedResult();
            String nextToken = taking.getAsBoolean() ? held.newToken() : null;
            long sent = System.nanoTime();
            JobLeases.Completed reply = write(context, "completion", () -> leases.complete(context, result, nextToken, lease));
            if (reply == null) {
                return new Settled(Outcome.UNRECORDED);
            }
            JobLeases.Taken next = reply.next();
            return new Settled(count(context, reply.code(), "completion", Outcome.COMPLETED),
                    next == null ? null : new JobContext(this, next, sent + lease.toNanos()));
        }
        String error = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        List<Object> reply = write(context, "failure", () -> leases.fail(context, error));
        if (reply == null) {
            return new Settled(Outcome.UNRECORDED);
        }
        long code = Replies.number(reply.get(0));
        if (code == Scripts.DONE) {
            counters.retried.increment();
            long delay = reply.size() > 1 ? Replies.number(reply.get(1)) : 0;
            LOG.warn("job {} ({}) attempt {} of {} failed, retry in {} ms: {}", job.id(), job.type(), job.attempt(), job.maxAttempts(),
                    delay, error);
            return new Settled(Outcome.RETRIED);
        }
        if (code == Scripts.FAILED) {
            counters.failed.increment();
            LOG.warn("job {} ({}) failed on its last attempt ({} of {})", job.id(), job.type(), job.attempt(), job.maxAttempts(), failure);
            return new Settled(Outcome.FAILED);
        }
        return new Settled(count(context, code, "failure", Outcome.RETRIED));
    }

    /**
     * Counts a reply to a token-checked write: {@code done} (done, or recorded already by an earlier send of the same
     * write), cancelled, or refused; returns which.
     */
    private Outcome count(JobContext context, long code, String what, Outcome done) {
        if (code == Scripts.DONE || code == Scripts.ALREADY) {
            counters.add(done);
            return done;
        }
        if (code == Scripts.CANCELLED) {
            counters.cancelled.increment();
            LOG.info("job {} ({}) cancelled", context.id(), context.taken().type());
            return Outcome.CANCELLED;
        }
        refusedWrite(context, what);
        return Outcome.REFUSED;
    }

    private void refusedWrite(JobContext context, String what) {
        counters.refused.increment();
        if (context.lose()) {
            counters.leasesLost.increment();
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
                    counters.unrecorded.increment();
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

    /** A result for {@link JobContext#result}, checked against the queue's payload limit. */
    byte[] checkResult(String type, byte[] result) {
        return queue.payloads().check("result", type, result);
    }

    byte[] sealResult(JobId id, byte[] result) {
        return queue.payloads().sealResult(id, result);
    }

    /** Records progress for {@link JobContext#progress}. */
    boolean progress(JobContext context, int percent) {
        boolean interrupted = Thread.interrupted(); // a cancel's interrupt must not fail the write
        try {
            if (leases.progress(context, percent) == Scripts.REFUSED) {
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
}
