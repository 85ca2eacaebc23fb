package io.reporadar.demo;

import io.micrometer.core.instrument.MeterRegistry;
import io.reporadar.core.DaemonThreads;
import io.reporadar.health.HealthCheck;
import io.reporadar.jobs.JobQueue;
import io.reporadar.jobs.JobWorker;
import io.reporadar.jobs.health.JobQueueCheck;
import io.reporadar.jobs.micrometer.JobMetrics;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The demo's job queue, {@value #QUEUE}, shared by every instance: the queue (payloads encrypted with the sessions'
 * key ring), this instance's worker running {@link RepoJobs}' two job types, their meters, the queue's health check,
 * and the records of who enqueued what. The worker blocks on a connection of its own, so a job enqueued on any
 * instance starts at once.
 *
 * <p>Thread-safe.
 */
final class DemoJobs implements AutoCloseable {

    static final String QUEUE = "reporadar-jobs";

    private final JobQueue queue;
    private final JobWorker worker;
    private final JobRecords records;
    private final SessionRedis blocking;

    private DemoJobs(JobQueue queue, JobWorker worker, JobRecords records, SessionRedis blocking) {
        this.queue = queue;
        this.worker = worker;
        this.records = records;
        this.blocking = blocking;
    }

    /**
     * Opens the queue on {@code redis} and starts this instance's worker, as {@code config.jobs()} says.
     *
     * @throws IllegalStateException when Redis would evict the queue's keys ({@code maxmemory-policy})
     */
    static DemoJobs start(DemoConfig config, SessionRedis redis, DataSource database, MeterRegistry registry) {
        DemoConfig.JobSettings settings = config.jobs();
        JobMetrics metrics = new JobMetrics(registry);
        JobQueue.Builder builder = JobQueue.builder(redis, QUEUE, KeyRing.fromEnvironment(config.environment())).observer(metrics);
        if (settings.durable()) {
            builder.awaitReplicas(1, SessionRedis.DEFAULT_COMMAND_TIMEOUT.dividedBy(2));
        }
        JobQueue queue = builder.build();
        metrics.watch(queue);
        JobRecords records = new JobRecords(database, JobQueue.DEFAULT_RETENTION);
        RepoJobs jobs = new RepoJobs(records, config.instanceId(), settings.step());
        SessionRedis blocking = redis.openAnother();
        try {
            JobWorker worker = JobWorker.builder(queue).handle(RepoJobs.BATCH_ANALYSIS, jobs.batchAnalysis()).handle(RepoJobs.EXPORT, jobs.export())
                    .concurrency(settings.concurrency()).lease(settings.lease()).blockingConnection(blocking).build().start();
            return new DemoJobs(queue, worker, records, blocking);
        } catch (RuntimeException e) {
            blocking.close();
            throw e;
        }
    }

    JobQueue queue() {
        return queue;
    }

    JobRecords records() {
        return records;
    }

    JobWorker.Stats workerStats() {
        return worker.stats();
    }

    /** The queue's health: WARN over a backlog of 1,000 or over 10 % failed of more than 10 finished (the original's rules). */
    HealthCheck check() {
        return JobQueueCheck.of(queue);
    }

    /**
     * Starts draining the worker on a thread of its own, at once: no job is taken from now on, the running ones get
     * {@code budget} to finish, the rest are handed back to the other instances. {@link #close()} waits for it.
     */
    void beginDrain(Duration budget) {
        DaemonThreads.thread("jobs-drain", () -> worker.drain(budget)).start();
    }

    /** Drains the worker (or waits for the drain under way), then closes its blocking connection. */
    @Override
    public void close() {
        try {
            worker.close();
        } finally {
            blocking.close();
        }
    }
}
