package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reporadar.jobs.JobInfo.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link JobQueue#enqueueAll}: each job as {@link JobQueue#enqueue} would, in a few round trips, against a real Redis. */
class EnqueueAllIT extends RedisFixtureBase {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void anEmptyListWritesNothing() {
        JobQueue queue = fx.queue(Fixture.queueName("bulk-empty")).build();

        assertThat(queue.enqueueAll(List.of())).isEmpty();
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(0, 0, 0, 0, 0, 0));
    }

    @Test
    void manyJobsAreEnqueuedInTheirOrderAsTheQueueHoldsThemAndEachRunsOnce() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("bulk-many")).build();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 2 * JobEnqueues.JOBS_PER_CALL + 50; i++) { // three script calls, pipelined
            jobs.add(Job.of("count", Integer.toString(i)));
        }

        List<JobInfo> enqueued = queue.enqueueAll(jobs);

        assertThat(enqueued).hasSize(jobs.size());
        assertThat(enqueued.stream().map(JobInfo::id).distinct()).hasSize(jobs.size());
        for (JobInfo job : enqueued) {
            assertThat(job).as("built from what was written, as the queue holds it").isEqualTo(queue.get(job.id()).orElseThrow());
        }
        assertThat(queue.counts().waiting()).isEqualTo(jobs.size());
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobWorker worker = fx.start(JobWorker.builder(queue).concurrency(4)
                .handle("count", (job, context) -> runs.computeIfAbsent(job.payloadText(), k -> new AtomicInteger()).incrementAndGet()));
        await().atMost(WAIT).until(() -> worker.stats().completed() == jobs.size());
        assertThat(runs).hasSize(jobs.size());
        assertThat(runs.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        for (int i = 0; i < jobs.size(); i++) {
            assertThat(queue.get(enqueued.get(i).id()).orElseThrow().state()).isEqualTo(State.COMPLETED);
        }
    }

    @Test
    void callerGivenIdsAreIdempotentWithinABatchAndAcrossBatches() throws Exception {
        String name = Fixture.queueName("bulk-idempotent");
        JobQueue queue = fx.queue(name).build();

        List<JobInfo> first = queue.enqueueAll(List.of(Job.of("export", "first").id("user-1"), Job.of("export", "other").id("user-2"),
                Job.of("export", "second").id("user-1").delay(Duration.ofMinutes(5))));

        assertThat(first).extracting(job -> job.id().value()).containsExactly("user-1", "user-2", "user-1");
        assertThat(first.get(2)).as("the job the first of the list wrote, as it is").isEqualTo(first.get(0));
        assertThat(first.get(2).state()).isEqualTo(State.WAITING);
        assertThat(queue.counts().waiting()).isEqualTo(2);

        List<JobInfo> again = queue.enqueueAll(List.of(Job.of("export", "third").id("user-2").maxAttempts(9), Job.of("export", "x").id("user-3")));
        assertThat(again.get(0)).isEqualTo(first.get(1));
        assertThat(again.get(1).state()).isEqualTo(State.WAITING);
        assertThat(queue.counts().waiting()).isEqualTo(3);
        assertThat(Fixture.text(fx.raw().hget(Fixture.jobKey(name, "user-1"), Fixture.bytes("dupes")))).isEqualTo("1");
        assertThat(Fixture.text(fx.raw().hget(Fixture.jobKey(name, "user-2"), Fixture.bytes("dupes")))).isEqualTo("1");

        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobWorker worker = fx.start(JobWorker.builder(queue).handle("export", (job, context) -> ran.add(job.payloadText())));
        await().atMost(WAIT).until(() -> worker.stats().completed() == 3);
        assertThat(ran).containsExactlyInAnyOrder("first", "other", "x");
        assertThat(queue.enqueueAll(List.of(Job.of("export", "late").id("user-1"))).get(0).state())
                .as("finished and retained: returned as it is, not run again").isEqualTo(State.COMPLETED);
    }

    @Test
    void delayedAndImmediateJobsMixAndEachKeepsItsOwnSettings() {
        JobQueue queue = fx.queue(Fixture.queueName("bulk-mixed")).maxAttempts(4).build();

        List<JobInfo> jobs = queue.enqueueAll(List.of(Job.of("a", "now"), Job.of("b", "later").delay(Duration.ofMinutes(10)).maxAttempts(7),
                Job.of("c", "soon").delay(Duration.ofSeconds(30))));

        assertThat(jobs).extracting(JobInfo::state).containsExactly(State.WAITING, State.DELAYED, State.DELAYED);
        assertThat(jobs).extracting(JobInfo::maxAttempts).containsExactly(4, 7, 4);
        assertThat(jobs.get(0).runAt()).isEqualTo(jobs.get(0).createdAt());
        assertThat(Duration.between(jobs.get(1).createdAt(), jobs.get(1).runAt())).isEqualTo(Duration.ofMinutes(10));
        assertThat(Duration.between(jobs.get(2).createdAt(), jobs.get(2).runAt())).isEqualTo(Duration.ofSeconds(30));
        for (JobInfo job : jobs) {
            assertThat(job).isEqualTo(queue.get(job.id()).orElseThrow());
        }
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(1, 2, 0, 0, 0, 0));
    }

    @Test
    void anOversizedPayloadIsRefusedNamingTheLimitAndNothingIsWritten() {
        String name = Fixture.queueName("bulk-limit");
        JobQueue queue = fx.queue(name).maxPayloadBytes(1024).build();

        assertThatThrownBy(() -> queue.enqueueAll(List.of(Job.of("small", "x").id("small"), Job.of("big", new byte[2000]).id("big"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload of a 'big' job: 2000 bytes (expected: at most 1024 bytes, the queue's maxPayloadBytes)");
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(0, 0, 0, 0, 0, 0));
        assertThat(fx.raw().exists(Fixture.jobKey(name, "small"))).isZero();
    }

    @Test
    void payloadsAreEncryptedAndBoundToTheirJob() {
        String name = Fixture.queueName("bulk-encrypted");
        JobQueue queue = fx.queue(name).build();

        queue.enqueueAll(List.of(Job.of("pay", "card 4111-1111-1111-1111").id("one"), Job.of("pay", "card 5500-0000-0000-0004").id("two")));

        byte[] one = fx.raw().hget(Fixture.jobKey(name, "one"), Fixture.bytes("payload"));
        byte[] two = fx.raw().hget(Fixture.jobKey(name, "two"), Fixture.bytes("payload"));
        assertThat(Fixture.text(one)).doesNotContain("4111");
        assertThat(Fixture.text(two)).doesNotContain("5500");
        assertThat(Fixture.text(queue.open(JobId.of("one"), one))).isEqualTo("card 4111-1111-1111-1111");
        assertThatThrownBy(() -> queue.open(JobId.of("two"), one)).as("bound to its job").isInstanceOf(RuntimeException.class);
    }
}
