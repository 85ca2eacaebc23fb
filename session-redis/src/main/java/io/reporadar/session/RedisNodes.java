package io.reporadar.session;

import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;

/**
 * The Redis a {@link RedisSessionStore} talks to, as it needs to see it: the master's connection now, the
 * replicas it may read from, and what the Sentinels say. A {@link SessionRedis} on Sentinels answers all of it; a
 * plain connection has no replicas and is always writable. Implementations are thread-safe.
 */
interface RedisNodes {

    /** The connection to the master now; a failover replaces it, so take it for each command. */
    StatefulRedisConnection<byte[], byte[]> master();

    /** The replicas whose data can be read now (none without Sentinels). */
    default List<StatefulRedisConnection<byte[], byte[]>> replicas() {
        return List.of();
    }

    /** Whether writes may go to the master: false while a quorum of Sentinels hold it down. */
    default boolean writable() {
        return true;
    }

    /** Whether no replica connection is reconnecting or unverified. */
    default boolean replicasSettled() {
        return true;
    }

    /** The master answered {@code READONLY} (demoted under the connection): follow the one the Sentinels name. */
    default void masterRefusedWrite() {
    }

    /** Runs {@code listener} whenever the connection follows another master (a failover). */
    default void onMasterChange(Runnable listener) {
    }

    /** A connection of the user's own, used as it is (no failover handling beyond Lettuce's reconnects). */
    static RedisNodes of(StatefulRedisConnection<byte[], byte[]> connection) {
        return () -> connection;
    }

    /** {@code redis}'s master, replicas and Sentinels' view, followed through failovers. */
    static RedisNodes of(SessionRedis redis) {
        return new RedisNodes() {
            @Override
            public StatefulRedisConnection<byte[], byte[]> master() {
                return redis.connection();
            }

            @Override
            public List<StatefulRedisConnection<byte[], byte[]>> replicas() {
                return redis.replicas();
            }

            @Override
            public boolean writable() {
                return redis.writable();
            }

            @Override
            public boolean replicasSettled() {
                return redis.replicasSettled();
            }

            @Override
            public void masterRefusedWrite() {
                redis.reconnect();
            }

            @Override
            public void onMasterChange(Runnable listener) {
                redis.onMasterChange(listener);
            }
        };
    }
}
