package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reporadar.jobs.JobInfo.State;
import io.reporadar.testing.FaultProxy;
import io.reporadar.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Workers: concurrency, draining, takeover of a frozen holder's job, a rolling restart, waking. */
class JobWorkerIT {

    private static final Logger LOG = LoggerFactory.getLogger(JobWorkerIT.class);

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.perClass();

    private Fixture fx;

    @BeforeEach
    void open() {
        fx = new Fixture(redisServer.uri());
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** One run of a job: when its handler started and returned (System.nanoTime()), and on which worker. */
    record Run(long start, long end, String worker) {
    }

    @Test
    void noWorkerRunsMoreJobsAtOnceThanItsConcurrency() {
        JobQueue queue = fx.queue(Fixture.queueName("concurrency")).build();
        for (int i = 0; i < 20; i++) {
            queue.enqueue(Job.of("work", "x"));
        }
        AtomicInteger runningOnA = new AtomicInteger();
        AtomicInteger mostOnA = new AtomicInteger();
        AtomicInteger runningOnB = new AtomicInteger();
        AtomicInteger mostOnB = new AtomicInteger();
        JobWorker a = fx.start(JobWorker.builder(queue).concurrency(3).handle("work", (job, context) -> busy(runningOnA, mostOnA)));
        JobWorker b = fx.start(JobWorker.builder(queue).concurrency(2).handle("work", (job, context) -> busy(runningOnB, mostOnB)));

        await().atMost(WAIT).until(() -> queue.counts().completed() == 20);
        assertThat(mostOnA.get()).isBetween(1, 3);
        assertThat(mostOnB.get()).isBetween(1, 2);
        await().atMost(WAIT).until(() -> a.stats().completed() + b.stats().completed() == 20); // counted once the write returned
    }

    private static void busy(AtomicInteger running, AtomicInteger most) throws InterruptedException {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            Thread.sleep(100);
        } finally {
            running.decrementAndGet();
        }
    }

    @Test
    void aDrainFinishesShortJobsAndHandsBackALongOneThatAnotherWorkerThenRuns() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("drain")).build();
        Map<String, List<Run>> runs = new ConcurrentHashMap<>();
        CountDownLatch allStarted = new CountDownLatch(3);
        JobId shortOne = queue.enqueue(Job.of("short", "a")).id();
        JobId shortTwo = queue.enqueue(Job.of("short", "b")).id();
        JobId longOne = queue.enqueue(Job.of("long", "c")).id();
        JobWorker first = fx.start(worker(queue, "first", runs, allStarted).concurrency(3));
        assertThat(allStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        long began = System.nanoTime();
        JobWorker.Drained drained = first.drain(Duration.ofSeconds(3));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        assertThat(drained).isEqualTo(new JobWorker.Drained(2, 1, 0));
        assertThat(tookMillis).isLessThan(3000 + 1500);
        assertThat(Fixture.state(queue, shortOne)).isEqualTo(State.COMPLETED);
        assertThat(Fixture.state(queue, shortTwo)).isEqualTo(State.COMPLETED);
        JobInfo handedBack = queue.get(longOne).orElseThrow();
        assertThat(handedBack.state()).isEqualTo(State.WAITING);
        assertThat(handedBack.attempts()).as("a hand-back is not an attempt").isZero();
        assertThat(first.stats().handedBack()).isEqualTo(1);

        JobWorker second = fx.start(worker(queue, "second", runs, new CountDownLatch(1)));
        await().atMost(WAIT).until(() -> Fixture.state(queue, longOne) == State.COMPLETED);
        List<Run> longRuns = runs.getOrDefault(longOne.value(), List.of());
        assertThat(longRuns).extracting(Run::worker).containsExactly("first", "second");
        assertThat(longRuns.get(1).start()).as("the second run starts after the first ended").isGreaterThanOrEqualTo(longRuns.get(0).end());
        assertThat(queue.get(longOne).orElseThrow().attempts()).isEqualTo(1);
        await().atMost(WAIT).until(() -> second.stats().completed() == 1);

        JobId later = queue.enqueue(Job.of("short", "d")).id();
        await().atMost(WAIT).until(() -> Fixture.state(queue, later) == State.COMPLETED);
        assertThat(runs.get(later.value())).extracting(Run::worker).containsExactly("second");
        assertThat(first.drain(Duration.ZERO)).as("a second drain returns the first one's summary").isEqualTo(drained);
    }

    /** Short jobs take 1 s; a long job runs for a minute the first time (until interrupted), 100 ms after. */
    private static JobWorker.Builder worker(JobQueue queue, String name, Map<String, List<Run>> runs, CountDownLatch started) {
        JobHandler handler = (job, context) -> {
            long start = System.nanoTime();
            started.countDown();
            try {
                boolean firstLongRun = job.type().equals("long") && !runs.containsKey(context.id().value());
                Thread.sleep(firstLongRun ? 60_000 : job.type().equals("long") ? 100 : 1000);
            } finally {
                runs.computeIfAbsent(context.id().value(), id -> new CopyOnWriteArrayList<>()).add(new Run(start, System.nanoTime(), name));
            }
        };
        return JobWorker.builder(queue).handle("short", handler).handle("long", handler);
    }

    @Test
    void theJobOfAFrozenHolderIsTakenOverWithinItsLeaseAndTheHoldersLateWritesAreRefused() throws Exception {
        String name = Fixture.queueName("takeover");
        Duration lease = Duration.ofSeconds(2);
        try (FaultProxy proxy = FaultProxy.to(redisServer.server().host(), redisServer.server().port())) {
            JobQueue frozenSide = JobQueue.builder(fx.redis("redis://" + proxy.host() + ":" + proxy.port()), name, Fixture.KEYS).build();
            JobQueue healthySide = fx.queue(name).build();
            JobId id = healthySide.enqueue(Job.of("job", "x")).id();

            CountDownLatch holderStarted = new CountDownLatch(1);
            CountDownLatch thaw = new CountDownLatch(1);
            AtomicLong holderInterruptedAt = new AtomicLong();
            AtomicBoolean holderSawLeaseLost = new AtomicBoolean();
            AtomicBoolean lateProgressRecorded = new AtomicBoolean(true);
            JobWorker holder = fx.start(JobWorker.builder(frozenSide).lease(lease).concurrency(1).handle("job", (job, context) -> {
                holderStarted.countDown();
                while (thaw.getCount() > 0) { // ignores interrupts, as a handler stuck in a library might
                    try {
                        thaw.await();
                    } catch (InterruptedException e) {
                        holderInterruptedAt.compareAndSet(0, System.nanoTime());
                    }
                }
                holderSawLeaseLost.set(context.leaseLost());
                lateProgressRecorded.set(context.progress(90));
            }));
            assertThat(holderStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            proxy.blackhole(); // the holder freezes: nothing it sends reaches Redis, nothing comes back
            long frozenAt = System.nanoTime();
            AtomicLong takenOverAt = new AtomicLong();
            JobWorker taker = fx.start(JobWorker.builder(healthySide).lease(lease).handle("job", (job, context) -> takenOverAt.set(System.nanoTime())));

            await().atMost(WAIT).until(() -> Fixture.state(healthySide, id) == State.COMPLETED);
            long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(takenOverAt.get() - frozenAt);
            assertThat(takeoverMillis).as("taken over within lease + 1 s").isLessThanOrEqualTo(lease.toMillis() + 1000);
            await().atMost(WAIT).until(() -> holderInterruptedAt.get() != 0);
            long interruptedMillis = TimeUnit.NANOSECONDS.toMillis(holderInterruptedAt.get() - frozenAt);
            // the holder's own deadline (lease less a tenth, from its last renewal) comes before Redis's expiry
            LOG.info("frozen holder interrupted {} ms, its job taken over {} ms after the freeze", interruptedMillis, takeoverMillis);
            assertThat(interruptedMillis).as("the cut-off holder is interrupted within its lease").isLessThanOrEqualTo(lease.toMillis() + 1000);
            await().atMost(WAIT).until(() -> holder.stats().leasesLost() == 1);

            proxy.heal();
            thaw.countDown();
            await().atMost(WAIT).until(() -> holder.stats().refusedWrites() == 2);
            assertThat(holderSawLeaseLost).isTrue();
            assertThat(lateProgressRecorded).as("a late progress is refused").isFalse();
            assertThat(holder.stats().completed()).isZero();
            await().atMost(WAIT).until(() -> taker.stats().completed() == 1);
            assertThat(taker.stats().takeovers()).isEqualTo(1);
            JobInfo done = healthySide.get(id).orElseThrow();
            assertThat(done.state()).isEqualTo(State.COMPLETED);
            assertThat(done.attempts()).isEqualTo(2);
            assertThat(done.progress()).as("the late progress changed nothing").isZero();
            byte[] completedSet = Fixture.bytes("reporadar:jobs:{" + name + "}:completed");
            assertThat(fx.raw().zrange(completedSet, 0, -1)).extracting(Fixture::text).containsExactly(id.value());
        }
    }

    @Test
    void aRollingRestartOfThreeWorkersLosesNoJobAndRunsNoneTwiceAtOnce() throws Exception {
        String name = Fixture.queueName("rolling");
        int jobs = 200;
        Map<String, List<Run>> runs = new ConcurrentHashMap<>();
        List<JobWorker> everyWorker = new CopyOnWriteArrayList<>();
        JobQueue[] instances = new JobQueue[3];
        JobWorker[] workers = new JobWorker[3];
        for (int i = 0; i < 3; i++) {
            instances[i] = fx.queue(name).build();
            workers[i] = rollingWorker(instances[i], "instance-" + i + "-run-1", runs);
            everyWorker.add(workers[i]);
        }
        JobQueue producer = fx.queue(name).build();
        Thread enqueuing = new Thread(() -> {
            for (int i = 0; i < jobs; i++) {
                producer.enqueue(Job.of(i % 5 == 0 ? "long" : "short", Integer.toString(i)).id("job-" + i));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        enqueuing.start();

        for (int i = 0; i < 3; i++) {
            Thread.sleep(700);
            JobWorker.Drained drained = workers[i].drain(Duration.ofSeconds(1));
            assertThat(drained.stillRunning()).isZero();
            workers[i] = rollingWorker(instances[i], "instance-" + i + "-run-2", runs);
            everyWorker.add(workers[i]);
        }
        enqueuing.join();

        await().atMost(Duration.ofSeconds(90)).until(() -> producer.counts().completed() == jobs);
        assertThat(producer.counts()).isEqualTo(new JobQueue.Counts(0, 0, 0, jobs, 0, 0));
        await().atMost(WAIT).until(() -> everyWorker.stream().mapToLong(w -> w.stats().completed()).sum() >= jobs);
        long completions = everyWorker.stream().mapToLong(w -> w.stats().completed()).sum();
        long handedBack = everyWorker.stream().mapToLong(w -> w.stats().handedBack()).sum();
        long refused = everyWorker.stream().mapToLong(w -> w.stats().refusedWrites()).sum();
        assertThat(completions).as("each completion recorded once").isEqualTo(jobs);
        assertThat(handedBack).as("drains handed running jobs back").isPositive();
        assertThat(refused).isZero();
        assertThat(runs).hasSize(jobs);
        for (Map.Entry<String, List<Run>> job : runs.entrySet()) {
            List<Run> ordered = new ArrayList<>(job.getValue());
            ordered.sort(Comparator.comparingLong(Run::start));
            for (int i = 1; i < ordered.size(); i++) {
                assertThat(ordered.get(i).start()).as("%s ran twice at once: %s", job.getKey(), ordered)
                        .isGreaterThanOrEqualTo(ordered.get(i - 1).end());
            }
        }
    }

    private JobWorker rollingWorker(JobQueue queue, String name, Map<String, List<Run>> runs) {
        Random random = new Random(name.hashCode());
        return fx.start(JobWorker.builder(queue).concurrency(4).lease(Duration.ofSeconds(3)).handle("short", (job, context) -> {
            long start = System.nanoTime();
            try {
                Thread.sleep(20 + random.nextInt(100));
            } finally {
                runs.computeIfAbsent(context.id().value(), id -> new CopyOnWriteArrayList<>()).add(new Run(start, System.nanoTime(), name));
            }
        }).handle("long", (job, context) -> {
            long start = System.nanoTime();
            try {
                Thread.sleep(2500);
            } finally {
                runs.computeIfAbsent(context.id().value(), id -> new CopyOnWriteArrayList<>()).add(new Run(start, System.nanoTime(), name));
            }
        }));
    }

    @Test
    void anIdleWorkerWakesAtOnceForJobsEnqueuedElsewhereWhenItHasABlockingConnection() throws Exception {
        String name = Fixture.queueName("wake");
        JobQueue workerSide = fx.queue(name).build();
        JobQueue elsewhere = fx.queue(name).build();
        List<Long> startedAt = new CopyOnWriteArrayList<>();
        fx.start(JobWorker.builder(workerSide).pollInterval(Duration.ofSeconds(10)).blockingConnection(fx.redis())
                .handle("ping", (job, context) -> startedAt.add(System.nanoTime())));
        for (int i = 1; i <= 3; i++) {
            Thread.sleep(300); // the dispatcher is blocked on the wake list by now
            long enqueuedAt = System.nanoTime();
            elsewhere.enqueue(Job.of("ping", "x"));
            int expected = i;
            await().atMost(WAIT).until(() -> startedAt.size() == expected);
            assertThat(TimeUnit.NANOSECONDS.toMillis(startedAt.get(i - 1) - enqueuedAt)).as("far sooner than the 10 s poll").isLessThan(3000);
        }
    }

    @Test
    void anEnqueueThroughTheWorkersOwnQueueWakesItWithoutABlockingConnection() throws Exception {
        JobQueue queue = fx.queue(Fixture.queueName("local-wake")).build();
        List<Long> startedAt = new CopyOnWriteArrayList<>();
        fx.start(JobWorker.builder(queue).pollInterval(Duration.ofSeconds(10)).handle("ping", (job, context) -> startedAt.add(System.nanoTime())));
        Thread.sleep(300);
        long enqueuedAt = System.nanoTime();
        queue.enqueue(Job.of("ping", "x"));
        await().atMost(WAIT).until(() -> startedAt.size() == 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(startedAt.get(0) - enqueuedAt)).as("far sooner than the 10 s poll").isLessThan(3000);
    }
}
