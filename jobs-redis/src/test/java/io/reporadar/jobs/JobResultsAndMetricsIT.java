package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reporadar.health.CheckSpec;
import io.reporadar.health.Health;
import io.reporadar.health.Result;
import io.reporadar.health.Status;
import io.reporadar.jobs.JobInfo.State;
import io.reporadar.jobs.health.JobQueueCheck;
import io.reporadar.jobs.micrometer.JobMetrics;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionRedis;
import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Job results, the observer and its Micrometer meters, and the queue's health check, against a real Redis. */
class JobResultsAndMetricsIT extends RedisFixtureBase {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aCompletedJobsResultIsStoredEncryptedAndReadBack() {
        String name = Fixture.queueName("results");
        JobQueue queue = fx.queue(name).maxPayloadBytes(64).build();
        fx.start(JobWorker.builder(queue).handle("upper", (job, context) -> context.result(job.payloadText().toUpperCase(java.util.Locale.ROOT)))
                .handle("none", (job, context) -> { })
                .handle("huge", (job, context) -> context.result(new byte[65])));

        JobInfo upper = queue.enqueue(Job.of("upper", "secret-report"));
        JobInfo none = queue.enqueue(Job.of("none", "x"));
        JobInfo huge = queue.enqueue(Job.of("huge", "x").maxAttempts(1));

        await().atMost(WAIT).until(() -> Fixture.state(queue, upper.id()) == State.COMPLETED && Fixture.state(queue, none.id()) == State.COMPLETED
                && Fixture.state(queue, huge.id()) == State.FAILED);
        assertThat(queue.result(upper.id()).map(Fixture::text)).contains("SECRET-REPORT");
        assertThat(queue.result(none.id())).isEmpty();
        assertThat(queue.result(JobId.of("no-such-job"))).isEmpty();
        assertThat(queue.get(huge.id()).orElseThrow().error())
                .isEqualTo("IllegalArgumentException: result of a 'huge' job: 65 bytes (expected: at most 64 bytes, the queue's maxPayloadBytes)");
        byte[] stored = fx.raw().hget(Fixture.jobKey(name, upper.id().value()), Fixture.bytes("result"));
        assertThat(stored).isNotNull();
        assertThat(Fixture.text(stored)).doesNotContain("SECRET");
        // A result read as the payload of its job does not decrypt: the two are bound apart.
        assertThatThrownBy(() -> queue.payloads().openPayload(upper.id(), stored))
                .isInstanceOf(io.reporadar.session.internal.SessionDataException.class);
    }

    @Test
    void retryingAJobForgetsItsOldResult() {
        JobQueue queue = fx.queue(Fixture.queueName("result-retry")).build();
        JobInfo job = queue.enqueue(Job.of("flaky", "x").maxAttempts(1));
        try (JobWorker worker = JobWorker.builder(queue).handle("flaky", (j, context) -> {
            context.result("partial");
            throw new IllegalStateException("boom");
        }).drainTimeout(Duration.ofSeconds(2)).build().start()) {
            await().atMost(WAIT).until(() -> Fixture.state(queue, job.id()) == State.FAILED);
            assertThat(worker.stats().failed()).isEqualTo(1);
        }
        assertThat(queue.result(job.id())).isEmpty(); // a failed attempt's result is not stored
    }

    @Test
    void metersCountEnqueuesOutcomesWaitsAndTheBacklog() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobMetrics metrics = new JobMetrics(registry);
        String name = Fixture.queueName("metrics");
        JobQueue queue = fx.queue(name).observer(metrics).backoff(Duration.ofMillis(10)).build();
        metrics.watch(queue);
        CountDownLatch release = new CountDownLatch(1);
        queue.enqueue(Job.of("block", "x"));
        queue.enqueue(Job.of("later", "x").delay(Duration.ofMinutes(5)));
        queue.enqueue(Job.of("block", "again").id("same"));
        queue.enqueue(Job.of("block", "again").id("same")); // a repeated enqueue is not counted
        assertThat(registry.get("reporadar.jobs.enqueued").tag("queue", name).tag("type", "block").counter().count()).isEqualTo(2);
        assertThat(registry.get("reporadar.jobs.backlog").tag("state", "waiting").gauge().value()).isEqualTo(2);
        assertThat(registry.get("reporadar.jobs.backlog").tag("state", "delayed").gauge().value()).isEqualTo(1);

        fx.start(JobWorker.builder(queue).concurrency(3).handle("block", (job, context) -> release.await())
                .handle("fail", (job, context) -> {
                    throw new IllegalStateException("no");
                }));
        queue.enqueue(Job.of("fail", "x").maxAttempts(2));
        await().atMost(WAIT).until(() -> registry.find("reporadar.jobs.failed").counter() != null);
        release.countDown();
        await().atMost(WAIT).until(() -> registry.find("reporadar.jobs.completed").counter() != null
                && registry.get("reporadar.jobs.completed").counter().count() == 2);

        assertThat(registry.get("reporadar.jobs.retried").tag("type", "fail").counter().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.jobs.failed").tag("type", "fail").counter().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.jobs.wait").tag("type", "block").timer().count()).isEqualTo(2);
        assertThat(registry.get("reporadar.jobs.processing").tag("type", "fail").tag("outcome", "retried").timer().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.jobs.processing").tag("type", "block").tag("outcome", "completed").timer()
                .totalTime(TimeUnit.NANOSECONDS)).isPositive();
        Thread.sleep(1100); // the backlog gauges read Redis at most once a second
        assertThat(registry.get("reporadar.jobs.backlog").tag("state", "waiting").gauge().value()).isZero();
        assertThat(registry.get("reporadar.jobs.backlog").tag("state", "failed").gauge().value()).isEqualTo(1);
    }

    @Test
    void theReadmesMetricsAndHealthExampleWiresBoth() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/jobs/JobResultsAndMetricsIT.java"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SessionRedis redis = fx.redis();
        KeyRing keys = Fixture.KEYS;
        Health.Builder health = Health.builder();
        fx.raw().del(Fixture.bytes("reporadar:jobs:{reporadar-jobs}:ready"));
        // README example begins
        JobMetrics metrics = new JobMetrics(registry);
        JobQueue queue = JobQueue.builder(redis, "reporadar-jobs", keys).observer(metrics).build();
        metrics.watch(queue);                                            // the backlog gauges
        health.check(CheckSpec.dependency("jobs", JobQueueCheck.of(queue).backlogOver(5000)));
        // README example ends
        try (Health built = health.build()) {
            built.start();
            await().atMost(WAIT).until(() -> built.snapshot().checks().stream().anyMatch(c -> c.name().equals("jobs") && c.status() == Status.UP));
        }
        assertThat(registry.get("reporadar.jobs.backlog").tag("queue", "reporadar-jobs").tag("state", "waiting").gauge().value()).isZero();
    }

    @Test
    void anObserverThatThrowsDoesNotStopTheQueue() {
        JobQueue queue = fx.queue(Fixture.queueName("observer-throws")).observer(new JobObserver() {
            @Override
            public void enqueued(String q, String type) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void finished(String q, String type, Outcome outcome, Duration took) {
                throw new IllegalStateException("observer bug");
            }
        }).build();
        fx.start(JobWorker.builder(queue).handle("echo", (job, context) -> { }));
        JobInfo job = queue.enqueue(Job.of("echo", "x"));
        await().atMost(WAIT).until(() -> Fixture.state(queue, job.id()) == State.COMPLETED);
    }

    @Test
    void theHealthCheckWarnsOnABacklogOrTooManyFailures() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("check")).build();
        assertThat(JobQueueCheck.of(queue).check().status()).isEqualTo(Status.UP);
        for (int i = 0; i < 3; i++) {
            queue.enqueue(Job.of("later", "x").delay(Duration.ofMinutes(5)));
        }
        Result backlog = JobQueueCheck.of(queue).backlogOver(2).check();
        assertThat(backlog.status()).isEqualTo(Status.WARN);
        assertThat(backlog.reason()).isEqualTo("backlog of 3 jobs waiting, active or delayed (threshold 2)");
        assertThat(backlog.details()).containsEntry("delayed", 3L).containsEntry("waiting", 0L).containsEntry("failed", 0L);

        fx.start(JobWorker.builder(queue).handle("ok", (job, context) -> { }).handle("bad", (job, context) -> {
            throw new IllegalStateException("no");
        }));
        for (int i = 0; i < 9; i++) {
            queue.enqueue(Job.of("ok", "x"));
        }
        JobInfo bad = queue.enqueue(Job.of("bad", "x").maxAttempts(1));
        await().atMost(WAIT).until(() -> queue.counts().completed() == 9 && Fixture.state(queue, bad.id()) == State.FAILED);
        // 1 failed of 10 finished: not more than 10 finished yet, and not more than 10 %.
        assertThat(JobQueueCheck.of(queue).check().status()).isEqualTo(Status.UP);
        JobInfo bad2 = queue.enqueue(Job.of("bad", "y").maxAttempts(1));
        await().atMost(WAIT).until(() -> Fixture.state(queue, bad2.id()) == State.FAILED);
        Result failures = JobQueueCheck.of(queue).check();
        assertThat(failures.status()).isEqualTo(Status.WARN);
        assertThat(failures.reason()).isEqualTo("2 of the 11 jobs finished recently failed (threshold 10 %)");
        assertThat(JobQueueCheck.of(queue).failedOver(0.5, 10).check().status()).isEqualTo(Status.UP);
        assertThatThrownBy(() -> JobQueueCheck.of(queue).failedOver(1.5, 10)).hasMessage("failed ratio threshold: 1.5 (expected: 0 to 1)");
    }
}
