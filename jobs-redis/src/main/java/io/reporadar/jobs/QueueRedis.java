package io.reporadar.jobs;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.reporadar.session.SessionRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs a queue's scripts on the master a {@link SessionRedis} follows: {@code EVALSHA}, and {@code EVAL} when
 * Redis does not know the script (after a restart or a failover its script cache is empty); a {@code READONLY}
 * reply (a master demoted under the connection) has the connection follow the Sentinels' master once, and the
 * script is sent again. With replicas to await, {@code WAIT} goes right behind the script (pipelined: one round
 * trip) and the reply counts only once enough replicas have it. Thread-safe.
 */
final class QueueRedis {

    private final SessionRedis redis;
    private final byte[][] keys;
    private final byte[] jobPrefix;
    private final byte[] retentionMillis;
    private final int replicas;
    private final Duration replicaTimeout;

    /**
     * @param keyPrefix the queue's key prefix, {@code reporadar:jobs:{<queue>}:}
     * @param replicas  how many replicas an enqueue waits for (0: none)
     */
    QueueRedis(SessionRedis redis, String keyPrefix, Duration retention, int replicas, Duration replicaTimeout) {
        this.redis = redis;
        this.keys = new byte[][] {bytes(keyPrefix + "ready"), bytes(keyPrefix + "active"), bytes(keyPrefix + "completed"),
            bytes(keyPrefix + "failed"), bytes(keyPrefix + "cancelled"), bytes(keyPrefix + "wake")};
        this.jobPrefix = bytes(keyPrefix + "job:");
        this.retentionMillis = bytes(Long.toString(retention.toMillis()));
        this.replicas = replicas;
        this.replicaTimeout = replicaTimeout;
    }

    /** The key of the list that enqueues push to, which idle dispatchers wait on. */
    byte[] wakeKey() {
        return keys[5];
    }

    /**
     * Runs {@code script} with its own arguments (after the common two) and returns its reply.
     *
     * @throws JobQueueUnavailableException when Redis does not answer in time or answers with an error
     */
    List<Object> run(Scripts.Script script, byte[]... args) {
        return run(script, false, args);
    }

    /**
     * As {@link #run(Scripts.Script, byte[]...)}, and, with replicas to await, acknowledged only once they have it.
     *
     * @throws JobQueueUnavailableException also when too few replicas acknowledged it within the timeout, when the
     *                                      Sentinels hold the master down, or when the connection followed a failover
     *                                      while the script was in flight
     */
    List<Object> runReplicated(Scripts.Script script, byte[]... args) {
        return run(script, true, args);
    }

    private List<Object> run(Scripts.Script script, boolean replicated, byte[]... args) {
        return runAll(script, replicated, Collections.singletonList(args)).get(0);
    }

    /**
     * Runs {@code script} once per element of {@code calls} (each its own arguments), pipelined: each is sent as
     * soon as the iteration gives it (Redis runs the first while the next is made), all before the first reply is
     * awaited. With {@code replicated} and replicas to await, one {@code WAIT} follows the last. The replies, in
     * order. {@code calls} is iterated again when the calls are sent again (after a {@code READONLY}).
     *
     * @throws JobQueueUnavailableException as {@link #runReplicated}; some of the calls may have been run
     */
    List<List<Object>> runAll(Scripts.Script script, boolean replicated, Iterable<byte[][]> calls) {
        for (int attempt = 1; ; attempt++) {
            try {
                return send(script, replicated && replicas > 0, calls);
            } catch (RedisCommandExecutionException e) {
                if (attempt > 1 || !String.valueOf(e.getMessage()).startsWith("READONLY")) {
                    throw new JobQueueUnavailableException(script.name(), "Redis answered " + errorText(e), e);
                }
                redis.reconnect(); // the master was demoted under us: follow the one the Sentinels name, once
            } catch (RedisException e) {
                throw new JobQueueUnavailableException(script.name(), e.getClass().getSimpleName(), e);
            }
        }
    }

    private List<List<Object>> send(Scripts.Script script, boolean replicated, Iterable<byte[][]> calls) {
        if (replicated && !redis.writable()) {
            throw new JobQueueUnavailableException(script.name(), "a quorum of Sentinels consider the master down; nothing was written");
        }
        StatefulRedisConnection<byte[], byte[]> connection = redis.connection();
        RedisAsyncCommands<byte[], byte[]> async = connection.async();
        List<byte[][]> sent = new ArrayList<>();
        List<RedisFuture<List<Object>>> replies = new ArrayList<>();
        for (byte[][] own : calls) {
            byte[][] args = new byte[own.length + 2][];
            args[0] = jobPrefix;
            args[1] = retentionMillis;
            System.arraycopy(own, 0, args, 2, own.length);
            sent.add(args);
            replies.add(async.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args));
        }
        RedisFuture<Long> acknowledged = replicated ? async.waitForReplication(replicas, replicaTimeout.toMillis()) : null;
        List<List<Object>> results = new ArrayList<>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            try {
                results.add(await(connection, replies.get(i)));
            } catch (RedisNoScriptException e) {
                // Redis lost its script cache (restart, failover): send the script itself; a WAIT sent behind the
                // EVALSHAs is answered and dropped, and another one is sent behind the scripts sent again
                if (acknowledged != null) {
                    await(connection, acknowledged);
                }
                RedisFuture<List<Object>> again = async.eval(script.source().getBytes(StandardCharsets.UTF_8), ScriptOutputType.MULTI,
                        keys, sent.get(i));
                acknowledged = replicated ? async.waitForReplication(replicas, replicaTimeout.toMillis()) : null;
                results.add(await(connection, again));
            }
        }
        if (acknowledged != null) {
            long count = await(connection, acknowledged);
            if (redis.connection() != connection || !redis.writable()) {
                throw new JobQueueUnavailableException(script.name(), "the connection followed a failover, or the Sentinels found the"
                        + " master down, while the write was in flight; it may not have been kept");
            }
            if (count < replicas) {
                throw new JobQueueUnavailableException(script.name(), "acknowledged by " + count + " of " + replicas + " replicas within "
                        + replicaTimeout.toMillis() + " ms; it may not have been kept");
            }
        }
        return results;
    }

    /** The future's value, waiting at most the connection's command timeout (cancelled then). */
    private static <T> T await(StatefulRedisConnection<byte[], byte[]> connection, @Nullable RedisFuture<T> future) {
        if (future == null) {
            throw new IllegalStateException("no command to await");
        }
        return LettuceFutures.awaitOrCancel(future, connection.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A Redis error reply as a message may quote it (Redis never echoes arguments in one), cut at 200 characters. */
    static String errorText(RedisException e) {
        String message = String.valueOf(e.getMessage());
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(long number) {
        return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
    }
}
