package io.reporadar.jobs;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A queue's enqueues, one job or many: checks every payload against the limit before anything is written, seals
 * each (bound to its id, a random one when the caller gave none), and writes them with the enqueue script, up to
 * {@value #JOBS_PER_CALL} jobs (or about {@value #BYTES_PER_CALL} bytes of payload) per call, the calls of a batch
 * pipelined in one round trip. A new job's {@link JobInfo} is built from what was written and Redis's time, without
 * reading the job back; a job whose id the queue held already is returned as it is there.
 *
 * <p>Thread-safe: immutable, over a thread-safe {@link QueueRedis}.
 */
final class JobEnqueues {

    /** At most this many jobs per script call, so that one call holds Redis up for about a millisecond at most. */
    static final int JOBS_PER_CALL = 100;
    /** A call is closed once its payloads reach this many bytes (before sealing). */
    static final int BYTES_PER_CALL = 1 << 20;
    /** Arguments per job of {@link Scripts#ENQUEUE}: id, type, payload, delay, max attempts. */
    private static final int ARGS_PER_JOB = 5;

    /** Per thread: a shared SecureRandom takes a lock per draw, and enqueuers run in parallel. */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final QueueRedis scripts;
    private final JobPayloads payloads;
    private final int maxAttempts;
    private final byte[] backoffMillis;

    JobEnqueues(QueueRedis scripts, JobPayloads payloads, int maxAttempts, Duration backoff) {
        this.scripts = scripts;
        this.payloads = payloads;
        this.maxAttempts = maxAttempts;
        this.backoffMillis = QueueRedis.bytes(backoff.toMillis());
    }

    /** A job as an enqueue left it: as written ({@code created}), or as the queue held it already. */
    record Enqueued(JobInfo job, boolean created) {
    }

    /**
     * Enqueues {@code jobs} in their order; a job whose id the queue holds (or that an earlier job of the same list
     * has) is left as it is there.
     *
     * @throws IllegalArgumentException     naming the limit and the size when a payload is larger than the queue's
     *                                      limit; nothing is written then
     * @throws JobQueueUnavailableException when Redis does not answer in time, or too few replicas acknowledged;
     *                                      some of the jobs may have been written
     */
    List<Enqueued> enqueue(List<Job> jobs) {
        List<Pending> pending = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            Objects.requireNonNull(job, "job");
            payloads.check("payload", job.type(), job.payloadBytes());
        }
        for (Job job : jobs) {
            JobId given = job.id();
            pending.add(new Pending(job, given != null ? given : new JobId(randomId()), job.maxAttempts() == 0 ? maxAttempts : job.maxAttempts()));
        }
        List<List<Pending>> calls = new ArrayList<>();
        for (int from = 0; from < pending.size(); ) {
            int to = from;
            long bytes = 0;
            while (to < pending.size() && to - from < JOBS_PER_CALL && (to == from || bytes < BYTES_PER_CALL)) {
                bytes += pending.get(to).job().payloadBytes().length;
                to++;
            }
            calls.add(pending.subList(from, to));
            from = to;
        }
        // sealed call by call as they are sent: the first is run while the next is sealed
        List<List<Object>> replies = scripts.runAll(Scripts.ENQUEUE, true, () -> calls.stream().map(this::arguments).iterator());
        List<Enqueued> out = new ArrayList<>(pending.size());
        int index = 0;
        for (List<Object> reply : replies) {
            long now = Replies.number(reply.get(0));
            for (int at = 1; at < reply.size(); index++) {
                Pending job = pending.get(index);
                if (Replies.number(reply.get(at)) == 1) {
                    out.add(new Enqueued(job.written(now), true));
                    at++;
                } else {
                    out.add(new Enqueued(Replies.info(job.id(), now, reply, at + 1), false));
                    at += 1 + Scripts.INFO_FIELD_COUNT;
                }
            }
        }
        return out;
    }

    private byte[][] arguments(List<Pending> jobs) {
        byte[][] args = new byte[1 + ARGS_PER_JOB * jobs.size()][];
        args[0] = backoffMillis;
        int at = 1;
        for (Pending job : jobs) {
            args[at++] = QueueRedis.bytes(job.id().value());
            args[at++] = QueueRedis.bytes(job.job().type());
            args[at++] = payloads.sealPayload(job.id(), job.job().payloadBytes());
            args[at++] = QueueRedis.bytes(job.job().delay().toMillis());
            args[at++] = QueueRedis.bytes(job.maxAttempts);
        }
        return args;
    }

    /** A job to be written, with its id and its max attempts. Immutable. */
    private record Pending(Job job, JobId id, int maxAttempts) {

        /** The job as the enqueue script wrote it at {@code now} (ms of Redis's clock). */
        JobInfo written(long now) {
            long delay = job.delay().toMillis();
            Instant created = Instant.ofEpochMilli(now);
            return new JobInfo(id, job.type(), delay > 0 ? JobInfo.State.DELAYED : JobInfo.State.WAITING, 0, maxAttempts, 0, false,
                    created, Instant.ofEpochMilli(now + delay), null, null, null);
        }
    }

    private static String randomId() {
        byte[] random = new byte[16];
        RANDOM.get().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
