package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reporadar.jobs.JobInfo.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The queue's guarantees, job by job, against a real Redis. */
class JobQueueIT extends RedisFixtureBase {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aJobIsEnqueuedRunAndCompleted() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("round-trip")).build();
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        JobWorker worker = fx.start(JobWorker.builder(queue).handle("echo", (job, context) -> seen.add(job.payloadText() + " #" + context.attempt())));

        JobInfo enqueued = queue.enqueue(Job.of("echo", "hello"));

        assertThat(enqueued.state()).isIn(State.WAITING, State.ACTIVE, State.COMPLETED);
        assertThat(enqueued.type()).isEqualTo("echo");
        assertThat(enqueued.attempts()).isZero();
        assertThat(enqueued.maxAttempts()).isEqualTo(JobQueue.DEFAULT_MAX_ATTEMPTS);
        assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello #1");
        await().atMost(WAIT).until(() -> Fixture.state(queue, enqueued.id()) == State.COMPLETED);
        JobInfo done = queue.get(enqueued.id()).orElseThrow();
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).isNull();
        assertThat(done.startedAt()).isNotNull().isAfterOrEqualTo(done.createdAt());
        assertThat(done.finishedAt()).isNotNull().isAfterOrEqualTo(done.startedAt());
        await().atMost(WAIT).until(() -> worker.stats().completed() == 1); // counted once the write returned
        assertThat(worker.stats().refusedWrites()).isZero();
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(0, 0, 0, 1, 0, 0));
        assertThat(done.toString()).doesNotContain("hello");
    }

    @Test
    void anEnqueueUnderAnIdTheQueueHoldsReturnsTheJobThereAndRunsNothingTwice() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("idempotent")).build();
        JobId id = JobId.of("export-user-42");

        JobInfo first = queue.enqueue(Job.of("export", "first").id(id));
        JobInfo waitingAgain = queue.enqueue(Job.of("export", "second").id(id).delay(Duration.ofMinutes(5)));
        assertThat(waitingAgain.state()).isEqualTo(State.WAITING);
        assertThat(waitingAgain.createdAt()).isEqualTo(first.createdAt());
        assertThat(waitingAgain.runAt()).isEqualTo(first.runAt());

        AtomicInteger runs = new AtomicInteger();
        List<String> payloads = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fx.start(JobWorker.builder(queue).handle("export", (job, context) -> {
            runs.incrementAndGet();
            payloads.add(job.payloadText());
            started.countDown();
            release.await();
        }));
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        JobInfo activeAgain = queue.enqueue(Job.of("export", "third").id(id));
        assertThat(activeAgain.state()).isEqualTo(State.ACTIVE);
        assertThat(activeAgain.createdAt()).isEqualTo(first.createdAt());

        release.countDown();
        await().atMost(WAIT).until(() -> Fixture.state(queue, id) == State.COMPLETED);
        JobInfo completedAgain = queue.enqueue(Job.of("export", "fourth").id(id));
        assertThat(completedAgain.state()).isEqualTo(State.COMPLETED);
        assertThat(completedAgain.attempts()).isEqualTo(1);
        Thread.sleep(500);
        assertThat(runs).hasValue(1);
        assertThat(payloads).containsExactly("first");
        assertThat(queue.counts().waiting()).isZero();
    }

    @Test
    void aDelayedJobRunsAtItsTimeAndNotBefore() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("delayed")).build();
        Map<String, Instant> startedAt = new ConcurrentHashMap<>();
        fx.start(JobWorker.builder(queue).handle("later", (job, context) -> startedAt.put(context.id().value(), Instant.now())));

        JobInfo delayed = queue.enqueue(Job.of("later", "x").delay(Duration.ofMillis(1500)));
        JobInfo now = queue.enqueue(Job.of("later", "y"));

        assertThat(delayed.state()).isEqualTo(State.DELAYED);
        assertThat(Duration.between(delayed.createdAt(), delayed.runAt())).isEqualTo(Duration.ofMillis(1500));
        assertThat(queue.counts().delayed()).isEqualTo(1);
        await().atMost(WAIT).until(() -> Fixture.state(queue, now.id()) == State.COMPLETED);
        assertThat(Fixture.state(queue, delayed.id())).isEqualTo(State.DELAYED);
        await().atMost(WAIT).until(() -> Fixture.state(queue, delayed.id()) == State.COMPLETED);
        JobInfo ran = queue.get(delayed.id()).orElseThrow();
        assertThat(ran.startedAt()).isAfterOrEqualTo(delayed.runAt());                            // Redis's clock
        assertThat(startedAt.get(delayed.id().value())).isAfter(delayed.runAt().minusMillis(50)); // this host's, same machine
    }

    @Test
    void failingAttemptsAreRetriedWithBackoffThenFailedListedAndRetriedOnDemand() throws Exception {
        Duration backoff = Duration.ofMillis(200);
        JobQueue queue = fx.queue(Fixture.queueName("retries")).backoff(backoff).build();
        AtomicBoolean healthy = new AtomicBoolean();
        List<Long> starts = new CopyOnWriteArrayList<>();
        List<Long> ends = new CopyOnWriteArrayList<>();
        JobWorker worker = fx.start(JobWorker.builder(queue).handle("flaky", (job, context) -> {
            starts.add(System.nanoTime());
            try {
                if (!healthy.get()) {
                    throw new IllegalStateException("boom on attempt " + context.attempt() + " of " + context.maxAttempts());
                }
            } finally {
                ends.add(System.nanoTime());
            }
        }));
        JobId id = queue.enqueue(Job.of("flaky", "x").id("flaky-1")).id();

        await().atMost(WAIT).until(() -> Fixture.state(queue, id) == State.FAILED);
        JobInfo failed = queue.get(id).orElseThrow();
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error()).isEqualTo("IllegalStateException: boom on attempt 3 of 3");
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(starts).hasSize(3);
        // exponential: at least 200 ms, then 400 ms between the end of one attempt and the start of the next
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(1) - ends.get(0))).isGreaterThanOrEqualTo(190);
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(2) - ends.get(1))).isGreaterThanOrEqualTo(390);
        assertThat(queue.failed(10)).extracting(JobInfo::id).containsExactly(id);
        assertThat(queue.counts().failed()).isEqualTo(1);
        await().atMost(WAIT).until(() -> worker.stats().failed() == 1);
        assertThat(worker.stats().retried()).isEqualTo(2);

        healthy.set(true);
        JobInfo again = queue.retry(id).orElseThrow();
        assertThat(again.state()).isIn(State.WAITING, State.ACTIVE, State.COMPLETED);
        await().atMost(WAIT).until(() -> Fixture.state(queue, id) == State.COMPLETED);
        assertThat(queue.get(id).orElseThrow().attempts()).isEqualTo(1);
        assertThat(queue.get(id).orElseThrow().error()).isNull();
        assertThat(queue.failed(10)).isEmpty();
        assertThat(queue.retry(id).orElseThrow().state()).as("a completed job is not run again").isEqualTo(State.COMPLETED);
        assertThat(queue.retry(JobId.of("no-such-job"))).isEmpty();
        await().atMost(WAIT).until(() -> worker.stats().completed() == 1);
    }

    @Test
    void progressIsVisibleWhileTheJobRuns() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("progress")).build();
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean recorded = new AtomicBoolean();
        fx.start(JobWorker.builder(queue).handle("long", (job, context) -> {
            recorded.set(context.progress(50));
            reported.countDown();
            release.await();
        }));
        JobId id = queue.enqueue(Job.of("long", "x")).id();

        assertThat(reported.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        JobInfo running = queue.get(id).orElseThrow();
        assertThat(running.state()).isEqualTo(State.ACTIVE);
        assertThat(running.progress()).isEqualTo(50);
        assertThat(recorded).isTrue();
        assertThat(queue.counts().active()).isEqualTo(1);
        release.countDown();
        await().atMost(WAIT).until(() -> Fixture.state(queue, id) == State.COMPLETED);
        assertThat(queue.get(id).orElseThrow().progress()).isEqualTo(50);
    }

    @Test
    void aCancelledWaitingJobNeverRuns() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("cancel-waiting")).build();
        JobId doomed = queue.enqueue(Job.of("work", "doomed")).id();
        JobId delayed = queue.enqueue(Job.of("work", "later").delay(Duration.ofMillis(300))).id();
        queue.enqueue(Job.of("work", "other").delay(Duration.ofMinutes(10)));
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(1, 2, 0, 0, 0, 0));

        JobInfo cancelled = queue.cancel(doomed).orElseThrow();
        assertThat(cancelled.state()).isEqualTo(State.CANCELLED);
        assertThat(cancelled.cancelRequested()).isTrue();
        assertThat(cancelled.finishedAt()).isNotNull();
        assertThat(queue.cancel(delayed).orElseThrow().state()).isEqualTo(State.CANCELLED);
        assertThat(queue.cancel(JobId.of("no-such-job"))).isEmpty();

        Set<String> ran = ConcurrentHashMap.newKeySet();
        fx.start(JobWorker.builder(queue).handle("work", (job, context) -> ran.add(job.payloadText())));
        JobId marker = queue.enqueue(Job.of("work", "marker")).id();
        await().atMost(WAIT).until(() -> Fixture.state(queue, marker) == State.COMPLETED);
        Thread.sleep(500); // the delayed one's time has come and gone
        assertThat(ran).containsExactly("marker");
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(0, 1, 0, 1, 0, 2));
        assertThat(queue.cancel(marker).orElseThrow().state()).as("a finished job stays as it is").isEqualTo(State.COMPLETED);
    }

    @Test
    void aCancelFromAnotherInstanceReachesTheRunningHandler() throws Exception {
        String name = Fixture.queueName("cancel-active");
        JobQueue workerSide = fx.queue(name).build();
        JobQueue otherInstance = fx.queue(name).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch sawCancel = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        JobWorker worker = fx.start(JobWorker.builder(workerSide).handle("long", (job, context) -> {
            started.countDown();
            while (!context.cancelled()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            }
            sawCancel.countDown();
        }));
        JobId id = workerSide.enqueue(Job.of("long", "x")).id();
        assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        long cancelledAt = System.nanoTime();
        JobInfo asked = otherInstance.cancel(id).orElseThrow();

        assertThat(asked.state()).isEqualTo(State.ACTIVE);
        assertThat(asked.cancelRequested()).isTrue();
        assertThat(sawCancel.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long seenAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
        assertThat(seenAfterMillis).as("renewals run every second at most").isLessThan(3000);
        assertThat(interrupted).as("the job thread was interrupted").isTrue();
        await().atMost(WAIT).until(() -> Fixture.state(workerSide, id) == State.CANCELLED);
        await().atMost(WAIT).until(() -> worker.stats().cancelled() == 1);
        assertThat(worker.stats().completed()).isZero();
    }

    @Test
    void aJobOfATypeWithNoHandlerFailsWithAClearError() {
        JobQueue queue = fx.queue(Fixture.queueName("unknown-type")).build();
        fx.start(JobWorker.builder(queue).handle("known", (job, context) -> { }));
        JobId id = queue.enqueue(Job.of("unknown", "x").maxAttempts(1)).id();

        await().atMost(WAIT).until(() -> Fixture.state(queue, id) == State.FAILED);
        assertThat(queue.get(id).orElseThrow().error())
                .isEqualTo("IllegalStateException: no handler for job type 'unknown' on this worker (it handles [known])");
    }

    @Test
    void badInputIsRefusedNamingTheCulprit() {
        JobQueue queue = fx.queue(Fixture.queueName("limits")).maxPayloadBytes(1024).build();

        assertThatThrownBy(() -> queue.enqueue(Job.of("big", new byte[2000])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload of a 'big' job: 2000 bytes (expected: at most 1024 bytes, the queue's maxPayloadBytes)");
        assertThatThrownBy(() -> fx.queue("no spaces allowed")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("queue name: 'no spaces allowed'");
        assertThatThrownBy(() -> fx.queue("x".repeat(65))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65 characters");
        assertThatThrownBy(() -> queue.enqueue(Job.of("t", "x").id("{slot}"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("job id: '{slot}'");
        assertThatThrownBy(() -> JobWorker.builder(queue).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("no handler");
        assertThatThrownBy(() -> JobWorker.builder(queue).lease(Duration.ofMillis(100))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lease: 100ms (expected: 1s to 10m)");
        assertThatThrownBy(() -> JobWorker.builder(queue).blockingConnection(queue.redis())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("blockingConnection: the queue's own SessionRedis");
        assertThatThrownBy(() -> fx.queue(Fixture.queueName("durable")).awaitReplicas(1, Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("awaitReplicas timeout 5s");
    }

    @Test
    void redisHoldsCiphertextOnlyAndAPayloadCopiedToAnotherJobDoesNotDecrypt() throws Exception {
        String name = Fixture.queueName("encrypted");
        JobQueue queue = fx.queue(name).build();
        String secret = "card 4111-1111-1111-1111 of ada@example.com";
        JobId secretJob = queue.enqueue(Job.of("pay", secret).id("secret")).id();
        JobId copied = queue.enqueue(Job.of("pay", "harmless").id("copied").maxAttempts(1)).id();

        byte[] sealed = fx.raw().hget(Fixture.jobKey(name, "secret"), Fixture.bytes("payload"));
        byte[] dump = fx.raw().dump(Fixture.jobKey(name, "secret"));
        assertThat(indexOf(sealed, Fixture.bytes(secret))).isEqualTo(-1);
        assertThat(indexOf(dump, Fixture.bytes(secret))).isEqualTo(-1);
        assertThat(indexOf(dump, Fixture.bytes("4111"))).isEqualTo(-1);
        fx.raw().hset(Fixture.jobKey(name, "copied"), Fixture.bytes("payload"), sealed);

        List<String> seen = new CopyOnWriteArrayList<>();
        fx.start(JobWorker.builder(queue).handle("pay", (job, context) -> seen.add(job.payloadText())));
        await().atMost(WAIT).until(() -> Fixture.state(queue, secretJob) == State.COMPLETED && Fixture.state(queue, copied) == State.FAILED);
        assertThat(seen).containsExactly(secret);
        assertThat(queue.get(copied).orElseThrow().error()).startsWith("IllegalStateException: payload unreadable");
    }

    @Test
    void finishedJobsExpireAfterTheRetention() throws Exception {
        String name = Fixture.queueName("retention");
        JobQueue queue = fx.queue(name).retention(Duration.ofMillis(1500)).build();
        fx.start(JobWorker.builder(queue).handle("quick", (job, context) -> { }));
        JobId first = queue.enqueue(Job.of("quick", "x")).id();
        await().atMost(WAIT).until(() -> Fixture.state(queue, first) == State.COMPLETED);

        long ttl = fx.raw().pttl(Fixture.jobKey(name, first.value()));
        assertThat(ttl).isBetween(1L, 1500L);
        await().atMost(WAIT).until(() -> queue.get(first).isEmpty());
        assertThat(queue.counts().completed()).isZero();

        JobId second = queue.enqueue(Job.of("quick", "y")).id();
        await().atMost(WAIT).until(() -> queue.get(second).map(JobInfo::state).equals(Optional.of(State.COMPLETED)));
        byte[] completedSet = Fixture.bytes("reporadar:jobs:{" + name + "}:completed");
        assertThat(fx.raw().zrange(completedSet, 0, -1)).extracting(Fixture::text).containsExactly(second.value());
    }

    @Test
    void scriptsAreSentAgainWhenRedisForgotThem() {
        JobQueue queue = fx.queue(Fixture.queueName("noscript")).build();
        JobId first = queue.enqueue(Job.of("work", "x")).id();

        fx.raw().scriptFlush(); // as after a restart or a failover to a replica that never ran them

        JobId second = queue.enqueue(Job.of("work", "y")).id();
        assertThat(queue.get(first)).isPresent();
        assertThat(queue.get(second)).isPresent();
        assertThat(queue.counts().waiting()).isEqualTo(2);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
