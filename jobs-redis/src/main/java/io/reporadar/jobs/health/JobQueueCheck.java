package io.reporadar.jobs.health;

import io.reporadar.health.HealthCheck;
import io.reporadar.health.Result;
import io.reporadar.jobs.JobQueue;

/**
 * A health check of a {@link JobQueue}: its counts as details, and WARN when the backlog (waiting, active and
 * delayed jobs) is over a threshold, or when too many of the finished jobs still retained failed. The rules and
 * defaults are the original RepoRadar's: more than 1,000 in the backlog, or more than 10 % failed of more than 10.
 * One Redis round trip; Redis not answering makes it DOWN (register it as a dependency that is not critical: a
 * queue in trouble should not take an instance out of the balancer).
 *
 * <pre>{@code
 * health.check(CheckSpec.dependency("jobs", JobQueueCheck.of(queue).backlogOver(5000)));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class JobQueueCheck implements HealthCheck {

    public static final long DEFAULT_BACKLOG = 1000;
    public static final double DEFAULT_FAILED_RATIO = 0.10;
    public static final long DEFAULT_MINIMUM_FINISHED = 10;

    private final JobQueue queue;
    private final long backlog;
    private final double failedRatio;
    private final long minimumFinished;

    private JobQueueCheck(JobQueue queue, long backlog, double failedRatio, long minimumFinished) {
        this.queue = queue;
        this.backlog = backlog;
        this.failedRatio = failedRatio;
        this.minimumFinished = minimumFinished;
    }

    /** The check of {@code queue} with the default thresholds. */
    public static JobQueueCheck of(JobQueue queue) {
        return new JobQueueCheck(queue, DEFAULT_BACKLOG, DEFAULT_FAILED_RATIO, DEFAULT_MINIMUM_FINISHED);
    }

    /** WARN when more than {@code jobs} are waiting, active or delayed: default 1,000. */
    public JobQueueCheck backlogOver(long jobs) {
        if (jobs < 0) {
            throw new IllegalArgumentException("backlog threshold: " + jobs + " (expected: 0 or more)");
        }
        return new JobQueueCheck(queue, jobs, failedRatio, minimumFinished);
    }

    /**
     * WARN when more than {@code ratio} (0 to 1) of the finished jobs still retained (completed and failed) failed,
     * once more than {@code minimumFinished} finished: default more than 10 % of more than 10.
     */
    public JobQueueCheck failedOver(double ratio, long minimumFinished) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("failed ratio threshold: " + ratio + " (expected: 0 to 1)");
        }
        if (minimumFinished < 0) {
            throw new IllegalArgumentException("minimum finished jobs: " + minimumFinished + " (expected: 0 or more)");
        }
        return new JobQueueCheck(queue, backlog, ratio, minimumFinished);
    }

    @Override
    public Result check() {
        JobQueue.Counts counts = queue.counts();
        long inBacklog = counts.waiting() + counts.active() + counts.delayed();
        long finished = counts.completed() + counts.failed();
        Result result;
        if (inBacklog > backlog) {
            result = Result.warn("backlog of " + inBacklog + " jobs waiting, active or delayed (threshold " + backlog + ")");
        } else if (finished > minimumFinished && counts.failed() > failedRatio * finished) {
            result = Result.warn(counts.failed() + " of the " + finished + " jobs finished recently failed (threshold "
                    + Math.round(failedRatio * 100) + " %)");
        } else {
            result = Result.up();
        }
        return result.withDetail("queue", queue.name()).withDetail("waiting", counts.waiting()).withDetail("active", counts.active())
                .withDetail("delayed", counts.delayed()).withDetail("completed", counts.completed()).withDetail("failed", counts.failed())
                .withDetail("cancelled", counts.cancelled());
    }

    @Override
    public String toString() {
        return "JobQueueCheck[" + queue.name() + ", backlog over " + backlog + ", failed over " + Math.round(failedRatio * 100) + " % of more than "
                + minimumFinished + "]";
    }
}
