package io.reporadar.session;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.session.SessionObserver.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Reads a session's hash through failovers. From the master; when the master has not answered within
 * {@code readFromReplicasAfter} (frozen, dead, failing over), or, under {@code replica-required}, saves are
 * fenced because a quorum of Sentinels hold it down, and the Sentinels list replicas, from the replica with the
 * newest version of it, waiting at most the replica timeout for them. Every acknowledged save is on at least one
 * replica under {@code replica-required}, so the newest answer includes every acknowledged write; it is taken only
 * when every replica answered. An answer without the session is not taken from replicas. A master's answer that
 * comes after the store followed a failover is not taken either: a master frozen until its replica was promoted
 * answers from the data it had then, without the writes acknowledged since; the new master is asked.
 *
 * <p>Thread-safe.
 */
final class RedisReads {

    /** Between two rounds of asking the replicas for a session while none answers (they may be reconnecting). */
    private static final long REPLICA_RETRY_PAUSE_NANOS = 20_000_000L;

    /** A session's hash as read (empty when there is none), and whether the master answered it (a replica's copy may be older). */
    @SuppressWarnings("ArrayAsKeyOfSetOrMap") // Lettuce's reply type; read by iteration only, never looked up
    record Answer(Map<byte[], byte[]> hash, boolean fromMaster) {
    }

    private final RedisNodes nodes;
    private final Duration readFromReplicasAfter;
    private final Duration replicaTimeout;
    private final boolean replicasRequired;
    private final SessionObserver observer;

    RedisReads(RedisNodes nodes, Duration readFromReplicasAfter, Duration replicaTimeout, boolean replicasRequired,
            SessionObserver observer) {
        this.nodes = nodes;
        this.readFromReplicasAfter = readFromReplicasAfter;
        this.replicaTimeout = replicaTimeout;
        this.replicasRequired = replicasRequired;
        this.observer = observer;
    }

    /**
     * The hash at {@code key}, empty when there is none.
     *
     * @throws RedisException when neither the master nor the replicas answered in time
     */
    Answer read(byte[] key) {
        for (int attempt = 1; ; attempt++) {
            Answer answer = read(key, nodes.master());
            if (answer != null) {
                return answer;
            }
            observer.event(Event.LOAD_FROM_DEPOSED_MASTER);
            if (attempt == 2) {
                throw new RedisException("the master changed twice while a session was read");
            }
        }
    }

    /** {@link #read(byte[])} with {@code master} as the master; null when it answered but is no longer the master. */
    private @Nullable Answer read(byte[] key, StatefulRedisConnection<byte[], byte[]> master) {
        RedisFuture<Map<byte[], byte[]>> fromMaster = master.async().hgetall(key);
        List<StatefulRedisConnection<byte[], byte[]>> standby = nodes.replicas();
        if (standby.isEmpty()) {
            return stillMaster(master, awaitMaster(master, fromMaster, "no replica is readable"));
        }
        // While the Sentinels hold the master down (saves are fenced), it may be a deposed one, thawed or healed
        // before the store heard of the promotion: its answer lacks what was saved on the promoted replica since.
        // Under replica-required every acknowledged save is on every streaming replica, so the replicas decide
        // then, as if the master were slow; a session they all lack is still asked of it. (In the other modes the
        // master may hold saves no replica has, and stays the better source.)
        boolean fenced = replicasRequired && !nodes.writable();
        if (fenced) {
            observer.event(Event.LOAD_WHILE_FENCED);
        } else {
            try {
                return stillMaster(master, fromMaster.get(readFromReplicasAfter.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException slowOrFailed) {
                // ask the replicas
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisException("interrupted while reading a session");
            }
        }
        // Every replica must answer: under replica-required an acknowledged save may be on one of them only. A
        // Sentinel reconfiguring a replica also closes its clients (CLIENT KILL TYPE normal), so during a failover
        // the replica connections may be reconnecting: ask again until all answer or the time is up.
        long deadline = System.nanoTime() + replicaTimeout.toNanos();
        CompletableFuture<Map<byte[], byte[]>> answer = fromMaster.toCompletableFuture();
        while (true) {
            boolean settled = nodes.replicasSettled();
            Map<byte[], byte[]> freshest = freshest(key, standby, deadline);
            if (!fenced && answer.isDone() && !answer.isCompletedExceptionally() && nodes.master() == master) {
                return new Answer(answer.join(), true);
            }
            // Taken only from the replicas that were readable, and not reconnected, before and after they answered.
            boolean taken = freshest != null && settled && nodes.replicasSettled() && standby.equals(nodes.replicas());
            if (taken && freshest != null && !freshest.isEmpty()) {
                observer.event(Event.LOAD_FROM_REPLICA);
                return new Answer(freshest, false);
            }
            if (taken || System.nanoTime() + REPLICA_RETRY_PAUSE_NANOS >= deadline) {
                break;
            }
            LockSupport.parkNanos(REPLICA_RETRY_PAUSE_NANOS);
            standby = nodes.replicas();
            if (standby.isEmpty()) {
                break;
            }
        }
        // No replica holds the session, or not every one answered: the master decides (or fails, after the
        // command timeout). Absence on a replica proves nothing, and a user must not be logged out for it.
        return stillMaster(master, awaitMaster(master, fromMaster,
                "not every one of " + standby.size() + " replicas answered, or none holds the session"));
    }

    /** {@code hash} as {@code master} answered it, or null when the store has followed a failover since it asked. */
    private @Nullable Answer stillMaster(StatefulRedisConnection<byte[], byte[]> master, Map<byte[], byte[]> hash) {
        return nodes.master() == master ? new Answer(hash, true) : null;
    }

    /** The master's answer; its failure says what the replicas did not do either. */
    private static Map<byte[], byte[]> awaitMaster(StatefulRedisConnection<byte[], byte[]> master,
            RedisFuture<Map<byte[], byte[]>> fromMaster, String replicas) {
        try {
            return RedisWrites.await(master, fromMaster);
        } catch (RedisException e) {
            throw new RedisException(e.getMessage() + "; " + replicas, e);
        }
    }

    /**
     * The answer with the newest version among {@code standby}'s, waiting until {@code deadline}; null unless
     * every one answered.
     */
    private static @Nullable Map<byte[], byte[]> freshest(byte[] key, List<StatefulRedisConnection<byte[], byte[]>> standby, long deadline) {
        List<RedisFuture<Map<byte[], byte[]>>> asked = new ArrayList<>(standby.size());
        for (StatefulRedisConnection<byte[], byte[]> replica : standby) {
            asked.add(replica.async().hgetall(key));
        }
        Map<byte[], byte[]> freshest = null;
        for (RedisFuture<Map<byte[], byte[]>> answer : asked) {
            try {
                Map<byte[], byte[]> hash = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (freshest == null || RedisLayout.version(hash) > RedisLayout.version(freshest)) {
                    freshest = hash;
                }
            } catch (TimeoutException | ExecutionException notEveryone) {
                return null; // that replica is down, reconnecting, or behind a partition too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisException("interrupted while reading a session");
            }
        }
        return freshest;
    }

    @Override
    public String toString() {
        return "RedisReads[replicas after " + readFromReplicasAfter.toMillis() + " ms" + (replicasRequired ? ", replica-required" : "") + "]";
    }
}
