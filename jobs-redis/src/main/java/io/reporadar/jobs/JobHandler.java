package io.reporadar.jobs;

/**
 * Runs the jobs of one type on a worker's job thread. Returning completes the job (or cancels it, when a cancel
 * reached it); throwing fails the attempt: it is retried after a backoff, or fails for good on its last attempt.
 * A job may run more than once (at least once: after a lost lease, a kill, a hand-back), so make reruns harmless.
 *
 * <pre>{@code
 * JobHandler export = (job, context) -> {
 *     for (int part = 1; part <= 4; part++) {
 *         if (context.cancelled()) {
 *             return;                       // recorded as CANCELLED
 *         }
 *         writePart(job.payloadText(), part);
 *         context.progress(part * 25);
 *     }
 * };
 * }</pre>
 *
 * <p>Called from the worker's job threads, several at once: implementations must be thread-safe.
 */
@FunctionalInterface
public interface JobHandler {

    /**
     * Runs one attempt of {@code job}.
     *
     * @param job     the job: type, decrypted payload, id
     * @param context this attempt: progress, cancellation, lease
     * @throws Exception to fail the attempt; an {@link InterruptedException} after a cancel or a lost lease is expected
     */
    void handle(Job job, JobContext context) throws Exception;
}
