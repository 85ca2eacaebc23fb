package io.reporadar.jobs;

import io.reporadar.core.Durations;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job queue in Redis, shared by every instance that builds one with the same name: enqueue jobs, look them up,
 * cancel them, list and retry the failed ones. {@link JobWorker} runs them.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.builder(redis, "reporadar-jobs", keys).build();   // redis: a SessionRedis; keys: a KeyRing
 * JobInfo job = queue.enqueue(Job.of("export", payload).id("export-user-42"));  // idempotent on the id
 * queue.enqueueAll(jobs);   // many jobs in a few round trips, each as enqueue would
 * queue.get(job.id());      // state, attempts, progress, times, last error
 * queue.cancel(job.id());   // waiting: cancelled at once; running: its handler is asked to stop
 * }</pre>
 *
 * <ul>
 *   <li>Layout: every key starts with {@code reporadar:jobs:{<queue>}:} (one hash slot): a hash per job
 *       ({@code job:<id>}), sorted sets {@code ready} (by when each job may run), {@code active} (by when each
 *       lease expires), {@code completed}, {@code failed} and {@code cancelled} (by when each finished), and the
 *       list {@code wake} that idle workers wait on. Every change of state is one Lua script, timed by Redis's
 *       clock.</li>
 *   <li>Payloads are encrypted with the key ring (XAES-256-GCM), bound to the queue and the job id: Redis, its
 *       dumps and its replicas hold ciphertext only, and a payload copied to another job does not decrypt.</li>
 *   <li>Finished jobs are kept for the retention (default 24 h; {@code PEXPIRE} on the hash), and the finished
 *       sets are trimmed on every finish, so Redis does not grow without bound.</li>
 *   <li>{@link Builder#build()} refuses a Redis whose {@code maxmemory-policy} is not {@code noeviction}: an evicting
 *       Redis would drop waiting jobs and leases.</li>
 *   <li>Failover: the {@link SessionRedis} follows the Sentinels' master; a {@code READONLY} reply has it follow
 *       at once and the write is sent again. With {@link Builder#awaitReplicas} an enqueue is acknowledged only
 *       once replicas have it ({@code WAIT}, pipelined: one round trip).</li>
 * </ul>
 *
 * <p>Thread-safe: share one queue across threads. It does not own the connection: close the {@link SessionRedis}
 * yourself, after the workers.
 */
public final class JobQueue {

    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);

    private final String name;
    private final SessionRedis redis;
    private final QueueRedis scripts;
    private final JobLeases leases;
    private final JobPayloads payloads;
    private final JobEnqueues enqueues;
    private final String keyPrefix;
    private final Duration retention;
    private final int maxAttempts;
    private final Duration backoff;
    private final List<Runnable> enqueueListeners = new CopyOnWriteArrayList<>();
    private final JobObserver observer;

    private JobQueue(Builder b) {
        this.name = b.name;
        this.redis = b.redis;
        this.keyPrefix = "reporadar:jobs:{" + b.name + "}:";
        this.retention = b.retention;
        this.maxAttempts = b.maxAttempts;
        this.backoff = b.backoff;
        this.payloads = new JobPayloads(b.name, b.keys, b.maxPayloadBytes);
        this.scripts = new QueueRedis(b.redis, keyPrefix, b.retention, b.replicas, b.replicaTimeout);
        this.leases = new JobLeases(scripts);
        this.enqueues = new JobEnqueues(scripts, payloads, b.maxAttempts, b.backoff);
        this.observer = b.observer;
    }

    /**
     * A builder of the queue {@code name} ({@code [A-Za-z0-9._-]{1,64}}) on {@code redis}, encrypting payloads
     * with {@code keys}: every instance that enqueues or runs its jobs needs the same keys (rotate them as for
     * sessions: a previous key still decrypts).
     */
    public static Builder builder(SessionRedis redis, String name, KeyRing keys) {
        return new Builder(redis, name, keys);
    }

    /** The queue's name. */
    public String name() {
        return name;
    }

    /**
     * Enqueues {@code job}: due at once, or after its delay. With a caller-given id that the queue already holds
     * (waiting, running, or finished and still retained), nothing is written and the job already there is
     * returned as it is, so an enqueue can be repeated safely (after a timeout, say).
     *
     * @return the job as the queue holds it now
     * @throws IllegalArgumentException      naming the limit and the size when the payload is larger than
     *                                       {@link Builder#maxPayloadBytes}
     * @throws JobQueueUnavailableException  when Redis does not answer in time, or (with
     *                                       {@link Builder#awaitReplicas}) too few replicas acknowledged it; the
     *                                       job may have been written: enqueue it again under the same id
     */
    public JobInfo enqueue(Job job) {
        return enqueueAll(List.of(Objects.requireNonNull(job, "job"))).get(0);
    }

    /**
     * Enqueues {@code jobs}, each as {@link #enqueue} would (due at once or after its delay; a caller-given id that
     * the queue holds already, or that an earlier job of the list has, writes nothing and returns the job there), in
     * far fewer round trips: up to 100 jobs per script call, the calls pipelined. Every payload is checked against
     * the limit before anything is written. An empty list writes nothing.
     *
     * @return the jobs as the queue holds them now, in the order of {@code jobs}
     * @throws IllegalArgumentException      naming the limit and the size when a payload is larger than
     *                                       {@link Builder#maxPayloadBytes}; nothing is written then
     * @throws JobQueueUnavailableException  when Redis does not answer in time, or (with
     *                                       {@link Builder#awaitReplicas}) too few replicas acknowledged them;
     *                                       some jobs may have been written: enqueue them again under the same ids
     */
    public List<JobInfo> enqueueAll(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        List<JobInfo> out = new ArrayList<>(jobs.size());
        boolean created = false;
        for (JobEnqueues.Enqueued job : enqueues.enqueue(jobs)) {
            out.add(job.job());
            if (job.created()) {
                created = true;
                report(o -> o.enqueued(name, job.job().type()));
            }
        }
        if (created) {
            enqueueListeners.forEach(Runnable::run); // a local worker's wake-up
        }
        return out;
    }

    /**
     * The job {@code id} as the queue holds it, without its payload; empty when there is no such job (never
     * enqueued, or finished longer ago than the retention).
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Optional<JobInfo> get(JobId id) {
        List<Object> reply = scripts.run(Scripts.GET, QueueRedis.bytes(id.value()));
        return reply.isEmpty() ? Optional.empty() : Optional.of(Replies.info(id, reply, 1));
    }

    /**
     * The result the handler of the completed job {@code id} gave ({@link JobContext#result}), decrypted; empty when
     * there is no such job, it is not completed (yet), or its handler gave none.
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     * @throws io.reporadar.session.internal.SessionDataException when it does not decrypt (a key no longer in the
     *                                                             ring, tampering)
     */
    public Optional<byte[]> result(JobId id) {
        List<Object> reply = scripts.run(Scripts.RESULT, QueueRedis.bytes(id.value()));
        if (reply.isEmpty() || !"completed".equals(Replies.text(reply.get(0)))) {
            return Optional.empty();
        }
        byte[] sealed = Replies.bytes(reply.get(1));
        return sealed.length == 0 ? Optional.empty() : Optional.of(payloads.openResult(id, sealed));
    }

    /**
     * Cancels the job {@code id}: a waiting or delayed job is {@link JobInfo.State#CANCELLED} at once and never
     * runs; a running one is asked to stop (its worker learns it at its next lease renewal, within a second:
     * {@link JobContext#cancelled()} turns true and the job thread is interrupted) and is recorded as cancelled
     * when its handler returns; a finished one is left as it is.
     *
     * @return the job as it is after the cancel (check {@link JobInfo#state()} and {@link JobInfo#cancelRequested()}),
     *         or empty when there is no such job
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Optional<JobInfo> cancel(JobId id) {
        List<Object> reply = scripts.run(Scripts.CANCEL, QueueRedis.bytes(id.value()));
        return reply.isEmpty() ? Optional.empty() : Optional.of(Replies.info(id, reply, 1));
    }

    /**
     * Runs a failed (or cancelled) job again: it is waiting once more, due now, with its attempts back to zero.
     * Jobs in any other state are left as they are.
     *
     * @return the job as it is after the call, or empty when there is no such job
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Optional<JobInfo> retry(JobId id) {
        List<Object> reply = scripts.run(Scripts.RETRY, QueueRedis.bytes(id.value()));
        if (!reply.isEmpty()) {
            enqueueListeners.forEach(Runnable::run);
        }
        return reply.isEmpty() ? Optional.empty() : Optional.of(Replies.info(id, reply, 1));
    }

    /**
     * The jobs that failed for good and are still retained, newest first, at most {@code limit} (1 to 1,000).
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public List<JobInfo> failed(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to 1000)");
        }
        return Replies.listed(scripts.run(Scripts.FAILED_JOBS, QueueRedis.bytes(limit)));
    }

    /**
     * How many jobs are in each state (finished ones: those still retained). One round trip; the counts are taken
     * at one instant.
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Counts counts() {
        List<Object> reply = scripts.run(Scripts.COUNTS);
        return new Counts(Replies.number(reply.get(1)), Replies.number(reply.get(2)), Replies.number(reply.get(3)),
                Replies.number(reply.get(4)), Replies.number(reply.get(5)), Replies.number(reply.get(6)));
    }

    /**
     * How many jobs are in each state.
     *
     * @param waiting   due, waiting for a free worker
     * @param delayed   not due yet (a delay, or the backoff before a retry)
     * @param active    held by workers
     * @param completed completed and still retained
     * @param failed    failed for good and still retained
     * @param cancelled cancelled and still retained
     */
    public record Counts(long waiting, long delayed, long active, long completed, long failed, long cancelled) {
    }

    @Override
    public String toString() {
        return "JobQueue[" + name + ", retention " + Durations.format(retention) + ", maxAttempts " + maxAttempts + ", backoff "
                + Durations.format(backoff) + "]";
    }

    // ---- for JobWorker and its parts (JobDispatcher, JobRunner, LeaseKeeper, WorkerDrain) ----

    /** Taking jobs under leases and the holders' token-checked writes. */
    JobLeases leases() {
        return leases;
    }

    /**
     * The payload of a job taken from this queue.
     *
     * @throws io.reporadar.session.internal.SessionDataException when it does not decrypt (another queue's or job's
     *                                                             payload, a key no longer in the ring, tampering)
     */
    byte[] open(JobId id, byte[] sealed) {
        return payloads.openPayload(id, sealed);
    }

    /** Tells the observer; an exception it throws is logged, never passed on. */
    void report(Consumer<JobObserver> event) {
        try {
            event.accept(observer);
        } catch (RuntimeException e) {
            LOG.warn("job observer {} failed: {}", observer.getClass().getName(), e.toString());
        }
    }

    /** Payload and result sizes and sealing. */
    JobPayloads payloads() {
        return payloads;
    }

    /** Asks {@code listener} to run after every enqueue through this queue object (a worker's local wake-up). */
    void onEnqueue(Runnable listener) {
        enqueueListeners.add(listener);
    }

    void removeEnqueueListener(Runnable listener) {
        enqueueListeners.remove(listener);
    }

    /** The key of the list that idle dispatchers wait on. */
    byte[] wakeKey() {
        return scripts.wakeKey();
    }

    /** The prefix of every key of this queue. */
    String keyPrefix() {
        return keyPrefix;
    }

    SessionRedis redis() {
        return redis;
    }

    /** Not thread-safe; {@link #build()} checks the settings and Redis. */
    public static final class Builder {

        private final SessionRedis redis;
        private final String name;
        private final KeyRing keys;
        private Duration retention = DEFAULT_RETENTION;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration backoff = DEFAULT_BACKOFF;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private int replicas;
        private Duration replicaTimeout = Duration.ZERO;
        private JobObserver observer = JobObserver.NONE;

        private Builder(SessionRedis redis, String name, KeyRing keys) {
            this.redis = Objects.requireNonNull(redis, "redis");
            this.name = QueueChecks.name(name);
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /** How long finished jobs (completed, failed, cancelled) are kept, and found by {@link #get}: default 24 h. */
        public Builder retention(Duration retention) {
            this.retention = QueueChecks.between("retention", retention, Duration.ofMillis(1), Duration.ofDays(365));
            return this;
        }

        /** How many runs a job gets when it names none ({@link Job#maxAttempts}): default 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > Job.MAX_ATTEMPTS) {
                throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 1 to " + Job.MAX_ATTEMPTS + ")");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The wait before the first retry, doubled for each further one, plus up to 20 % (jitter) so that jobs that
         * failed together do not retry together; at most an hour. Default 1 s: retries after 1 s, 2 s, 4 s...
         */
        public Builder backoff(Duration backoff) {
            this.backoff = QueueChecks.between("backoff", backoff, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** The largest payload {@link #enqueue} takes, in bytes before encryption: default 512 KiB. */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < 1 || maxPayloadBytes > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("maxPayloadBytes: " + maxPayloadBytes + " (expected: 1 to 67108864)");
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /**
         * Durable enqueues: an enqueue succeeds only once {@code replicas} replicas acknowledged it within
         * {@code timeout} ({@code WAIT}, pipelined behind the script: one round trip), so a failover to one of
         * them loses no acknowledged job; otherwise it throws {@link JobQueueUnavailableException} (the job may
         * still be there: enqueue it again under the same id). It is also refused, before anything is written,
         * while a quorum of Sentinels consider the master down. The timeout must be shorter than the connection's
         * command timeout. Default: no replicas awaited.
         */
        public Builder awaitReplicas(int replicas, Duration timeout) {
            if (replicas < 1 || replicas > 16) {
                throw new IllegalArgumentException("awaitReplicas: " + replicas + " replicas (expected: 1 to 16)");
            }
            this.replicaTimeout = QueueChecks.between("awaitReplicas timeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            this.replicas = replicas;
            return this;
        }

        /**
         * Reports enqueues, and the starts, outcomes and takeovers of every worker of this queue, to
         * {@code observer} (for example {@code io.reporadar.jobs.micrometer.JobMetrics}). Default: none.
         */
        public Builder observer(JobObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Checks Redis and builds the queue.
         *
         * @throws IllegalStateException        naming the policy when Redis's {@code maxmemory-policy} is not
         *                                      {@code noeviction}, or saying what to allow when it cannot be read;
         *                                      naming both timeouts when {@link #awaitReplicas}' is not below the
         *                                      connection's command timeout
         * @throws JobQueueUnavailableException when Redis does not answer
         */
        public JobQueue build() {
            QueueChecks.replicaTimeout(replicas, replicaTimeout, redis.connection().getTimeout());
            QueueChecks.evictionPolicy(name, redis.connection());
            return new JobQueue(this);
        }
    }
}
