package io.reporadar.session;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.reporadar.core.DaemonThreads;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of a {@link SessionRedis} on Sentinels: every {@link SessionRedis#SENTINEL_CHECK_INTERVAL}, on its
 * own thread ({@code reporadar-redis-replicas}), connects to each replica the Sentinels list as up, tells which of
 * them can be read ({@link #readable()}), and runs the promotion guard when it is on. Kept apart from the failover
 * thread: a frozen node must not delay a switch. Thread-safe: the check runs on the replica-watch thread, Lettuce's
 * event loop reports dropped and reconnected replica connections, and any thread may read.
 */
final class ReplicaWatch implements AutoCloseable {

    /** SessionRedis's logger: its log lines keep the logger name that log settings and filters know. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionRedis.class);

    /** The priority the promotion guard gives back to a replica that has caught up (Redis's default). */
    static final int PROMOTABLE_PRIORITY = 100;

    private final SessionRedis redis;
    private final RedisClient client;
    private final Sentinels sentinels;
    /** The replica-watch thread: replica connections and the promotion guard, apart from failovers: a frozen node must not delay a switch. */
    private final ScheduledExecutorService checks = DaemonThreads.scheduler("redis-replicas");
    /** host:port of each replica the Sentinels list as up, and its connection; changed on the replica-watch thread only. */
    private final Map<String, StatefulRedisConnection<byte[], byte[]>> replicas = new ConcurrentHashMap<>();
    /** The replicas of {@link #replicas} whose data can be read: streaming at the last check, or cut off since. */
    private volatile List<StatefulRedisConnection<byte[], byte[]>> readable = List.of();
    /**
     * Replica connections that dropped since their node last answered a check: Lettuce reconnects on its own, and
     * the node behind may have restarted with an old dataset. Cleared when the node proves to be the same process
     * ({@code run_id}, on Lettuce's event loop, which also adds) or answers the next check (on the replica-watch thread).
     */
    private final Set<Object> unverified = ConcurrentHashMap.newKeySet();
    /** Each replica connection's node's {@code run_id} at its last check; written on the replica-watch thread only. */
    private final Map<StatefulRedisConnection<byte[], byte[]>, String> runIds = new ConcurrentHashMap<>();
    private volatile boolean guardPromotions;
    private long masterOffsetLastRound = -1; // replica-watch thread only
    private final Map<StatefulRedisConnection<byte[], byte[]>, Boolean> linkUpLastRound = new WeakHashMap<>(); // replica-watch thread only

    /**
     * Watches the replicas of {@code redis}'s master, connecting to them through {@code client} (whose connection
     * events it follows from now on) as {@code sentinels} list them; checks nothing before {@link #start()}.
     */
    ReplicaWatch(SessionRedis redis, RedisClient client, Sentinels sentinels) {
        this.redis = redis;
        this.client = client;
        this.sentinels = sentinels;
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> dropped) {
                if (replicas.containsValue(dropped)) {
                    unverified.add(dropped);
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> back, SocketAddress address) {
                if (unverified.contains(back)) {
                    verify(back);
                }
            }
        });
    }

    /** Checks the replicas now, then every {@link SessionRedis#SENTINEL_CHECK_INTERVAL}, until {@link #close()}. */
    void start() {
        // An exception would end the periodic checks silently: each round is guarded, so the future has nothing to
        // report; close() stops it.
        ScheduledFuture<?> unused = checks.scheduleWithFixedDelay(this::followReplicasGuarded, 0,
                SessionRedis.SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void followReplicasGuarded() {
        try {
            followReplicas();
        } catch (RuntimeException e) {
            LOG.warn("replica check failed (the next one runs as scheduled): {}", e.toString());
        }
    }

    /** Turns on the promotion guard (see {@link SessionRedis#guardPromotions()}), from the next check on. */
    void guardPromotions() {
        guardPromotions = true;
    }

    /** The replica connections that can be read now (see {@link SessionRedis#replicas()}). */
    List<StatefulRedisConnection<byte[], byte[]>> readable() {
        return readable;
    }

    /** Whether no replica of {@link #readable()} has dropped and reconnected unverified (see {@link SessionRedis#replicasSettled()}). */
    boolean settled() {
        if (unverified.isEmpty()) {
            return true;
        }
        for (StatefulRedisConnection<byte[], byte[]> replica : readable) {
            if (unverified.contains(replica)) {
                return false;
            }
        }
        return true;
    }

    /**
     * After {@code connection} reconnected (its handshake done): the same process behind it (the same
     * {@code run_id}: the connection was closed, as a Sentinel reconfiguring a replica does) keeps the data it had,
     * and is read from again once it answered; another one stays unverified until a check judges it afresh.
     */
    private void verify(RedisChannelHandler<?, ?> connection) {
        replicas.forEach((node, replica) -> {
            if (replica == connection) {
                String before = runIds.get(replica);
                replica.async().info("server").thenAccept(info -> {
                    if (before == null) {
                        return; // never checked yet, so never read: the next check judges it
                    }
                    if (before.equals(RedisInfo.field(info, "run_id"))) {
                        unverified.remove(replica);
                    } else {
                        LOG.info("replica {} restarted: not read until it streams from the master", node);
                    }
                });
            }
        });
    }

    /**
     * Connects to each replica the Sentinels list and do not flag down or disconnected, and closes the
     * connections to those they no longer list, and runs the promotion guard; on the replica-watch thread only,
     * never throws.
     */
    private void followReplicas() {
        Set<String> listed = new HashSet<>();
        String named;
        try {
            Sentinels.Agreement agreement = sentinels.agreement();
            named = agreement.master();
            for (Map<String, String> replica : agreement.sentinel().sync().replicas(sentinels.masterId())) {
                String flags = replica.getOrDefault("flags", "");
                if (!flags.contains("s_down") && !flags.contains("o_down") && !flags.contains("disconnected")) {
                    listed.add(replica.get("ip") + ":" + replica.get("port"));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Sentinel replica list failed: {}", e.toString());
            return;
        }
        if (named != null && !named.equals(redis.master())) {
            // Mid-switch: the Sentinels have promoted a node this connection has not followed yet. Read from it
            // meanwhile (it holds every acknowledged write), and have the failover thread follow it.
            listed.add(named);
            redis.followOnFailoverThread(named);
        }
        listed.remove(redis.master());
        replicas.entrySet().removeIf(node -> {
            if (listed.contains(node.getKey())) {
                return false;
            }
            CompletableFuture<Void> unused = node.getValue().closeAsync();
            return true;
        });
        for (String node : listed) {
            if (!replicas.containsKey(node)) {
                try {
                    replicas.put(node, client.connect(ByteArrayCodec.INSTANCE, redis.node(node)));
                } catch (RuntimeException e) {
                    LOG.debug("replica {} cannot be reached: {}", node, e.toString());
                }
            }
        }
        String masterInfo = masterInfo();
        long masterOffset = masterInfo == null ? -1 : RedisInfo.number(masterInfo, "master_repl_offset");
        // The replication ID the master took over from when it was promoted: a node still answering as master with
        // it is the master it replaced (thawed, or back behind a partition), not yet demoted by the Sentinels.
        String predecessor = masterInfo == null || !String.valueOf(named).equals(redis.master()) ? null
                : RedisInfo.field(masterInfo, "master_replid2");
        List<StatefulRedisConnection<byte[], byte[]>> inSync = new ArrayList<>();
        for (Map.Entry<String, StatefulRedisConnection<byte[], byte[]>> node : replicas.entrySet()) {
            StatefulRedisConnection<byte[], byte[]> replica = node.getValue();
            boolean was = readable.contains(replica);
            // Taken off before asking: the listener marks it again if it drops from here on.
            boolean dropped = unverified.remove(replica);
            String info;
            try {
                info = replica.sync().info();
            } catch (RuntimeException e) {
                // No answer now (a Sentinel reconfiguring it closes its clients, so every replica may be reconnecting
                // at once in a failover): it stays as it was; a read waits for it or does without.
                if (was) {
                    inSync.add(replica);
                }
                if (dropped) {
                    unverified.add(replica);
                }
                continue;
            }
            // Another process since the last check (restarted): judged afresh, whatever it was.
            String runId = RedisInfo.field(info, "run_id");
            was &= runId.equals(runIds.put(replica, runId));
            if (readable(info, was, named, masterOffset) || (node.getKey().equals(named) && info.contains("role:master"))) {
                inSync.add(replica);
            }
            if (guardPromotions) {
                guard(node.getKey(), replica, info, masterOffset, predecessor);
            }
        }
        readable = List.copyOf(inSync);
        runIds.keySet().retainAll(replicas.values());
        masterOffsetLastRound = masterOffset;
    }

    /**
     * Whether a replica's data is fit to read: it replicates from {@code master} (the master the Sentinels agree
     * on) and its link is up with no sync in progress, or it {@code was} fit at the last check (the same process,
     * its connection not dropped since) and has only lost that master since, or been promoted (as in a failover).
     * One that was not fit must also have processed the master's offset of this round ({@code masterOffset}, when
     * the master answered): a replica that has just synced may not have applied the writes that followed its
     * snapshot. A restarted replica (link never up since it started: down-since -1), a resyncing one, and one that
     * still follows another master (the Sentinels have not reconfigured it: it lacks what the master acknowledged
     * since) are not.
     */
    private static boolean readable(String info, boolean was, @Nullable String master, long masterOffset) {
        if (info.contains("role:master")) {
            return was; // promoted meanwhile (perhaps before the Sentinel asked knows it): it holds what it held
        }
        if (!info.contains("role:slave") || info.contains("master_sync_in_progress:1")) {
            return false;
        }
        String following = RedisInfo.field(info, "master_host") + ":" + RedisInfo.field(info, "master_port");
        if (master != null && !following.equals(master)) {
            return false;
        }
        if (was) {
            return info.contains("master_link_status:up") || !info.contains("master_link_down_since_seconds:-1");
        }
        return info.contains("master_link_status:up") && (masterOffset < 0 || RedisInfo.number(info, "slave_repl_offset") >= masterOffset);
    }

    /**
     * The promotion guard: Sentinel may promote a replica that has not caught up (one still loading or
     * resyncing, or restarted with an old dataset), which loses every write it lacks. A replica whose link to a
     * live master is down, or that is resyncing, gets {@code replica-priority 0} (Sentinel never promotes it);
     * one that has streamed from the master since the last round (link up then and now, and at or past the
     * master's offset of then) gets its priority back. Nodes should start with {@code --replica-priority 0}, so
     * that a restart is covered from its first moment.
     *
     * <p>A node the Sentinels list as a replica that still answers as master, with the replication ID the master
     * took over from ({@code predecessor}: the master it replaced, thawed or back from behind a partition) or with
     * no replication history (it started as a master), is made the master's replica at once, unpromotable until it
     * has caught up; {@code predecessor} is null unless the store follows the master the Sentinels name and it
     * answered this round. Sentinel would do the same only after 8 s,
     * and meanwhile promotes it if the master fails: it reads priorities and offsets only from nodes that answer
     * as replicas, so one answering as master is a candidate whatever its priority, and every write acknowledged
     * since it was replaced would be lost (the fault campaign's seed 15). On the replica-watch thread only.
     */
    private void guard(String node, StatefulRedisConnection<byte[], byte[]> replica, String info, long masterOffset,
            @Nullable String predecessor) {
        if (info.contains("role:master")) {
            boolean replaced = predecessor != null && !predecessor.matches("0+") && predecessor.equals(RedisInfo.field(info, "master_replid"));
            // No replication history: it started as a master (restarted while the Sentinels still named it, then failed
            // over from: campaign seed 9). A replica promoted by a failover always has one (its old master's ID).
            boolean restartedAsMaster = predecessor != null && RedisInfo.field(info, "master_replid2").matches("0+");
            if (replaced || restartedAsMaster) {
                demote(node, replica);
            }
            return;
        }
        boolean linkUp = info.contains("role:slave") && info.contains("master_link_status:up") && !info.contains("master_sync_in_progress:1");
        long offset = RedisInfo.number(info, "slave_repl_offset");
        long priority = RedisInfo.number(info, "slave_priority");
        boolean caughtUp = linkUp && Boolean.TRUE.equals(linkUpLastRound.get(replica)) && masterOffsetLastRound >= 0
                && offset >= masterOffsetLastRound;
        linkUpLastRound.put(replica, linkUp);
        try {
            if (caughtUp && priority == 0) {
                replica.sync().configSet("replica-priority", Integer.toString(PROMOTABLE_PRIORITY));
                LOG.info("replica {} streams from the master: promotable again (replica-priority {})", node, PROMOTABLE_PRIORITY);
            } else if (!linkUp && priority > 0 && masterOffset >= 0 && masterOffset() >= 0) {
                // The master answered before and after this replica's INFO: its link is down while the master
                // lives (it may have died after the first answer: then the replica must stay promotable).
                replica.sync().configSet("replica-priority", "0");
                LOG.warn("replica {} is not streaming from the live master: not promotable until it has caught up", node);
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot set replica-priority on {} (CONFIG SET refused?): {}", node, e.toString());
        }
    }

    /** Makes {@code node}, a master the master replaced, the master's replica, unpromotable until it has caught up. */
    private void demote(String node, StatefulRedisConnection<byte[], byte[]> deposed) {
        // Set: guard() is given a predecessor only while the store follows the master the Sentinels name. Only a
        // reconnect() as the URL says (no Sentinel answered) clears it since; then there is no master to demote to.
        String current = redis.master();
        if (current == null) {
            LOG.warn("{} still answered as a master, but the store follows no master the Sentinels named: not demoted", node);
            return;
        }
        int colon = current.lastIndexOf(':');
        try {
            deposed.sync().configSet("replica-priority", "0");
            deposed.sync().replicaof(current.substring(0, colon), Integer.parseInt(current.substring(colon + 1)));
            LOG.warn("{} still answered as the master {} replaced: made its replica, not promotable until it has caught up", node, current);
        } catch (RuntimeException e) {
            LOG.warn("cannot make {} a replica of {} (REPLICAOF or CONFIG SET refused?): {}", node, current, e.toString());
        }
    }

    /** The master's replication offset, or -1 when it does not answer. */
    private long masterOffset() {
        String info = masterInfo();
        return info == null ? -1 : RedisInfo.number(info, "master_repl_offset");
    }

    /** The master's {@code INFO replication}, or null when it does not answer. */
    private @Nullable String masterInfo() {
        try {
            return redis.connection().sync().info("replication");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Stops the checks (interrupting one under way) and closes the replica connections. */
    @Override
    public void close() {
        checks.shutdownNow();
        replicas.values().forEach(StatefulRedisConnection::close);
    }
}
