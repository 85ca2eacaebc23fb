package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reporadar.jobs.JobInfo.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A completion that takes the next due job in the same script (a busy job thread's one round trip per job): it is
 * token-checked as every holder write and takes only a due job; a busy worker still returns expired leases.
 */
class CompleteAndFetchIT extends RedisFixtureBase {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration LEASE = Duration.ofSeconds(15);

    @Test
    void aCompletionTakesTheNextDueJobOnlyWithTheLeaseToken() {
        JobQueue queue = fx.queue(Fixture.queueName("chain")).build();
        queue.enqueueAll(List.of(Job.of("t", "a").id("a"), Job.of("t", "b").id("b"), Job.of("t", "later").id("later").delay(Duration.ofMinutes(5))));
        JobLeases leases = queue.leases();
        JobLeases.Taken a = leases.fetch(LEASE, List.of("token-a")).jobs().get(0);
        assertThat(a.id().value()).isEqualTo("a");

        JobLeases.Completed refused = leases.complete(holding(queue, a, "not-the-lease"), new byte[0], "token-x", LEASE);
        assertThat(refused.code()).as("a write without the lease's token").isEqualTo(Scripts.REFUSED);
        assertThat(refused.next()).as("a refused write takes nothing").isNull();
        assertThat(Fixture.state(queue, JobId.of("a"))).isEqualTo(State.ACTIVE);
        assertThat(Fixture.state(queue, JobId.of("b"))).isEqualTo(State.WAITING);

        JobLeases.Completed done = leases.complete(holding(queue, a, "token-a"), new byte[0], "token-b", LEASE);
        assertThat(done.code()).isEqualTo(Scripts.DONE);
        JobLeases.Taken b = Objects.requireNonNull(done.next(), "the next job");
        assertThat(b.id().value()).isEqualTo("b");
        assertThat(b.token()).isEqualTo("token-b");
        assertThat(b.attempt()).isEqualTo(1);
        assertThat(Fixture.text(queue.open(b.id(), b.sealed()))).isEqualTo("b");
        assertThat(Fixture.state(queue, JobId.of("a"))).isEqualTo(State.COMPLETED);
        assertThat(Fixture.state(queue, JobId.of("b"))).isEqualTo(State.ACTIVE);

        JobLeases.Completed again = leases.complete(holding(queue, a, "token-a"), new byte[0], "token-y", LEASE);
        assertThat(again.code()).as("the same completion sent again").isEqualTo(Scripts.ALREADY);
        assertThat(again.next()).isNull();

        JobLeases.Completed last = leases.complete(holding(queue, b, "token-b"), new byte[0], "token-z", LEASE);
        assertThat(last.code()).isEqualTo(Scripts.DONE);
        assertThat(last.next()).as("the delayed job is not due").isNull();
        assertThat(queue.counts()).isEqualTo(new JobQueue.Counts(0, 1, 0, 2, 0, 0));
    }

    @Test
    void aBusyWorkerStillReturnsExpiredLeasesToTheQueueAndItsJobThreadTakesThem() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("chain-expired")).build();
        JobId lapsed = queue.enqueue(Job.of("t", "lapsed").id("lapsed")).id();
        queue.leases().fetch(Duration.ofSeconds(1), List.of("token-of-a-killed-holder"));
        queue.enqueue(Job.of("t", "busy").id("busy"));
        AtomicBoolean requeuedWhileBusy = new AtomicBoolean();
        JobWorker worker = fx.start(JobWorker.builder(queue).concurrency(1).handle("t", (job, context) -> {
            if (job.payloadText().equals("busy")) { // the only slot is taken until the lapsed lease is back in the queue
                long until = System.nanoTime() + WAIT.toNanos();
                while (Fixture.state(queue, lapsed) != State.WAITING && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                requeuedWhileBusy.set(Fixture.state(queue, lapsed) == State.WAITING);
            }
        }));

        await().atMost(WAIT).until(() -> worker.stats().completed() == 2);
        assertThat(requeuedWhileBusy).as("the full worker's dispatcher returned the expired lease").isTrue();
        assertThat(worker.stats().takeovers()).isEqualTo(1);
        JobInfo done = queue.get(lapsed).orElseThrow();
        assertThat(done.state()).isEqualTo(State.COMPLETED);
        assertThat(done.attempts()).as("the lapsed lease counted as an attempt").isEqualTo(2);
    }

    @Test
    void aWorkersChainedCompletionIsRefusedOnceItsLeaseIsTakenAndTheNextJobsStillRun() throws Exception {
        String name = Fixture.queueName("chain-worker");
        JobQueue queue = fx.queue(name).build();
        queue.enqueueAll(List.of(Job.of("step", "a").id("a"), Job.of("step", "b").id("b"), Job.of("step", "c").id("c"),
                Job.of("step", "d").id("d")));
        JobWorker worker = fx.start(JobWorker.builder(queue).concurrency(1).handle("step", (job, context) -> {
            if (job.payloadText().equals("b")) { // another holder took the lease over meanwhile
                fx.raw().hset(Fixture.jobKey(name, "b"), Map.of(Fixture.bytes("token"), Fixture.bytes("another-holder")));
            }
        }));

        await().atMost(WAIT).until(() -> worker.stats().completed() == 3);
        await().atMost(WAIT).until(() -> worker.stats().refusedWrites() == 1);
        assertThat(worker.stats().leasesLost()).isEqualTo(1);
        assertThat(Fixture.state(queue, JobId.of("b"))).as("not recorded by the holder that lost it").isEqualTo(State.ACTIVE);
        for (String id : List.of("a", "c", "d")) {
            assertThat(Fixture.state(queue, JobId.of(id))).isEqualTo(State.COMPLETED);
        }
    }

    /** A context holding {@code job} under {@code token}, as a worker's job thread has it. */
    private static JobContext holding(JobQueue queue, JobLeases.Taken job, String token) {
        JobRunner runner = new JobRunner(queue, Map.of(), 1, LEASE, "test", new HeldJobs(), new WorkerCounters(), () -> { }, () -> true);
        runner.shutdown();
        return new JobContext(runner, new JobLeases.Taken(job.id(), job.type(), job.sealed(), job.attempt(), job.maxAttempts(), token, 0),
                System.nanoTime() + LEASE.toNanos());
    }
}
