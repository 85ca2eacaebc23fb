package io.reporadar.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's drain: stops the dispatcher, waits for the running jobs to settle, then (a second before the budget
 * runs out, a quarter of it for budgets under 4 s) asks those still running back: each is interrupted and handed
 * back once its handler returned (due again at once, the attempt not counted), so no job runs twice at once.
 * Finally it stops the job threads and sums up what became of the jobs held when it began.
 *
 * <p>Not thread-safe on its own: {@link JobWorker#drain} runs it once, under the worker's lifecycle lock, after
 * {@link JobDispatcher#stopTaking()}.
 */
final class WorkerDrain {

    /** Logged under {@link JobWorker}, as every part of a worker. */
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);

    private final JobQueue queue;
    private final JobDispatcher dispatcher;
    private final JobRunner runner;
    private final HeldJobs held;
    private final WorkerCounters counters;

    WorkerDrain(JobQueue queue, JobDispatcher dispatcher, JobRunner runner, HeldJobs held, WorkerCounters counters) {
        this.queue = queue;
        this.dispatcher = dispatcher;
        this.runner = runner;
        this.held = held;
        this.counters = counters;
    }

    /** Drains within {@code budget}: blocks for at most about the budget. */
    JobWorker.Drained run(Duration budget) {
        long begin = System.nanoTime();
        long deadline = begin + budget.toNanos();
        long handBackAt = deadline - Math.min(TimeUnit.SECONDS.toNanos(1), budget.toNanos() / 4);
        long finishedBefore = counters.finished();
        long handedBackBefore = counters.handedBack.sum();
        int holding = held.size();
        dispatcher.stop(handBackAt);
        held.awaitSettled(handBackAt);
        List<JobContext> unfinished = new ArrayList<>(held.jobs());
        if (!unfinished.isEmpty()) {
            LOG.info("job worker of {} draining: handing back {} jobs still running", queue.name(), unfinished.size());
            unfinished.forEach(JobContext::handBack);
            held.awaitSettled(deadline);
        }
        runner.shutdown();
        JobWorker.Drained result = new JobWorker.Drained((int) (counters.finished() - finishedBefore),
                (int) (counters.handedBack.sum() - handedBackBefore), held.size());
        LOG.info("job worker of {} drained in {} ms: held {}, {}", queue.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                holding, result);
        return result;
    }
}
