package io.reporadar.jobs;

import io.reporadar.core.DaemonThreads;
import io.reporadar.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker's leases, on two threads of its own that job code cannot hold up: one renews every held lease in
 * one round trip every {@code min(lease / 3, 1 s)} and learns which jobs were cancelled (it tells and interrupts
 * them) or lost (taken over: it interrupts them); the other checks every 50 ms that no lease is about to lapse
 * unrenewed (Redis unreachable), even while a renewal waits for Redis, and interrupts such a job before Redis lets
 * another instance take it over.
 *
 * <p>Thread-safe.
 */
final class LeaseKeeper {

    /** Logged under {@link JobWorker}, as every part of a worker. */
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private static final long CHECK_MILLIS = 50;

    private final JobQueue queue;
    private final JobLeases leases;
    private final HeldJobs held;
    private final WorkerCounters counters;
    private final Duration lease;
    private final long renewEveryMillis;
    private final long marginNanos;
    /** Two threads: one renews, one checks the leases' local deadlines while a renewal may be waiting on Redis. */
    private final ScheduledExecutorService threads;
    /** Renewals that failed in a row; the renewal task's alone (its runs never overlap). */
    private int renewFailures;

    /** @param purpose names the threads: {@code <purpose>-leases-1} and {@code -2} */
    LeaseKeeper(JobQueue queue, HeldJobs held, WorkerCounters counters, Duration lease, String purpose) {
        this.queue = queue;
        this.leases = queue.leases();
        this.held = held;
        this.counters = counters;
        this.lease = lease;
        this.renewEveryMillis = Math.min(lease.toMillis() / 3, 1000);
        this.marginNanos = Math.min(lease.toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(500));
        this.threads = Executors.newScheduledThreadPool(2, DaemonThreads.factory(purpose + "-leases"));
    }

    /** Starts renewing and checking, until {@link #stop()}. */
    void start() {
        // renewAll and checkLeases never throw, so the futures have nothing to report; stop() ends them
        ScheduledFuture<?> unusedRenewals = threads.scheduleWithFixedDelay(this::renewAll, renewEveryMillis, renewEveryMillis, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> unusedChecks = threads.scheduleWithFixedDelay(this::checkLeases, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Stops renewing: a job still held is then taken over by another instance once its lease expires. */
    void stop() {
        threads.shutdownNow();
    }

    /** Renews every held lease in one round trip, and interrupts the jobs that were cancelled or taken over. Never throws. */
    private void renewAll() {
        try {
            List<JobContext> jobs = new ArrayList<>(held.jobs());
            if (jobs.isEmpty()) {
                return;
            }
            long sent = System.nanoTime();
            try {
                long[] outcomes = leases.renew(jobs, lease);
                if (renewFailures > 0) {
                    LOG.info("job worker of {}: renewing leases again after {} failures", queue.name(), renewFailures);
                    renewFailures = 0;
                }
                for (int i = 0; i < outcomes.length; i++) {
                    JobContext job = jobs.get(i);
                    if (outcomes[i] == Scripts.REFUSED) {
                        if (!job.settling() && job.lose()) {
                            counters.leasesLost.increment();
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
            for (JobContext job : held.jobs()) {
                if (now - (job.leaseUntilNanos() - marginNanos) > 0 && !job.settling() && job.lose()) {
                    counters.leasesLost.increment();
                    LOG.warn("job {} ({}): lease not renewed within {}; interrupting it, another instance may run the job", job.id(),
                            job.taken().type(), Durations.format(lease));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("job worker of {}: checking leases failed", queue.name(), e);
        }
    }
}
