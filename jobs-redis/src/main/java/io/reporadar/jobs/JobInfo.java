package io.reporadar.jobs;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A job as the queue holds it, without its payload: state, attempts, progress, times (all by Redis's clock, one
 * clock for every instance) and the last error.
 *
 * @param id              the job's id
 * @param type            which handler runs it
 * @param state           where it is now
 * @param attempts        runs started so far (a run handed back by a draining worker is not counted)
 * @param maxAttempts     runs allowed before it fails for good
 * @param progress        0 to 100, as the running handler last reported it
 * @param cancelRequested whether a cancel reached it: an {@link State#ACTIVE} job with this set is being asked to stop
 * @param createdAt       when it was enqueued
 * @param runAt           when it may run (next), later than {@code createdAt} for a delayed job or a retry
 * @param startedAt       when its last run started; null before the first
 * @param finishedAt      when it completed, failed for good or was cancelled; null before
 * @param error           the last error (exception type and message, at most 1,000 characters); null when none
 */
public record JobInfo(JobId id, String type, State state, int attempts, int maxAttempts, int progress, boolean cancelRequested,
        Instant createdAt, Instant runAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable String error) {

    /** Where a job is. */
    public enum State {
        /** Due: runs as soon as a worker has a free slot. */
        WAITING,
        /** Not due yet: enqueued with a delay, or waiting out the backoff before a retry. */
        DELAYED,
        /** Held by a worker under a lease. */
        ACTIVE,
        /** Done (kept for the queue's retention, then removed). */
        COMPLETED,
        /** Failed on its last attempt; {@link JobQueue#failed} lists it and {@link JobQueue#retry} runs it again. */
        FAILED,
        /** Cancelled before it ran, or stopped by its handler after a cancel. */
        CANCELLED;

        /** Whether the job is done with (completed, failed or cancelled). */
        public boolean isFinished() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }
}
