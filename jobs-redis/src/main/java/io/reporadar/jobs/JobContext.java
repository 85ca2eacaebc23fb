package io.reporadar.jobs;

import org.jspecify.annotations.Nullable;

/**
 * One attempt of a job on a worker, as its handler sees it: report progress, notice a cancel or a lost lease.
 *
 * <p>A cancel (from any instance, {@link JobQueue#cancel}) reaches the worker at its next lease renewal, within a
 * second: {@link #cancelled()} turns true and the job thread is interrupted once. A lease that could not be renewed
 * in time (Redis unreachable), or was taken over, makes {@link #leaseLost()} true and interrupts the thread too:
 * another instance may be running the job, and this attempt's writes will be refused.
 *
 * <p>Thread-safe: the handler may hand it to threads of its own.
 */
public final class JobContext {

    private final JobRunner jobRunner;
    private final JobLeases.Taken taken;
    /** When the lease surely still holds, by this JVM's clock: when the last renewal that succeeded was sent, plus the lease. */
    private volatile long leaseUntilNanos;
    private volatile boolean cancelled;
    private volatile boolean lost;
    /** Set by a drain: hand the job back rather than record its outcome. */
    private volatile boolean handBack;
    /** Set once the handler returned and its outcome is being written: a refused renewal then means nothing. */
    private volatile boolean settling;
    /** What the handler gave {@link #result}; null for none. */
    private volatile byte @Nullable [] result;
    /** The job thread while the handler runs; null before and after. Guarded by {@code this}. */
    private @Nullable Thread runner;

    JobContext(JobRunner jobRunner, JobLeases.Taken taken, long leaseUntilNanos) {
        this.jobRunner = jobRunner;
        this.taken = taken;
        this.leaseUntilNanos = leaseUntilNanos;
    }

    /** The job's id. */
    public JobId id() {
        return taken.id();
    }

    /** Which attempt this is: 1 for the first run. */
    public int attempt() {
        return taken.attempt();
    }

    /** Runs the job gets in all; when {@link #attempt()} equals it, a failure is final. */
    public int maxAttempts() {
        return taken.maxAttempts();
    }

    /**
     * Records the job's progress (0 to 100), which {@link JobQueue#get} shows. Token-checked: refused once the lease
     * is lost. Costs one round trip: report at steps, not in a tight loop.
     *
     * @return true when recorded; false when refused (the lease was lost: {@link #leaseLost()} turns true) or when
     *         Redis did not answer in time (the job goes on: progress is advisory)
     * @throws IllegalArgumentException unless 0 to 100
     */
    public boolean progress(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("progress: " + percent + " (expected: 0 to 100)");
        }
        return jobRunner.progress(this, percent);
    }

    /**
     * The job's result, stored (encrypted, like payloads) when the handler returns and the job is completed, and
     * read with {@link JobQueue#result}; kept for the queue's retention. A later call replaces an earlier one.
     *
     * @throws IllegalArgumentException naming the limit and the size when it is larger than the queue's
     *                                  {@link JobQueue.Builder#maxPayloadBytes}
     */
    public void result(byte[] result) {
        this.result = jobRunner.checkResult(taken.type(), result.clone());
    }

    /** {@link #result(byte[])} of {@code text} in UTF-8. */
    public void result(String text) {
        this.result = jobRunner.checkResult(taken.type(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether a cancel reached this job: stop soon and return (it is then recorded as cancelled). */
    public boolean cancelled() {
        return cancelled;
    }

    /**
     * Whether this worker lost the job's lease: it was not renewed in time, or another instance took the job over.
     * What the handler does from then on is not recorded; stop soon.
     */
    public boolean leaseLost() {
        return lost;
    }

    @Override
    public String toString() {
        return "JobContext[" + taken.id() + " (" + taken.type() + "), attempt " + taken.attempt() + " of " + taken.maxAttempts()
                + (cancelled ? ", cancelled" : "") + (lost ? ", lease lost" : "") + "]";
    }

    // ---- for JobWorker and its parts (JobDispatcher, JobRunner, LeaseKeeper, WorkerDrain) ----

    JobLeases.Taken taken() {
        return taken;
    }

    String token() {
        return taken.token();
    }

    /** The result sealed for Redis; empty when the handler gave none. */
    byte[] sealedResult() {
        byte[] plain = result;
        return plain == null ? new byte[0] : jobRunner.sealResult(taken.id(), plain);
    }

    long leaseUntilNanos() {
        return leaseUntilNanos;
    }

    void renewed(long leaseUntilNanos) {
        this.leaseUntilNanos = leaseUntilNanos;
    }

    boolean handingBack() {
        return handBack;
    }

    boolean settling() {
        return settling;
    }

    void settle() {
        settling = true;
    }

    /**
     * Marks the job thread as running the handler; false when a drain asked for the job back before it began (the
     * handler must not run then).
     */
    synchronized boolean begin(Thread thread) {
        if (handBack) {
            return false;
        }
        runner = thread;
        if (cancelled || lost) {
            thread.interrupt(); // learnt before the handler began: it starts interrupted
        }
        return true;
    }

    /** The handler returned: no interrupt reaches the thread from now on, and any pending one is cleared. */
    synchronized void end() {
        runner = null;
        Thread.interrupted();
    }

    /** A cancel reached the job: tells the handler, and interrupts it the first time. */
    synchronized void cancel() {
        if (!cancelled) {
            cancelled = true;
            interrupt();
        }
    }

    /** The lease is lost (refused, or not renewed in time): tells the handler, and interrupts it the first time. */
    synchronized boolean lose() {
        if (lost) {
            return false;
        }
        lost = true;
        interrupt();
        return true;
    }

    /** A drain wants the job back: interrupts the handler; whatever it returns, the job is handed back. */
    synchronized void handBack() {
        handBack = true;
        interrupt();
    }

    private synchronized void interrupt() {
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
