package io.reporadar.jobs;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.core.Durations;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.internal.SessionCipher;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A job queue in Redis, shared by every instance that builds one with the same name: enqueue jobs, look them up,
 * cancel them, list and retry the failed ones. {@link JobWorker} runs them.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.builder(redis, "reporadar-jobs", keys).build();   // redis: a SessionRedis; keys: a KeyRing
 * JobInfo job = queue.enqueue(Job.of("export", payload).id("export-user-42"));  // idempotent on the id
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

    /** What a queue name may look like. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Errors are stored cut to this many characters. */
    static final int MAX_ERROR_CHARS = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final SessionRedis redis;
    private final QueueRedis scripts;
    private final SessionCipher cipher;
    private final String keyPrefix;
    private final Duration retention;
    private final int maxAttempts;
    private final Duration backoff;
    private final int maxPayloadBytes;
    private final List<Runnable> enqueueListeners = new CopyOnWriteArrayList<>();

    private JobQueue(Builder b) {
        this.name = b.name;
        this.redis = b.redis;
        this.keyPrefix = "reporadar:jobs:{" + b.name + "}:";
        this.retention = b.retention;
        this.maxAttempts = b.maxAttempts;
        this.backoff = b.backoff;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.cipher = SessionCipher.of(b.keys);
        this.scripts = new QueueRedis(b.redis, keyPrefix, b.retention, b.replicas, b.replicaTimeout);
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
        Objects.requireNonNull(job, "job");
        byte[] plain = job.payloadBytes();
        if (plain.length > maxPayloadBytes) {
            throw new IllegalArgumentException("payload of a '" + job.type() + "' job: " + plain.length + " bytes (expected: at most "
                    + maxPayloadBytes + " bytes, the queue's maxPayloadBytes)");
        }
        JobId jobId = job.id();
        JobId id = jobId != null ? jobId : new JobId(randomId());
        byte[] sealed = cipher.encrypt(associatedData(id), plain);
        int attempts = job.maxAttempts() == 0 ? maxAttempts : job.maxAttempts();
        List<Object> reply = scripts.runReplicated(Scripts.ENQUEUE, QueueRedis.bytes(id.value()), QueueRedis.bytes(job.type()), sealed,
                QueueRedis.bytes(job.delay().toMillis()), QueueRedis.bytes(attempts), QueueRedis.bytes(backoff.toMillis()));
        if (number(reply.get(0)) == 1) {
            enqueueListeners.forEach(Runnable::run);
        }
        return info(id, reply, 1);
    }

    /**
     * The job {@code id} as the queue holds it, without its payload; empty when there is no such job (never
     * enqueued, or finished longer ago than the retention).
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Optional<JobInfo> get(JobId id) {
        List<Object> reply = scripts.run(Scripts.GET, QueueRedis.bytes(id.value()));
        return reply.isEmpty() ? Optional.empty() : Optional.of(info(id, reply, 1));
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
        return reply.isEmpty() ? Optional.empty() : Optional.of(info(id, reply, 1));
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
        return reply.isEmpty() ? Optional.empty() : Optional.of(info(id, reply, 1));
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
        List<Object> reply = scripts.run(Scripts.FAILED_JOBS, QueueRedis.bytes(limit));
        long now = number(reply.get(0));
        List<JobInfo> jobs = new ArrayList<>();
        for (int at = 1; at + Scripts.INFO_FIELD_COUNT < reply.size(); at += 1 + Scripts.INFO_FIELD_COUNT) {
            jobs.add(info(new JobId(text(reply.get(at))), now, reply, at + 1));
        }
        return jobs;
    }

    /**
     * How many jobs are in each state (finished ones: those still retained). One round trip; the counts are taken
     * at one instant.
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time
     */
    public Counts counts() {
        List<Object> reply = scripts.run(Scripts.COUNTS);
        return new Counts(number(reply.get(1)), number(reply.get(2)), number(reply.get(3)), number(reply.get(4)), number(reply.get(5)),
                number(reply.get(6)));
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

    // ---- for JobWorker ----

    /** A job a fetch took: its lease token, and its payload still sealed. Immutable. */
    static final class Taken {
        private final JobId id;
        private final String type;
        private final byte[] sealed;
        private final int attempt;
        private final int maxAttempts;
        private final String token;

        Taken(JobId id, String type, byte[] sealed, int attempt, int maxAttempts, String token) {
            this.id = id;
            this.type = type;
            this.sealed = sealed;
            this.attempt = attempt;
            this.maxAttempts = maxAttempts;
            this.token = token;
        }

        JobId id() {
            return id;
        }

        String type() {
            return type;
        }

        /** The payload as stored: not copied, never changed. */
        byte[] sealed() {
            return sealed;
        }

        int attempt() {
            return attempt;
        }

        int maxAttempts() {
            return maxAttempts;
        }

        String token() {
            return token;
        }
    }

    /**
     * What a fetch did: Redis's time, leases found expired (requeued, or failed on a last attempt), when the next
     * queued job is due and the next lease expires (-1: none), and the jobs taken.
     */
    record Fetched(long now, int requeued, int expiredFailed, long nextDue, long nextLapse, List<Taken> jobs) {
    }

    /** Takes up to {@code tokens.size()} due jobs under leases of {@code lease}, after requeuing expired leases. */
    Fetched fetch(Duration lease, List<String> tokens) {
        byte[][] args = new byte[2 + tokens.size()][];
        args[0] = QueueRedis.bytes(tokens.size());
        args[1] = QueueRedis.bytes(lease.toMillis());
        for (int i = 0; i < tokens.size(); i++) {
            args[2 + i] = QueueRedis.bytes(tokens.get(i));
        }
        List<Object> reply = scripts.run(Scripts.FETCH, args);
        List<Taken> jobs = new ArrayList<>();
        for (int at = 5; at + 4 < reply.size(); at += 5) {
            int index = jobs.size();
            jobs.add(new Taken(new JobId(text(reply.get(at))), text(reply.get(at + 1)), bytesOf(reply.get(at + 2)),
                    (int) number(reply.get(at + 3)), (int) number(reply.get(at + 4)), tokens.get(index)));
        }
        return new Fetched(number(reply.get(0)), (int) number(reply.get(1)), (int) number(reply.get(2)), optionalNumber(reply.get(3)),
                optionalNumber(reply.get(4)), jobs);
    }

    /** Renews the leases of {@code held} (one round trip); per job {@link Scripts#DONE}, {@link Scripts#CANCELLED} or {@link Scripts#REFUSED}. */
    long[] renew(List<JobContext> held, Duration lease) {
        byte[][] args = new byte[1 + 2 * held.size()][];
        args[0] = QueueRedis.bytes(lease.toMillis());
        for (int i = 0; i < held.size(); i++) {
            args[1 + 2 * i] = QueueRedis.bytes(held.get(i).id().value());
            args[2 + 2 * i] = QueueRedis.bytes(held.get(i).token());
        }
        List<Object> reply = scripts.run(Scripts.RENEW, args);
        long[] outcomes = new long[held.size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = number(reply.get(1 + i));
        }
        return outcomes;
    }

    /** Records progress, token-checked; {@link Scripts#DONE} or {@link Scripts#REFUSED}. */
    long progress(JobContext job, int percent) {
        return number(scripts.run(Scripts.PROGRESS, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token()),
                QueueRedis.bytes(percent)).get(0));
    }

    /** Completes the job, token-checked; the first reply code. */
    long complete(JobContext job) {
        return number(scripts.run(Scripts.COMPLETE, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token())).get(0));
    }

    /** Fails the attempt, token-checked: reply code, and the retry's delay in ms when one is scheduled. */
    List<Object> fail(JobContext job, String error) {
        String cut = error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS - 3) + "...";
        return scripts.run(Scripts.FAIL, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token()), QueueRedis.bytes(cut),
                QueueRedis.bytes(Double.toString(ThreadLocalRandom.current().nextDouble())));
    }

    /** Hands the job back (due again at once, the attempt not counted), token-checked; the reply code. */
    long release(JobContext job) {
        return number(scripts.run(Scripts.RELEASE, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token())).get(0));
    }

    /**
     * The payload of a job taken from this queue.
     *
     * @throws io.reporadar.session.internal.SessionDataException when it does not decrypt (another queue's or job's
     *                                                             payload, a key no longer in the ring, tampering)
     */
    byte[] open(JobId id, byte[] sealed) {
        return cipher.decrypt(associatedData(id), sealed);
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

    /** Binds a payload to its queue and job: copied to another job or queue, it does not decrypt. */
    private byte[] associatedData(JobId id) {
        return ("reporadar-jobs/" + name + "/" + id.value()).getBytes(StandardCharsets.UTF_8);
    }

    private static String randomId() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** A {@link JobInfo} from a reply whose element {@code at} is Redis's time, followed by the info fields. */
    private static JobInfo info(JobId id, List<Object> reply, int at) {
        return info(id, number(reply.get(at)), reply, at + 1);
    }

    /** A {@link JobInfo} from the info fields at {@code at}: type, state, attempts, max, progress, cancel, created, run, started, finished, error. */
    private static JobInfo info(JobId id, long now, List<Object> reply, int at) {
        String stored = text(reply.get(at + 1));
        long runAt = number(reply.get(at + 7));
        JobInfo.State state = switch (stored) {
            case "queued" -> runAt <= now ? JobInfo.State.WAITING : JobInfo.State.DELAYED;
            case "active" -> JobInfo.State.ACTIVE;
            case "completed" -> JobInfo.State.COMPLETED;
            case "failed" -> JobInfo.State.FAILED;
            case "cancelled" -> JobInfo.State.CANCELLED;
            default -> throw new IllegalStateException("job " + id + " has the unknown state '" + stored + "'");
        };
        String error = text(reply.get(at + 10));
        return new JobInfo(id, text(reply.get(at)), state, (int) number(reply.get(at + 2)), (int) number(reply.get(at + 3)),
                (int) number(reply.get(at + 4)), text(reply.get(at + 5)).equals("1"), Instant.ofEpochMilli(number(reply.get(at + 6))),
                Instant.ofEpochMilli(runAt), optionalInstant(reply.get(at + 8)), optionalInstant(reply.get(at + 9)),
                error.isEmpty() ? null : error);
    }

    private static @Nullable Instant optionalInstant(@Nullable Object value) {
        long millis = optionalNumber(value);
        return millis < 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** A number of a reply: an integer, or text (a score: "1700000000000", perhaps "1.7e+12"). */
    static long number(@Nullable Object value) {
        if (value instanceof Long number) {
            return number;
        }
        String text = text(value);
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notAnInteger) {
            return (long) Double.parseDouble(text);
        }
    }

    /** As {@link #number}, or -1 for an empty or missing value. */
    static long optionalNumber(@Nullable Object value) {
        return value == null || text(value).isEmpty() ? -1 : number(value);
    }

    static String text(@Nullable Object value) {
        if (value == null || value instanceof Boolean) {
            return "";
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value.toString();
    }

    private static byte[] bytesOf(@Nullable Object value) {
        return value instanceof byte[] bytes ? bytes : new byte[0];
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

        private Builder(SessionRedis redis, String name, KeyRing keys) {
            this.redis = Objects.requireNonNull(redis, "redis");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("queue name: " + JobId.describe(name) + " (expected: 1 to 64 letters, digits, '.', '_' or '-')");
            }
            this.name = name;
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /** How long finished jobs (completed, failed, cancelled) are kept, and found by {@link #get}: default 24 h. */
        public Builder retention(Duration retention) {
            this.retention = between("retention", retention, Duration.ofMillis(1), Duration.ofDays(365));
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
            this.backoff = between("backoff", backoff, Duration.ofMillis(1), Duration.ofHours(1));
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
            this.replicaTimeout = between("awaitReplicas timeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            this.replicas = replicas;
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
            Duration commandTimeout = redis.connection().getTimeout();
            if (replicas > 0 && replicaTimeout.compareTo(commandTimeout) >= 0) {
                throw new IllegalStateException("awaitReplicas timeout " + Durations.format(replicaTimeout)
                        + " (expected: below the Redis command timeout, " + Durations.format(commandTimeout) + ")");
            }
            checkEvictionPolicy(redis.connection());
            return new JobQueue(this);
        }

        /**
         * Refuses a Redis that may evict keys: {@code CONFIG GET maxmemory-policy}, or {@code INFO memory} where
         * {@code CONFIG} is renamed or not allowed (managed services).
         */
        private void checkEvictionPolicy(StatefulRedisConnection<byte[], byte[]> connection) {
            String policy;
            String configRefused;
            try {
                Map<String, String> config = connection.sync().configGet("maxmemory-policy");
                policy = config.get("maxmemory-policy");
                configRefused = "no such setting";
            } catch (RedisCommandExecutionException e) {
                policy = null;
                configRefused = QueueRedis.errorText(e);
            } catch (RedisException e) {
                throw new JobQueueUnavailableException("start-up check", e.getClass().getSimpleName(), e);
            }
            String infoRefused = "";
            if (policy == null) {
                try {
                    String info = connection.sync().info("memory");
                    policy = info.lines().filter(line -> line.startsWith("maxmemory_policy:")).map(line -> line.substring(17).strip())
                            .findFirst().orElse(null);
                    infoRefused = "no maxmemory_policy field";
                } catch (RedisCommandExecutionException e) {
                    infoRefused = QueueRedis.errorText(e);
                } catch (RedisException e) {
                    throw new JobQueueUnavailableException("start-up check", e.getClass().getSimpleName(), e);
                }
            }
            if (policy == null) {
                throw new IllegalStateException("job queue " + name + ": cannot read Redis's maxmemory-policy (CONFIG GET answered '"
                        + configRefused + "', INFO memory answered '" + infoRefused + "'); allow one of them for this connection's user"
                        + " (ACL: +config|get or +info), so that the queue can check that Redis never evicts its keys");
            }
            if (!policy.equals("noeviction")) {
                throw new IllegalStateException("job queue " + name + ": Redis's maxmemory-policy is " + policy
                        + ", which would evict waiting jobs and leases when memory runs short (expected: noeviction;"
                        + " CONFIG SET maxmemory-policy noeviction, and in redis.conf)");
            }
        }

        private static Duration between(String what, @Nullable Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(what + ": " + (value == null ? "null" : Durations.format(value)) + " (expected: "
                        + Durations.format(min) + " to " + Durations.format(max) + ")");
            }
            return value;
        }
    }
}
