package io.reporadar.benchmarks;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The limit in {@link JobQueueBenchmark}: a job is one {@code LPUSH} of its payload, taking it one {@code BRPOP}.
 * No lease, no retry, no state, no record of completion: what any list-based queue in Redis costs at least.
 * Throughput: {@code concurrency} consumers, each a thread on a connection of its own blocked in {@code BRPOP};
 * producers share one connection. Bulk: one {@code LPUSH} per job, pipelined 1,000 at a time.
 */
final class RawLettuceContender implements QueueContender {

    private static final int BULK_CHUNK = 1000;

    @Override
    public String name() {
        return "raw Lettuce LPUSH/BRPOP";
    }

    @Override
    public QueueRound round(String redisUri, JobQueueBenchmark.Settings settings, int round) throws Exception {
        RedisClient client = RedisClient.create(redisUri);
        try {
            return QueueRound.rates(throughput(client, settings, "bench:raw:throughput:" + round),
                    bulk(client, settings, "bench:raw:bulk:" + round));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static double throughput(RedisClient client, JobQueueBenchmark.Settings settings, String key) throws InterruptedException {
        CountDownLatch processed = new CountDownLatch(settings.jobs());
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        List<Thread> consumers = new ArrayList<>();
        try (StatefulRedisConnection<String, String> producer = client.connect()) {
            for (int c = 0; c < settings.concurrency(); c++) {
                StatefulRedisConnection<String, String> connection = client.connect();
                connections.add(connection);
                Thread consumer = new Thread(() -> consume(connection.sync(), key, processed), "raw-consumer-" + c);
                consumer.setDaemon(true);
                consumer.start();
                consumers.add(consumer);
            }
            Thread.sleep(200); // every consumer blocked in BRPOP
            RedisCommands<String, String> sync = producer.sync();
            long started = System.nanoTime();
            QueueContender.sendInParallel(settings.producers(), settings.jobs(), i -> sync.lpush(key, Integer.toString(i)));
            if (!processed.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException(key + ": " + processed.getCount() + " jobs not taken");
            }
            return settings.jobs() / ((System.nanoTime() - started) / 1e9);
        } finally {
            for (Thread consumer : consumers) {
                consumer.interrupt();
            }
            for (Thread consumer : consumers) {
                consumer.join(2000);
            }
            connections.forEach(StatefulRedisConnection::close);
        }
    }

    /** Takes jobs until every job was taken, the "handler" doing nothing. */
    private static void consume(RedisCommands<String, String> commands, String key, CountDownLatch processed) {
        while (processed.getCount() > 0 && !Thread.currentThread().isInterrupted()) {
            KeyValue<String, String> job;
            try {
                job = commands.brpop(1, key);
            } catch (RuntimeException interruptedOrClosed) {
                return;
            }
            if (job != null && job.hasValue()) {
                processed.countDown();
            }
        }
    }

    private static double bulk(RedisClient client, JobQueueBenchmark.Settings settings, String key) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = connection.async();
            long started = System.nanoTime();
            for (int from = 0; from < settings.jobs(); from += BULK_CHUNK) {
                List<RedisFuture<Long>> sent = new ArrayList<>();
                for (int i = from; i < Math.min(settings.jobs(), from + BULK_CHUNK); i++) {
                    sent.add(async.lpush(key, Integer.toString(i)));
                }
                connection.flushCommands();
                if (!LettuceFutures.awaitAll(Duration.ofSeconds(30), sent.toArray(new RedisFuture<?>[0]))) {
                    throw new IllegalStateException(key + ": a pipelined LPUSH did not complete in 30 s");
                }
            }
            return settings.jobs() / ((System.nanoTime() - started) / 1e9);
        }
    }
}
