package io.reporadar.session;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lettuce client set up for a session store on the request path: a bounded command timeout for every
 * command (Lettuce's default is 60 s, and asynchronous commands otherwise never time out), a short connect
 * timeout, commands rejected at once while disconnected instead of queued behind a reconnect, automatic
 * reconnection, and TCP keepalive after 5 s idle (probes every second, 3 of them), so that a peer gone without
 * a word is noticed in seconds rather than hours. Where Netty's epoll or io_uring transport is on the class
 * path, {@code TCP_USER_TIMEOUT} also bounds unacknowledged writes to the same 5 s.
 *
 * <p>With {@code redis-sentinel://host:26379,host2:26379#master} the master is looked up through the Sentinels
 * and every Sentinel listed is watched: on {@code +switch-master} the connection is replaced by one to the new
 * master at once, also when the old master froze without closing its connections (Lettuce's own
 * master/replica support waits up to 5 s more). Every 2 s the Sentinels are also asked who the master is, so
 * that a missed message or a failed reconnect is made good. A {@code READONLY} reply (a master demoted under a
 * connection) does the same through {@link #reconnect()}. Writes always go to the master; the replicas the
 * Sentinels list (and do not consider down) are kept connected too, refreshed every 2 s, for reads while the
 * master does not answer ({@link #replicas()}: only those that were streaming from a master at the last check).
 *
 * <p>Take {@link #connection()} for each use rather than keeping it: it changes on failover. Thread-safe.
 */
public final class SessionRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRedis.class);

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Keepalive probes start after this much silence; TCP user timeout, where available, is the same. */
    static final Duration DEAD_PEER_AFTER = Duration.ofSeconds(5);
    /**
     * How often the Sentinels are asked who the master is, in case a {@code +switch-master} message was missed
     * or the reconnect it asked for failed.
     */
    static final Duration SENTINEL_CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Reconnects closer together than this are skipped: a burst of READONLY replies needs one. */
    private static final long MIN_RECONNECT_INTERVAL_NANOS = 250_000_000L;

    private final RedisClient client;
    private final RedisURI uri;
    private final List<StatefulRedisPubSubConnection<String, String>> watchers = new CopyOnWriteArrayList<>();
    /**
     * Reconnects asked for by Sentinel messages, and the periodic check against the Sentinels, run here, off
     * Lettuce's event loop (connecting blocks).
     */
    private final ScheduledExecutorService failovers = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "reporadar-redis-failover");
        thread.setDaemon(true);
        return thread;
    });
    /** Replica connections and the promotion guard, apart from failovers: a frozen node must not delay a switch. */
    private final ScheduledExecutorService replicaWatch = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "reporadar-redis-replicas");
        thread.setDaemon(true);
        return thread;
    });
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile String master; // host:port as the Sentinels named it at the last (re)connect
    private volatile long reconnectedNanos;
    private volatile StatefulRedisSentinelConnection<String, String> sentinel;
    /** host:port of each replica the Sentinels list as up, and its connection; changed on the replica-watch thread only. */
    private final Map<String, StatefulRedisConnection<byte[], byte[]>> replicas = new ConcurrentHashMap<>();
    /** The replicas of {@link #replicas} whose data can be read: streaming at the last check, or cut off since. */
    private volatile List<StatefulRedisConnection<byte[], byte[]>> readable = List.of();
    /** The priority the promotion guard gives back to a replica that has caught up (Redis's default). */
    static final int PROMOTABLE_PRIORITY = 100;
    private volatile boolean guardPromotions;
    private long masterOffsetLastRound = -1; // replica-watch thread only
    private String promoted; // the master the Sentinels named at the last round; replica-watch thread only
    private final Map<StatefulRedisConnection<byte[], byte[]>, Boolean> linkUpLastRound = new java.util.WeakHashMap<>();

    private SessionRedis(RedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
        this.connection = client.connect(ByteArrayCodec.INSTANCE, uri);
        this.reconnectedNanos = System.nanoTime();
    }

    /**
     * Connects to {@code redisUrl} ({@code REDIS_URL}).
     *
     * @throws IllegalArgumentException naming {@code REDIS_URL} when it is malformed (never echoing a password)
     */
    public static SessionRedis connect(String redisUrl, Duration commandTimeout, Duration connectTimeout) {
        return connect(redisUrl, null, commandTimeout, connectTimeout);
    }

    /**
     * Connects to {@code redisUrl} ({@code REDIS_URL}), authenticating to its Sentinels with {@code sentinelPassword}
     * ({@code REDIS_SENTINEL_PASSWORD}, their {@code requirepass}; null for none): a Lettuce URL's password is the
     * data nodes'. With Sentinels that require it, only clients that know it can subscribe to {@code +switch-master}
     * or ask who the master is, so no one else can announce a master this connection would follow.
     *
     * @throws IllegalArgumentException naming {@code REDIS_URL} when it is malformed (never echoing a password)
     */
    public static SessionRedis connect(String redisUrl, String sentinelPassword, Duration commandTimeout, Duration connectTimeout) {
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUrl);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("REDIS_URL: not a Redis URL (expected: redis://[:password@]host:port[/db],"
                    + " rediss://... or redis-sentinel://host:26379,host2:26379#master)");
        }
        uri.setTimeout(commandTimeout);
        uri.getSentinels().forEach(sentinelUri -> sentinelUri.setTimeout(commandTimeout));
        if (sentinelPassword != null) {
            RedisCredentials credentials = RedisCredentials.just(null, sentinelPassword);
            uri.getSentinels().forEach(sentinelUri -> sentinelUri.setCredentialsProvider(RedisCredentialsProvider.from(() -> credentials)));
        }
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout)
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(DEAD_PEER_AFTER)
                                .interval(Duration.ofSeconds(1)).count(3).build())
                        .tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder()
                                .enable(EpollProvider.isAvailable() || IOUringProvider.isAvailable())
                                .tcpUserTimeout(DEAD_PEER_AFTER).build())
                        .build())
                .build());
        SessionRedis redis;
        try {
            redis = new SessionRedis(client, uri);
        } catch (RuntimeException e) {
            client.shutdown();
            String refused = refusedPassword(e, !uri.getSentinels().isEmpty(), sentinelPassword != null);
            if (refused != null) {
                throw new IllegalArgumentException(refused);
            }
            throw new SessionStoreUnavailableException("connect", e);
        }
        if (redis.viaSentinels()) {
            redis.master = redis.sentinelMaster();
            redis.watchSentinels();
            redis.replicaWatch.scheduleWithFixedDelay(redis::followReplicas, 0, SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            redis.failovers.scheduleWithFixedDelay(redis::followSentinels, SENTINEL_CHECK_INTERVAL.toMillis(),
                    SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return redis;
    }

    /**
     * Which variable holds a password Redis or a Sentinel refused (NOAUTH, WRONGPASS) in {@code failure}'s causes,
     * as a message naming it; null for any other failure. Never quotes a password.
     */
    private static String refusedPassword(Throwable failure, boolean viaSentinels, boolean sentinelPasswordGiven) {
        boolean sentinel = false;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            sentinel |= message.contains("Sentinel");
            if (message.contains("NOAUTH") || message.contains("WRONGPASS") || message.contains("invalid password")) {
                if (viaSentinels && sentinel) {
                    return "REDIS_SENTINEL_PASSWORD: the Sentinels refused " + (sentinelPasswordGiven ? "it" : "to answer without it")
                            + " (expected: their requirepass)";
                }
                return "REDIS_URL: Redis refused its password (expected: redis://:<requirepass>@host:port)";
            }
        }
        return null;
    }

    /** The connection to the master now; a failover replaces it, so take it for each use. */
    public StatefulRedisConnection<byte[], byte[]> connection() {
        return connection;
    }

    /**
     * Connections to the replicas the Sentinels list and do not consider down, for reads while the master does
     * not answer; empty without Sentinels. Only replicas that were streaming from a master at the last check
     * (every 2 s), or have lost their master since, are listed: one that restarted or is resyncing would answer
     * from an old dataset. They may still lag the master: a reader asks every one and takes the freshest answer.
     */
    public List<StatefulRedisConnection<byte[], byte[]>> replicas() {
        return readable;
    }

    /**
     * Turns on the promotion guard (with Sentinels only): every 2 s, a replica that is not streaming from the
     * live master is made unpromotable ({@code replica-priority 0}) until it has caught up. Run the Redis nodes
     * with {@code --replica-priority 0} on their command line, so that a node is unpromotable from the moment it
     * starts until a guard has seen it stream. Needs {@code CONFIG SET} on the replicas.
     */
    public SessionRedis guardPromotions() {
        guardPromotions = viaSentinels();
        return this;
    }

    /** Whether the URL named Sentinels ({@code redis-sentinel://}). */
    public boolean viaSentinels() {
        return !uri.getSentinels().isEmpty();
    }

    /**
     * Replaces the connection with a new one to the master the Sentinels name now (without Sentinels: to the
     * same address); commands in flight on the old one fail. Calls within 250 ms of the last are skipped.
     */
    public void reconnect() {
        if (System.nanoTime() - reconnectedNanos < MIN_RECONNECT_INTERVAL_NANOS) {
            return;
        }
        String named = null;
        if (viaSentinels()) {
            try {
                named = sentinelMaster();
            } catch (SessionStoreUnavailableException e) {
                LOG.warn("no Sentinel answers; reconnecting as the URL says");
            }
        }
        reconnectTo(named);
    }

    /** Connects to {@code hostAndPort} (or as the URL says, when null) and swaps the connection in. */
    private synchronized void reconnectTo(String hostAndPort) {
        RedisURI target = hostAndPort == null ? uri : node(hostAndPort);
        StatefulRedisConnection<byte[], byte[]> old = connection;
        try {
            connection = client.connect(ByteArrayCodec.INSTANCE, target);
        } catch (RuntimeException e) {
            LOG.warn("reconnecting to {} failed, keeping the current connection: {}", hostAndPort == null ? "Redis" : hostAndPort,
                    e.toString());
            return;
        } finally {
            reconnectedNanos = System.nanoTime();
        }
        master = hostAndPort;
        old.closeAsync();
        LOG.info("connected to the Redis master {}", hostAndPort == null ? "the URL names" : hostAndPort);
    }

    /** The URI of one data node named by the Sentinels, with the URL's credentials, database, TLS and timeout. */
    private RedisURI node(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        RedisURI target = RedisURI.builder().withHost(hostAndPort.substring(0, colon)).withPort(Integer.parseInt(hostAndPort.substring(colon + 1)))
                .withDatabase(uri.getDatabase()).withSsl(uri.isSsl()).withTimeout(uri.getTimeout()).build();
        target.setCredentialsProvider(uri.getCredentialsProvider());
        return target;
    }

    /** Reconnects when the Sentinels name another master than the one connected to; never throws. */
    private void followSentinels() {
        try {
            follow(sentinelMaster(), "the Sentinels name");
        } catch (RuntimeException e) {
            LOG.debug("Sentinel check failed: {}", e.toString());
        }
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
            named = sentinelMaster();
            for (Map<String, String> replica : sentinelConnection().sync().replicas(uri.getSentinelMasterId())) {
                String flags = replica.getOrDefault("flags", "");
                if (!flags.contains("s_down") && !flags.contains("o_down") && !flags.contains("disconnected")) {
                    listed.add(replica.get("ip") + ":" + replica.get("port"));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Sentinel replica list failed: {}", e.toString());
            return;
        }
        if (named != null && !named.equals(master)) {
            // Mid-switch: the Sentinels have promoted a node this connection has not followed yet. Read from it
            // meanwhile (it holds every acknowledged write), and have the failover thread follow it.
            listed.add(named);
            failovers.execute(() -> follow(named, "the Sentinels name"));
        }
        listed.remove(master);
        promoted = named;
        replicas.keySet().removeIf(node -> {
            if (listed.contains(node)) {
                return false;
            }
            replicas.get(node).closeAsync();
            return true;
        });
        for (String node : listed) {
            if (!replicas.containsKey(node)) {
                try {
                    replicas.put(node, client.connect(ByteArrayCodec.INSTANCE, node(node)));
                } catch (RuntimeException e) {
                    LOG.debug("replica {} cannot be reached: {}", node, e.toString());
                }
            }
        }
        long masterOffset = guardPromotions ? masterOffset() : -1;
        List<StatefulRedisConnection<byte[], byte[]>> inSync = new java.util.ArrayList<>();
        for (Map.Entry<String, StatefulRedisConnection<byte[], byte[]>> node : replicas.entrySet()) {
            StatefulRedisConnection<byte[], byte[]> replica = node.getValue();
            boolean was = readable.contains(replica);
            String info;
            try {
                info = replica.sync().info("replication");
            } catch (RuntimeException e) {
                // No answer now (a Sentinel reconfiguring it closes its clients, so every replica may be reconnecting
                // at once in a failover): it stays as it was; a read waits for it or does without.
                if (was) {
                    inSync.add(replica);
                }
                continue;
            }
            if (readable(info, was) || node.getKey().equals(promoted) && info.contains("role:master")) {
                inSync.add(replica);
            }
            if (guardPromotions) {
                guard(node.getKey(), replica, info, masterOffset);
            }
        }
        readable = List.copyOf(inSync);
        masterOffsetLastRound = masterOffset;
    }

    /**
     * Whether a replica's data is fit to read: its link to the master is up with no sync in progress, or it
     * {@code was} fit at the last check and has only lost its master since, or been promoted (as in a
     * failover). A restarted replica (link never up since it started: down-since -1) or a resyncing one is not.
     */
    private static boolean readable(String info, boolean was) {
        if (info.contains("role:master")) {
            return was; // promoted meanwhile (perhaps before the Sentinel asked knows it): it holds what it held
        }
        if (!info.contains("role:slave") || info.contains("master_sync_in_progress:1")) {
            return false;
        }
        return info.contains("master_link_status:up") || was && !info.contains("master_link_down_since_seconds:-1");
    }

    /**
     * The promotion guard: Sentinel may promote a replica that has not caught up (one still loading or
     * resyncing, or restarted with an old dataset), which loses every write it lacks. A replica whose link to a
     * live master is down, or that is resyncing, gets {@code replica-priority 0} (Sentinel never promotes it);
     * one that has streamed from the master since the last round (link up then and now, and at or past the
     * master's offset of then) gets its priority back. Nodes should start with {@code --replica-priority 0}, so
     * that a restart is covered from its first moment. On the replica-watch thread only.
     */
    private void guard(String node, StatefulRedisConnection<byte[], byte[]> replica, String info, long masterOffset) {
        boolean linkUp = info.contains("role:slave") && info.contains("master_link_status:up") && !info.contains("master_sync_in_progress:1");
        long offset = field(info, "slave_repl_offset");
        long priority = field(info, "slave_priority");
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

    /** The master's replication offset, or -1 when it does not answer. */
    private long masterOffset() {
        try {
            return field(connection.sync().info("replication"), "master_repl_offset");
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A numeric field of an {@code INFO} reply, or -1. */
    private static long field(String info, String name) {
        return info.lines().filter(line -> line.startsWith(name + ":")).map(line -> line.substring(name.length() + 1).strip())
                .mapToLong(value -> {
                    try {
                        return Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }).findFirst().orElse(-1);
    }

    /** Connects to {@code named} unless already connected there; on the failover thread only. */
    private void follow(String named, String source) {
        if (named != null && !named.equals(master)) {
            LOG.info("{} {} as master of {}, connected to {}: reconnecting", source, named, uri.getSentinelMasterId(), master);
            reconnectTo(named);
        }
    }

    /** Subscribes to {@code +switch-master} on every Sentinel that answers; at least one must. */
    private void watchSentinels() {
        String masterId = uri.getSentinelMasterId();
        for (RedisURI sentinelUri : uri.getSentinels()) {
            try {
                StatefulRedisPubSubConnection<String, String> watcher = client.connectPubSub(StringCodec.UTF8, sentinelUri);
                watcher.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        // "<master name> <old ip> <old port> <new ip> <new port>": connect to the new master itself,
                        // not through a Sentinel that may not know yet.
                        String[] parts = message.split(" ");
                        String promoted = parts.length == 5 ? parts[3] + ":" + parts[4] : null;
                        if (promoted != null && parts[0].equals(masterId)) {
                            failovers.execute(() -> follow(promoted, "Sentinel " + sentinelUri.getHost() + ":" + sentinelUri.getPort() + " announced"));
                        }
                    }
                });
                watcher.sync().subscribe("+switch-master");
                watchers.add(watcher);
            } catch (RuntimeException e) {
                LOG.warn("Sentinel {}:{} cannot be watched for failovers: {}", sentinelUri.getHost(), sentinelUri.getPort(), e.toString());
            }
        }
        if (watchers.isEmpty()) {
            throw new SessionStoreUnavailableException("sentinel-watch", new RedisException("no Sentinel of " + masterId + " answers"));
        }
    }

    /**
     * The master's {@code host:port} as the Sentinels name it now (one round trip to a Sentinel), or
     * {@code null} without Sentinels.
     *
     * @throws SessionStoreUnavailableException when no Sentinel answers
     */
    public String sentinelMaster() {
        if (!viaSentinels()) {
            return null;
        }
        try {
            SocketAddress address = sentinelConnection().sync().getMasterAddrByName(uri.getSentinelMasterId());
            return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(address);
        } catch (RuntimeException e) {
            throw new SessionStoreUnavailableException("sentinel-master", e);
        }
    }

    private StatefulRedisSentinelConnection<String, String> sentinelConnection() {
        StatefulRedisSentinelConnection<String, String> current = sentinel;
        if (current == null || !current.isOpen()) {
            synchronized (this) {
                if (sentinel == null || !sentinel.isOpen()) {
                    sentinel = client.connectSentinel(StringCodec.UTF8, uri);
                }
                current = sentinel;
            }
        }
        return current;
    }

    @Override
    public void close() {
        failovers.shutdownNow();
        replicaWatch.shutdownNow();
        replicas.values().forEach(StatefulRedisConnection::close);
        watchers.forEach(StatefulRedisPubSubConnection::close);
        if (sentinel != null) {
            sentinel.close();
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
