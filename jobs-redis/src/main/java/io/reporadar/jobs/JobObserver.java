package io.reporadar.jobs;

import java.time.Duration;

/**
 * What a queue and its workers report as they go: enqueues, starts, the outcome of every attempt, takeovers. The
 * Micrometer binder ({@code io.reporadar.jobs.micrometer.JobMetrics}) is one; give yours to
 * {@link JobQueue.Builder#observer}, and every worker of that queue object reports to it too.
 *
 * <p>Called on the threads that do the work (callers', job threads, the dispatcher): implementations must be
 * thread-safe and quick. An exception an observer throws is logged and ignored. Every method has a default that
 * does nothing.
 */
public interface JobObserver {

    /** Reports nothing. */
    JobObserver NONE = new JobObserver() {
    };

    /** How an attempt ended, as recorded in Redis. */
    enum Outcome {
        /** The handler returned: the job is completed. */
        COMPLETED,
        /** The handler threw: a retry is scheduled after the backoff. */
        RETRIED,
        /** The handler threw on the last attempt: the job failed for good. */
        FAILED,
        /** A cancel reached the job while it ran: recorded as cancelled. */
        CANCELLED,
        /** A drain handed the job back: due again at once, the attempt not counted. */
        HANDED_BACK,
        /** The lease was lost before the outcome was written (taken over): nothing recorded, the write refused. */
        REFUSED,
        /** Redis did not answer before the lease ran out: nothing recorded; the job runs again elsewhere. */
        UNRECORDED
    }

    /** A job of {@code type} was enqueued on {@code queue} (not a repeated enqueue of an id the queue holds). */
    default void enqueued(String queue, String type) {
    }

    /** A worker started a job that had been due for {@code waited} (by Redis's clock). */
    default void started(String queue, String type, Duration waited) {
    }

    /** An attempt of a job ended with {@code outcome}, {@code took} after it started on this worker. */
    default void finished(String queue, String type, Outcome outcome, Duration took) {
    }

    /**
     * A worker's fetch found {@code jobs} leases expired (their holders killed, frozen or cut off) and returned
     * those jobs to the queue (or failed them, on a last attempt).
     */
    default void takenOver(String queue, int jobs) {
    }
}
