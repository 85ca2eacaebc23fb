package io.reporadar.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A queue's side of the jobs that workers hold, for {@link JobWorker} alone: take due jobs under leases (expired
 * leases returned to the queue first), renew the leases, and the writes a holder makes (progress, complete, fail,
 * hand back), each of which its script checks against the lease's token.
 *
 * <p>Thread-safe: it keeps no state of its own over a thread-safe {@link QueueRedis}.
 */
final class JobLeases {

    /** Errors are stored cut to this many characters. */
    static final int MAX_ERROR_CHARS = 1000;

    /** How many fields of a reply describe a job taken. */
    private static final int TAKEN_FIELDS = 6;

    private final QueueRedis scripts;

    JobLeases(QueueRedis scripts) {
        this.scripts = scripts;
    }

    /** A job a fetch took: its lease token, and its payload still sealed. Immutable. */
    static final class Taken {
        private final JobId id;
        private final String type;
        private final byte[] sealed;
        private final int attempt;
        private final int maxAttempts;
        private final String token;
        private final long waitedMillis;

        Taken(JobId id, String type, byte[] sealed, int attempt, int maxAttempts, String token, long waitedMillis) {
            this.id = id;
            this.type = type;
            this.sealed = sealed;
            this.attempt = attempt;
            this.maxAttempts = maxAttempts;
            this.token = token;
            this.waitedMillis = waitedMillis;
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

        /** How long it waited from when it was due (enqueued, or its delay or backoff over) to this fetch, by Redis's clock. */
        long waitedMillis() {
            return waitedMillis;
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
        List<Object> reply = scripts.run(LeaseScripts.FETCH, args);
        List<Taken> jobs = new ArrayList<>();
        long now = Replies.number(reply.get(0));
        for (int at = 5; at + TAKEN_FIELDS <= reply.size(); at += TAKEN_FIELDS) {
            jobs.add(taken(reply, at, tokens.get(jobs.size()), now));
        }
        return new Fetched(now, (int) Replies.number(reply.get(1)), (int) Replies.number(reply.get(2)),
                Replies.optionalNumber(reply.get(3)), Replies.optionalNumber(reply.get(4)), jobs);
    }

    /** Renews the leases of {@code held} (one round trip); per job {@link Scripts#DONE}, {@link Scripts#CANCELLED} or {@link Scripts#REFUSED}. */
    long[] renew(List<JobContext> held, Duration lease) {
        byte[][] args = new byte[1 + 2 * held.size()][];
        args[0] = QueueRedis.bytes(lease.toMillis());
        for (int i = 0; i < held.size(); i++) {
            args[1 + 2 * i] = QueueRedis.bytes(held.get(i).id().value());
            args[2 + 2 * i] = QueueRedis.bytes(held.get(i).token());
        }
        List<Object> reply = scripts.run(LeaseScripts.RENEW, args);
        long[] outcomes = new long[held.size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = Replies.number(reply.get(1 + i));
        }
        return outcomes;
    }

    /** Records progress, token-checked; {@link Scripts#DONE} or {@link Scripts#REFUSED}. */
    long progress(JobContext job, int percent) {
        return Replies.number(scripts.run(LeaseScripts.PROGRESS, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token()),
                QueueRedis.bytes(percent)).get(0));
    }

    /**
     * What a completion did: the reply code, and the next job it took, null when it was asked for none, none was
     * due, or the code is not {@link Scripts#DONE}.
     */
    record Completed(long code, @Nullable Taken next) {
    }

    /**
     * Completes the job, token-checked, with its result ({@code sealedResult}; empty for none), and with a
     * {@code nextToken} takes the next due job under a lease of {@code lease} in the same script, so that a busy job
     * thread makes one round trip per job.
     */
    Completed complete(JobContext job, byte[] sealedResult, @Nullable String nextToken, Duration lease) {
        List<Object> reply = scripts.run(LeaseScripts.COMPLETE, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token()),
                sealedResult, QueueRedis.bytes(nextToken == null ? "" : nextToken), QueueRedis.bytes(lease.toMillis()));
        long code = Replies.number(reply.get(0));
        if (nextToken == null || reply.size() < 2 + TAKEN_FIELDS) {
            return new Completed(code, null);
        }
        return new Completed(code, taken(reply, 2, nextToken, Replies.number(reply.get(1))));
    }

    /** A job taken, from the fields of a reply at {@code at}: id, type, payload, attempt, max attempts, when it was due. */
    private static Taken taken(List<Object> reply, int at, String token, long now) {
        return new Taken(new JobId(Replies.text(reply.get(at))), Replies.text(reply.get(at + 1)), Replies.bytes(reply.get(at + 2)),
                (int) Replies.number(reply.get(at + 3)), (int) Replies.number(reply.get(at + 4)), token,
                Math.max(0, now - Replies.number(reply.get(at + 5))));
    }

    /** Fails the attempt, token-checked: reply code, and the retry's delay in ms when one is scheduled. */
    List<Object> fail(JobContext job, String error) {
        String cut = error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS - 3) + "...";
        return scripts.run(LeaseScripts.FAIL, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token()), QueueRedis.bytes(cut),
                QueueRedis.bytes(Double.toString(ThreadLocalRandom.current().nextDouble())));
    }

    /** Hands the job back (due again at once, the attempt not counted), token-checked; the reply code. */
    long release(JobContext job) {
        return Replies.number(scripts.run(LeaseScripts.RELEASE, QueueRedis.bytes(job.id().value()), QueueRedis.bytes(job.token())).get(0));
    }
}
