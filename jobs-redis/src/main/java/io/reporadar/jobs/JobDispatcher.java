package io.reporadar.jobs;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.ClientListArgs;
import io.lettuce.core.RedisException;
import io.lettuce.core.UnblockType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.reporadar.core.DaemonThreads;
import io.reporadar.session.SessionRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's dispatcher: one thread that, while the worker takes jobs and has free slots, takes due jobs (one
 * script call takes as many as there are free slots, after returning expired leases to the queue), puts them in
 * {@link HeldJobs} and hands them to the {@link JobRunner}. Otherwise it waits: for a free slot or a local enqueue
 * ({@link #wakeUp()}); on the queue's wake list when it has a blocking connection, else for the poll interval; and
 * at most until the next job is due or the next lease expires (so that it takes over an expired lease at once).
 *
 * <p>Thread-safe: its loop runs on its own thread; the other methods may be called from any.
 */
final class JobDispatcher {

    /** Logged under {@link JobWorker}, as every part of a worker. */
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private static final long MIN_BLOCK_MILLIS = 10;
    /** A blocking wait's own timeout, past the {@code CLIENT UNBLOCK} that ends it on time: in case that is lost. */
    private static final long UNBLOCK_MARGIN_MILLIS = 100;

    private final JobQueue queue;
    private final JobLeases leases;
    private final JobRunner runner;
    private final HeldJobs held;
    private final int concurrency;
    private final Duration lease;
    private final long pollMillis;
    private final @Nullable SessionRedis blocking;
    /**
     * Ends a blocking wait on time: Redis checks blocked clients' timeouts only on its timer ticks (10 a second by
     * default), so a {@code BLPOP} that waits for a delayed job's due time would return up to 100 ms late; this
     * thread sends {@code CLIENT UNBLOCK} at that time instead. Null without a blocking connection.
     */
    private final @Nullable ScheduledExecutorService unblocker;
    private final Thread thread;

    private volatile boolean taking;
    /** The dispatcher waits on it for a free slot, a local enqueue, or a drain. */
    private final Object signal = new Object();
    private boolean signalled; // guarded by signal
    /** Guards {@link #inBlockingWait}: a drain interrupts the dispatcher only while it blocks on the wake list. */
    private final Object dispatchLock = new Object();
    private boolean inBlockingWait; // guarded by dispatchLock
    /** Fetches that failed in a row; the dispatcher thread's alone. */
    private int fetchFailures;
    /** When it last returned expired leases while full ({@link System#nanoTime()}); the dispatcher thread's alone. */
    private long lastFullRequeueNanos = System.nanoTime();

    /**
     * @param purpose  names the thread: {@code <purpose>-dispatcher}
     * @param blocking a connection of its own to block on the wake list with; null: poll
     */
    JobDispatcher(JobQueue queue, JobRunner runner, HeldJobs held, int concurrency, Duration lease,
            Duration pollInterval, @Nullable SessionRedis blocking, String purpose) {
        this.queue = queue;
        this.leases = queue.leases();
        this.runner = runner;
        this.held = held;
        this.concurrency = concurrency;
        this.lease = lease;
        this.pollMillis = pollInterval.toMillis();
        this.blocking = blocking;
        this.unblocker = blocking == null ? null : DaemonThreads.scheduler(purpose + "-unblock");
        this.thread = DaemonThreads.thread(purpose + "-dispatcher", this::dispatch);
    }

    /** Whether it takes jobs: from {@link #allowTaking()} until {@link #stopTaking()}. */
    boolean taking() {
        return taking;
    }

    /** Lets it take jobs once {@link #start()}ed; the worker calls it under its lifecycle lock. */
    void allowTaking() {
        taking = true;
    }

    /** Takes no more jobs: the loop ends, and a job taken as it ends is handed straight back. */
    void stopTaking() {
        taking = false;
    }

    /** Starts the thread; it ends at once unless {@link #allowTaking()} came first. */
    void start() {
        thread.start();
    }

    /**
     * After {@link #stopTaking()}: ends a blocking wait on the wake list, wakes the thread, and waits for it to end
     * until {@code untilNanos} (of {@link System#nanoTime()}) at most.
     */
    void stop(long untilNanos) {
        synchronized (dispatchLock) {
            if (inBlockingWait) {
                thread.interrupt();
            }
        }
        wakeUp();
        try {
            long millis = TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime());
            if (millis > 0) {
                thread.join(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes the thread from a wait for a local signal: a slot is free, a job was enqueued here, or a drain began. */
    void wakeUp() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void dispatch() {
        while (taking) {
            Thread.interrupted(); // only a drain interrupts this thread, to end a blocking wait; nothing else may stop it
            int free = concurrency - held.size();
            if (free <= 0) {
                requeueExpiredWhileFull();
                awaitSignal(pollMillis);
                continue;
            }
            List<String> fresh = new ArrayList<>(free);
            for (int i = 0; i < free; i++) {
                fresh.add(held.newToken());
            }
            long sent = System.nanoTime();
            JobLeases.Fetched fetched;
            try {
                fetched = leases.fetch(lease, fresh);
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
            runner.tookOver(fetched.requeued(), fetched.expiredFailed());
            long leaseUntil = sent + lease.toNanos();
            for (JobLeases.Taken taken : fetched.jobs()) {
                startJob(taken, leaseUntil);
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

    /**
     * While every slot is taken (job threads then take the next jobs as they complete theirs, and this thread takes
     * none), returns expired leases to the queue at most once per poll interval, so that a killed holder's job is
     * still taken over in time while this worker stays busy.
     */
    private void requeueExpiredWhileFull() {
        long now = System.nanoTime();
        if (now - lastFullRequeueNanos < TimeUnit.MILLISECONDS.toNanos(pollMillis)) {
            return;
        }
        lastFullRequeueNanos = now;
        try {
            JobLeases.Fetched fetched = leases.fetch(lease, List.of());
            runner.tookOver(fetched.requeued(), fetched.expiredFailed());
        } catch (RuntimeException e) {
            LOG.debug("job worker of {}: returning expired leases failed: {}", queue.name(), e.toString());
        }
    }

    private void startJob(JobLeases.Taken taken, long leaseUntilNanos) {
        JobContext context = new JobContext(runner, taken, leaseUntilNanos);
        held.add(context);
        if (!taking) {
            context.handBack(); // taken as a drain began: straight back
        }
        runner.submit(context);
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
        ScheduledFuture<?> onTime = null;
        try {
            StatefulRedisConnection<byte[], byte[]> connection = on.connection();
            Long clientId = clientId(connection);
            if (clientId != null) {
                onTime = Objects.requireNonNull(unblocker).schedule(() -> unblock(clientId), cap, TimeUnit.MILLISECONDS);
            }
            connection.sync().blpop((cap + Math.min(UNBLOCK_MARGIN_MILLIS, cap / 2)) / 1000.0, queue.wakeKey());
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
            if (onTime != null) {
                onTime.cancel(false);
            }
            synchronized (dispatchLock) {
                inBlockingWait = false;
                Thread.interrupted(); // an interrupt meant for the wait must not reach the next fetch
            }
        }
        if (failedToBlock) {
            awaitSignal(millis);
        }
    }

    /** The blocking connection's client id; null when Redis refuses {@code CLIENT ID} (the wait then ends on Redis's timer). */
    private @Nullable Long clientId(StatefulRedisConnection<byte[], byte[]> connection) {
        try {
            return connection.sync().clientId();
        } catch (RedisException e) {
            LOG.debug("job worker of {}: CLIENT ID refused, waits end on Redis's timer: {}", queue.name(), e.toString());
            return null;
        }
    }

    /**
     * Ends the blocking wait of client {@code clientId} as a timeout would, when that client is one blocked in
     * {@code BLPOP} on the node the main connection talks to: right after a failover the two connections may talk to
     * different nodes, where the id may name another client (a {@code WAIT}, say), which must not be ended.
     */
    private void unblock(long clientId) {
        try {
            RedisCommands<byte[], byte[]> main = queue.redis().connection().sync();
            if (main.clientList(ClientListArgs.Builder.ids(clientId)).contains(" cmd=blpop")) {
                main.clientUnblock(clientId, UnblockType.TIMEOUT);
            }
        } catch (RedisException e) {
            LOG.debug("job worker of {}: unblocking its wait failed (it ends on Redis's timer): {}", queue.name(), e.toString());
        }
    }

    /** Stops the thread that ends blocking waits on time; the worker calls it once it takes no more jobs. */
    void shutdown() {
        if (unblocker != null) {
            unblocker.shutdownNow();
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
}
