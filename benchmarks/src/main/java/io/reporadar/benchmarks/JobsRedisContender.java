package io.reporadar.benchmarks;

import io.reporadar.jobs.Job;
import io.reporadar.jobs.JobHandler;
import io.reporadar.jobs.JobQueue;
import io.reporadar.jobs.JobWorker;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionEncryptionKey;
import io.reporadar.session.SessionRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * jobs-redis in {@link JobQueueBenchmark}: a {@link JobWorker} of the given concurrency on connections of its own,
 * fed by a {@link JobQueue} on another connection, as another instance would enqueue (an enqueue through the
 * worker's own queue object would also wake it locally). Queue and worker keep their defaults (3 attempts, backoff
 * from 1 s, 24 h retention, encrypted payloads) except the concurrency, and, when {@code blocking}, a
 * {@linkplain JobWorker.Builder#blockingConnection blocking connection} on which the idle worker waits for
 * enqueues instead of polling every 200 ms.
 */
final class JobsRedisContender implements QueueContender {

    private static final KeyRing KEYS = KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), List.of());
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** How long a scenario may take before the round is given up. */
    private static final long SCENARIO_LIMIT_SECONDS = 300;
    /** Jobs per bulk enqueue, as BullMQ's addBulk and raw Lettuce's pipelined LPUSHes in the benchmark. */
    private static final int BULK_CHUNK = 1000;

    private final boolean blocking;

    /** @param blocking whether the worker gets a blocking connection (else it polls, the default) */
    JobsRedisContender(boolean blocking) {
        this.blocking = blocking;
    }

    @Override
    public String name() {
        return blocking ? "jobs-redis, blockingConnection" : "jobs-redis, polling (default)";
    }

    @Override
    public QueueRound round(String redisUri, JobQueueBenchmark.Settings settings, int round) throws Exception {
        try (SessionRedis workerRedis = SessionRedis.connect(redisUri, TIMEOUT, TIMEOUT);
                SessionRedis blockingRedis = SessionRedis.connect(redisUri, TIMEOUT, TIMEOUT);
                SessionRedis producerRedis = SessionRedis.connect(redisUri, TIMEOUT, TIMEOUT)) {
            Connections on = new Connections(workerRedis, blocking ? blockingRedis : null, producerRedis);
            double throughput = throughput(on, settings, "bench-throughput-" + round);
            double bulk = bulk(on, settings, "bench-bulk-" + round);
            List<Double> latency = latency(on, settings, "bench-latency-" + round);
            List<Double> delayed = delayed(on, settings, "bench-delayed-" + round, new Random(round));
            return new QueueRound(throughput, bulk, latency, delayed);
        }
    }

    /** The worker's connection, its blocking one (null: it polls), and the producer's. */
    private record Connections(SessionRedis worker, @Nullable SessionRedis blocking, SessionRedis producer) {

        JobQueue producerQueue(String name) {
            return JobQueue.builder(producer, name, KEYS).build();
        }

        JobWorker startWorker(String name, int concurrency, JobHandler handler) throws InterruptedException {
            JobWorker.Builder builder = JobWorker.builder(JobQueue.builder(worker, name, KEYS).build()).handle("tiny", handler)
                    .concurrency(concurrency);
            SessionRedis waitOn = blocking;
            if (waitOn != null) {
                builder.blockingConnection(waitOn);
            }
            JobWorker started = builder.build().start();
            Thread.sleep(200); // the scenarios start on an idle worker, waiting for jobs
            return started;
        }
    }

    private static double throughput(Connections on, JobQueueBenchmark.Settings settings, String name) throws InterruptedException {
        JobQueue producer = on.producerQueue(name);
        try (JobWorker worker = on.startWorker(name, settings.concurrency(), (job, context) -> { })) {
            long started = System.nanoTime();
            QueueContender.sendInParallel(settings.producers(), settings.jobs(), i -> producer.enqueue(Job.of("tiny", Integer.toString(i))));
            long limit = started + TimeUnit.SECONDS.toNanos(SCENARIO_LIMIT_SECONDS);
            while (worker.stats().completed() < settings.jobs()) {
                if (System.nanoTime() - limit > 0) {
                    throw new IllegalStateException(name + ": " + worker.stats().completed() + " of " + settings.jobs() + " jobs completed in "
                            + SCENARIO_LIMIT_SECONDS + " s");
                }
                Thread.sleep(1);
            }
            return settings.jobs() / ((System.nanoTime() - started) / 1e9);
        }
    }

    /** {@link JobQueue#enqueueAll} of {@value #BULK_CHUNK} jobs at a time, one after the other (as BullMQ's addBulk). */
    private static double bulk(Connections on, JobQueueBenchmark.Settings settings, String name) {
        JobQueue producer = on.producerQueue(name);
        long started = System.nanoTime();
        for (int from = 0; from < settings.jobs(); from += BULK_CHUNK) {
            List<Job> chunk = new ArrayList<>(BULK_CHUNK);
            for (int i = from; i < Math.min(settings.jobs(), from + BULK_CHUNK); i++) {
                chunk.add(Job.of("tiny", Integer.toString(i)));
            }
            producer.enqueueAll(chunk);
        }
        return settings.jobs() / ((System.nanoTime() - started) / 1e9);
    }

    /** One job at a time, 10-20 ms apart, each waited for: from before the enqueue call to the handler's start. */
    private static List<Double> latency(Connections on, JobQueueBenchmark.Settings settings, String name) throws InterruptedException {
        JobQueue producer = on.producerQueue(name);
        AtomicLongArray starts = new AtomicLongArray(settings.latencySamples());
        Semaphore started = new Semaphore(0);
        Random gaps = new Random(name.hashCode());
        List<Double> samples = new ArrayList<>();
        JobWorker worker = on.startWorker(name, settings.concurrency(), (job, context) -> {
            starts.set(Integer.parseInt(job.payloadText()), System.nanoTime());
            started.release();
        });
        try {
            for (int i = 0; i < settings.latencySamples(); i++) {
                long sent = System.nanoTime();
                producer.enqueue(Job.of("tiny", Integer.toString(i)));
                if (!started.tryAcquire(SCENARIO_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + ": job " + i + " did not start within " + SCENARIO_LIMIT_SECONDS + " s");
                }
                samples.add((starts.get(i) - sent) / 1e6);
                Thread.sleep(10 + gaps.nextInt(11));
            }
        } finally {
            worker.close();
        }
        return samples;
    }

    /** Jobs due 200-1,200 ms after their enqueue, enqueued one after the other: how late each starts. */
    private static List<Double> delayed(Connections on, JobQueueBenchmark.Settings settings, String name, Random random)
            throws InterruptedException {
        JobQueue producer = on.producerQueue(name);
        int count = settings.delayedJobs();
        AtomicLongArray starts = new AtomicLongArray(count);
        long[] due = new long[count];
        CountDownLatch allStarted = new CountDownLatch(count);
        JobWorker worker = on.startWorker(name, settings.concurrency(), (job, context) -> {
            starts.set(Integer.parseInt(job.payloadText()), System.nanoTime());
            allStarted.countDown();
        });
        try {
            for (int i = 0; i < count; i++) {
                long delay = 200L + random.nextInt(1000);
                due[i] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
                producer.enqueue(Job.of("tiny", Integer.toString(i)).delay(Duration.ofMillis(delay)));
            }
            if (!allStarted.await(SCENARIO_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": " + allStarted.getCount() + " of " + count + " delayed jobs did not start");
            }
        } finally {
            worker.close();
        }
        List<Double> late = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            late.add((starts.get(i) - due[i]) / 1e6);
        }
        return late;
    }
}
