package io.reporadar.jobs;

/**
 * Redis did not answer within the command timeout (down, frozen, disconnected, failing over), or, with
 * {@link JobQueue.Builder#awaitReplicas}, an enqueue was not acknowledged by enough replicas. Whether the write
 * happened is unknown: enqueue again with the same caller-given id, which is safe (a job already there is kept).
 *
 * <p>Immutable and thread-safe. The message names the operation and what happened, never a payload.
 */
public final class JobQueueUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    JobQueueUnavailableException(String operation, String what, Throwable cause) {
        super("job queue unavailable during " + operation + ": " + what, cause);
    }

    JobQueueUnavailableException(String operation, String what) {
        super("job queue unavailable during " + operation + ": " + what);
    }
}
