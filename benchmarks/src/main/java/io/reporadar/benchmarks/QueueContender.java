package io.reporadar.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A job queue measured by {@link JobQueueBenchmark}: runs one round of the scenarios it supports against a Redis
 * that holds nothing of a previous round. Not thread-safe: one round at a time.
 */
interface QueueContender {

    /** The contender's name in the table, with its version where it has one. */
    String name();

    /**
     * Runs one round.
     *
     * @param redisUri the Redis to use, empty when called
     * @param round    0, 1, ...: part of every queue or key name
     */
    QueueRound round(String redisUri, JobQueueBenchmark.Settings settings, int round) throws Exception;

    /** What a producer thread does with job number {@code i}. */
    @FunctionalInterface
    interface JobSender {
        void send(int i) throws Exception;
    }

    /**
     * Sends jobs {@code 0 .. count - 1} from {@code threads} threads at once, each taking the next number, and
     * returns when all are sent.
     *
     * @throws IllegalStateException carrying the first failure of any thread
     */
    static void sendInParallel(int threads, int count, JobSender sender) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread producer = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < count && failure.get() == null; i = next.getAndIncrement()) {
                    try {
                        sender.send(i);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, "producer-" + t);
            producer.start();
            producers.add(producer);
        }
        for (Thread producer : producers) {
            producer.join();
        }
        Exception first = failure.get();
        if (first != null) {
            throw new IllegalStateException("a producer failed: " + first, first);
        }
    }
}
