package io.reporadar.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job to enqueue, or the job a handler runs: its type (which handler runs it), its payload (encrypted in
 * Redis), and optionally an id, a delay and a number of attempts.
 *
 * <pre>{@code
 * Job job = Job.of("export", payload).id("export-user-42").delay(Duration.ofSeconds(5)).maxAttempts(5);
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code id}, {@code delay} and {@code maxAttempts} returns a new job.
 * {@link #toString()} never shows the payload, only its size.
 */
public final class Job {

    /** The longest a job type may be ({@link JobId#isName}: letters, digits, {@code .}, {@code _}, {@code -}). */
    static final int TYPE_LENGTH = 64;
    /** The most attempts a job may ask for. */
    static final int MAX_ATTEMPTS = 100;
    /** The longest delay a job may ask for. */
    static final Duration MAX_DELAY = Duration.ofDays(365);

    private final String type;
    private final byte[] payload;
    private final @Nullable JobId id;
    private final Duration delay;
    private final int maxAttempts; // 0: the queue's default

    private Job(String type, byte[] payload, @Nullable JobId id, Duration delay, int maxAttempts) {
        this.type = type;
        this.payload = payload;
        this.id = id;
        this.delay = delay;
        this.maxAttempts = maxAttempts;
    }

    /**
     * A job of {@code type} carrying {@code payload} (copied), to run as soon as a worker is free, under an id
     * drawn at random, with the queue's number of attempts.
     *
     * @throws IllegalArgumentException naming the type when it does not match {@code [A-Za-z0-9._-]{1,64}}
     */
    public static Job of(String type, byte[] payload) {
        if (type == null || !JobId.isName(type, TYPE_LENGTH)) {
            throw new IllegalArgumentException("job type: " + JobId.describe(type) + " (expected: 1 to 64 letters, digits, '.', '_' or '-')");
        }
        return new Job(type, Objects.requireNonNull(payload, "payload").clone(), null, Duration.ZERO, 0);
    }

    /** As {@link #of(String, byte[])}, with the payload as UTF-8 text (JSON, say). */
    public static Job of(String type, String payload) {
        return of(type, Objects.requireNonNull(payload, "payload").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * This job under the caller's id: enqueuing a job whose id the queue already holds (waiting, running or
     * finished and still retained) writes nothing and returns the job already there.
     *
     * @throws IllegalArgumentException naming the id when it does not match {@code [A-Za-z0-9._-]{1,128}}
     */
    public Job id(String id) {
        return new Job(type, payload, new JobId(id), delay, maxAttempts);
    }

    /** This job under the caller's id; see {@link #id(String)}. */
    public Job id(JobId id) {
        return new Job(type, payload, Objects.requireNonNull(id, "id"), delay, maxAttempts);
    }

    /**
     * This job, to run no sooner than {@code delay} after it is enqueued (by Redis's clock).
     *
     * @throws IllegalArgumentException when the delay is negative or longer than 365 days
     */
    public Job delay(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("job delay: " + delay + " (expected: zero to 365 days)");
        }
        return new Job(type, payload, id, delay, maxAttempts);
    }

    /**
     * This job, run at most {@code maxAttempts} times before it fails for good (each run that throws, and each
     * lease that expires, is an attempt; a run handed back by a draining worker is not).
     *
     * @throws IllegalArgumentException unless 1 to 100
     */
    public Job maxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("job maxAttempts: " + maxAttempts + " (expected: 1 to " + MAX_ATTEMPTS + ")");
        }
        return new Job(type, payload, id, delay, maxAttempts);
    }

    /** Which handler runs it. */
    public String type() {
        return type;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload read as UTF-8 text. */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The caller's id, or null when the queue draws one at enqueue (a job a handler runs always has one). */
    public @Nullable JobId id() {
        return id;
    }

    /** How long after enqueue it may run; zero for at once (always zero for a job a handler runs). */
    public Duration delay() {
        return delay;
    }

    /** The most attempts, or 0 for the queue's default. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The payload itself, not copied: for the queue, which only reads it. */
    byte[] payloadBytes() {
        return payload;
    }

    /** The job as a handler gets it: the stored id and number of attempts, the decrypted payload. */
    static Job received(JobId id, String type, byte[] payload, int maxAttempts) {
        return new Job(type, payload, id, Duration.ZERO, maxAttempts);
    }

    @Override
    public String toString() {
        return "Job[" + type + (id == null ? "" : " " + id) + ", payload " + payload.length + " bytes"
                + (delay.isZero() ? "" : ", delay " + delay) + (maxAttempts == 0 ? "" : ", maxAttempts " + maxAttempts) + "]";
    }
}
