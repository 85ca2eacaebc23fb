package io.reporadar.session;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.reporadar.session.SessionObserver.Event;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Sends the store's writes to the master: refused while the Sentinels hold it down, followed once to the new
 * master when it answers {@code READONLY}, and, with durability on, acknowledged only once enough replicas have
 * them ({@code WAIT}, pipelined behind the write: still one round trip). Thread-safe.
 */
final class RedisWrites {

    private final RedisNodes nodes;
    private final @Nullable ReplicaTracker replicas;
    private final Duration replicaTimeout;
    private final SessionObserver observer;

    /** @param replicas the tracker that says how many replicas to wait for, or null to wait for none */
    RedisWrites(RedisNodes nodes, @Nullable ReplicaTracker replicas, Duration replicaTimeout, SessionObserver observer) {
        this.nodes = nodes;
        this.replicas = replicas;
        this.replicaTimeout = replicaTimeout;
        this.observer = observer;
    }

    /**
     * Sends a write, following the master once when it answers {@code READONLY} (it was demoted under this
     * connection): the nodes reconnect to the master the Sentinels name and the write is sent again.
     *
     * @throws RedisNoScriptException           when the command was {@code EVALSHA} and Redis does not know the script
     * @throws SessionStoreUnavailableException when it failed, or was not acknowledged as durability requires
     */
    <T> T write(String operation, Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        for (int attempt = 1; ; attempt++) {
            try {
                return replicated(operation, command);
            } catch (RedisNoScriptException e) {
                throw e;
            } catch (RedisCommandExecutionException e) {
                if (attempt > 1 || !String.valueOf(e.getMessage()).contains("READONLY")) {
                    throw new SessionStoreUnavailableException(operation, e);
                }
                observer.event(Event.READONLY_RECONNECT);
                nodes.masterRefusedWrite();
            } catch (RedisException e) {
                throw new SessionStoreUnavailableException(operation, e);
            }
        }
    }

    /**
     * The write, and with durability on {@code WAIT} right behind it, sent back to back and awaited together:
     * one round trip. Returns the write's reply once enough replicas acknowledged it.
     */
    private <T> T replicated(String operation, Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        if (!nodes.writable()) {
            observer.event(Event.WRITE_FENCED);
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "a quorum of Sentinels consider the master down; nothing was written"));
        }
        StatefulRedisConnection<byte[], byte[]> current = nodes.master();
        RedisAsyncCommands<byte[], byte[]> async = current.async();
        ReplicaTracker.Replication replication = replicas == null ? null : replicas.before(current, async, operation);
        int wanted = replication == null ? 0 : replication.wanted();
        RedisFuture<T> written = command.apply(async);
        RedisFuture<Long> replicated = wanted > 0 ? async.waitForReplication(wanted, replicaTimeout.toMillis()) : null;
        T result = await(current, written);
        long acknowledged = replicated == null ? 0 : await(current, replicated);
        RedisFuture<String> recount = replication == null ? null : replication.recount();
        if (replicas != null && recount != null) {
            replicas.recount(current, await(current, recount));
        }
        if (nodes.master() != current || !nodes.writable()) {
            // followed a failover meanwhile, or the Sentinels consider the master down: a deposed master's
            // acknowledgement is worth nothing
            observer.event(Event.WRITE_ON_DEPOSED_MASTER);
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "the store followed a failover, or the Sentinels found the master down, while the write was in flight; it may not have been kept"));
        }
        if (acknowledged < wanted) {
            observer.event(Event.WRITE_UNREPLICATED);
            if (replicas != null) {
                replicas.fellShort(current); // a replica may have stopped: count before the next save
            }
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "acknowledged by " + acknowledged + " of " + wanted + " replicas within " + replicaTimeout.toMillis() + " ms"));
        }
        return result;
    }

    /** The future's value, waiting at most {@code on}'s command timeout (cancelled then). */
    static <T> T await(StatefulRedisConnection<byte[], byte[]> on, RedisFuture<T> future) {
        return LettuceFutures.awaitOrCancel(future, on.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "RedisWrites[" + (replicas == null ? "no replicas awaited" : replicas) + "]";
    }
}
