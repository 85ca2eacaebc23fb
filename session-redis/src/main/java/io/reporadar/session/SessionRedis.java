package io.reporadar.session;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.reporadar.core.DaemonThreads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
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
 * <p>With {@code redis-sentinel://host:26379,host2:26379#master} the master is the one that most of the
 * Sentinels listed name (every one is asked: one Sentinel alone may hold an old configuration, for example after
 * a restart in the middle of a failover), and only a node that answers {@code ROLE} as master is followed. Every
 * Sentinel listed is watched: on {@code +switch-master} the connection is replaced by one to the new master as
 * soon as most Sentinels name it (milliseconds: they tell each other at once), also when the old master froze
 * without closing its connections (Lettuce's own master/replica support waits up to 5 s more). Every 2 s the
 * Sentinels are also asked who the master is, so that a missed message or a failed reconnect is made good. A
 * {@code READONLY} reply (a master demoted under a connection) does the same through {@link #reconnect()}.
 * Writes always go to the master; the replicas the Sentinels list (and do not consider down) are kept connected
 * too, refreshed every 2 s, for reads while the master does not answer ({@link #replicas()}: only those that
 * were streaming from that master at the last check).
 *
 * <p>Take {@link #connection()} for each use rather than keeping it: it changes on failover. Thread-safe.
 */
public final class SessionRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRedis.class);

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Keepalive probes start after this much silence; TCP user timeout, where available, is the same. */
    static final Duration DEAD_PEER_AFTER = Duration.ofSeconds(5);
    /** How often the Sentinels are asked who the master is, in case a {@code +switch-master} or its reconnect was lost. */
    static final Duration SENTINEL_CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Reconnects closer together than this are skipped: a burst of READONLY replies needs one. */
    private static final long MIN_RECONNECT_INTERVAL_NANOS = 250_000_000L;
    /** Between two askings of the Sentinels after one announced a failover that most do not name yet. */
    private static final long ANNOUNCEMENT_RECHECK_NANOS = 20_000_000L;

    private final RedisClient client;
    private final RedisURI uri;
    /** The Sentinels of the URL (none without): who the master is, failovers announced, masters held down. */
    private final Sentinels sentinels;
    /** Reconnects asked for by Sentinel messages, and the periodic check, run here, off Lettuce's event loop. */
    private final ScheduledExecutorService failovers = DaemonThreads.scheduler("redis-failover");
    /** The replicas the Sentinels list, and the promotion guard, on a thread of their own. */
    private final ReplicaWatch replicaWatch;
    /** Written by {@link #reconnectTo} only (synchronized: on the failover thread, or a caller of {@link #reconnect()}). */
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    /**
     * host:port as the Sentinels named it at the last (re)connect; null when connected as the URL says (without
     * Sentinels, or after a {@link #reconnect()} that no Sentinel answered). Written with {@link #connection}.
     */
    private volatile @Nullable String master;
    /** The master a quorum of Sentinels consider down, if any: saves must not use it. */
    private final MasterFence fence = new MasterFence();
    private volatile long reconnectedNanos;
    /** Told when {@link #reconnectTo} switches to another master (a session store counts it). */
    private final List<Runnable> masterChanges = new CopyOnWriteArrayList<>();
    /** What {@link #openAnother()} connects with (the URL holds the password: never shown). */
    private final Supplier<SessionRedis> connectAgain;

    private SessionRedis(RedisClient client, RedisURI uri, Supplier<SessionRedis> connectAgain) {
        this.client = client;
        this.uri = uri;
        this.connectAgain = connectAgain;
        this.sentinels = new Sentinels(client, uri);
        try {
            Duration firstAnswer = uri.getTimeout().plus(client.getOptions().getSocketOptions().getConnectTimeout());
            this.master = viaSentinels() ? sentinels.agreement(firstAnswer).master() : null;
            this.connection = client.connect(ByteArrayCodec.INSTANCE, master == null ? uri : node(master));
        } catch (RuntimeException e) {
            sentinels.close();
            throw e;
        }
        this.reconnectedNanos = System.nanoTime();
        this.replicaWatch = new ReplicaWatch(this, client, sentinels);
    }

    /**
     * Connects to {@code redisUrl} ({@code REDIS_URL}).
     *
     * @throws IllegalArgumentException naming {@code REDIS_URL} when it is missing or malformed (never echoing a password)
     */
    public static SessionRedis connect(@Nullable String redisUrl, Duration commandTimeout, Duration connectTimeout) {
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
    public static SessionRedis connect(@Nullable String redisUrl, @Nullable String sentinelPassword, Duration commandTimeout,
            Duration connectTimeout) {
        if (redisUrl == null || redisUrl.isBlank()) {
            throw new IllegalArgumentException("REDIS_URL: missing (expected: redis://[:password@]host:port[/db], rediss://..."
                    + " or redis-sentinel://host:26379,host2:26379#master)");
        }
        String url = redisUrl;
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
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
            redis = ConnectFailures.firstConnection(() -> new SessionRedis(client, uri, () -> connect(url, sentinelPassword, commandTimeout,
                    connectTimeout)), !uri.getSentinels().isEmpty(), sentinelPassword != null);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
        if (redis.viaSentinels()) {
            redis.watchSentinels();
        }
        return redis;
    }

    /**
     * Another connection to the same Redis, with this one's URL, credentials and timeouts, that follows failovers as
     * this one does: for a blocking command (a job worker's {@code BLPOP}) that must not hold up this connection's
     * commands. Close it yourself.
     *
     * @throws SessionStoreUnavailableException when Redis cannot be reached
     */
    public SessionRedis openAnother() {
        return connectAgain.get();
    }

    /** Starts watching the Sentinels, the replicas they list and the master they name; with Sentinels only. */
    private void watchSentinels() {
        sentinels.watch(this::fence, (announced, sentinel) -> failovers.execute(() -> followAnnounced(announced, sentinel)));
        replicaWatch.start();
        // followSentinels never throws, so the future has nothing to report; close() stops it.
        ScheduledFuture<?> unused = failovers.scheduleWithFixedDelay(this::followSentinels, SENTINEL_CHECK_INTERVAL.toMillis(),
                SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
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
        return replicaWatch.readable();
    }

    /**
     * Whether answers of {@link #replicas()} can be taken now: false while one of them has dropped and reconnected
     * (perhaps to a node restarted with an old dataset) and not been verified since, which takes a round trip. A
     * reader that asked the replicas takes their answers only if this holds and {@link #replicas()} is unchanged
     * once they answered (the campaign's seed 38: a replica restarted between two checks answered from the dataset
     * it had when it stopped).
     */
    public boolean replicasSettled() {
        return replicaWatch.settled();
    }

    /**
     * Turns on the promotion guard (with Sentinels only): every 2 s, a replica that is not streaming from the
     * live master is made unpromotable ({@code replica-priority 0}) until it has caught up. Run the Redis nodes
     * with {@code --replica-priority 0} on their command line, so that a node is unpromotable from the moment it
     * starts until a guard has seen it stream. Needs {@code CONFIG SET} on the replicas.
     */
    public SessionRedis guardPromotions() {
        if (viaSentinels()) {
            replicaWatch.guardPromotions();
        }
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

    /**
     * Connects to {@code hostAndPort} (or as the URL says, when null) and swaps the connection in; a node the
     * Sentinels name that does not answer {@code ROLE} as master is not followed (their view may be a moment
     * behind the node's).
     */
    private synchronized void reconnectTo(@Nullable String hostAndPort) {
        RedisURI target = hostAndPort == null ? uri : node(hostAndPort);
        StatefulRedisConnection<byte[], byte[]> old = connection;
        StatefulRedisConnection<byte[], byte[]> fresh;
        try {
            fresh = client.connect(ByteArrayCodec.INSTANCE, target);
            Object reply = hostAndPort == null ? null : fresh.sync().role().get(0);
            String role = reply == null ? "master"
                    : reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.US_ASCII) : String.valueOf(reply);
            if (!role.equals("master")) {
                CompletableFuture<Void> unused = fresh.closeAsync();
                LOG.warn("{} answers ROLE as {}, not master: keeping the current connection", hostAndPort, role);
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("reconnecting to {} failed, keeping the current connection: {}", hostAndPort == null ? "Redis" : hostAndPort,
                    e.toString());
            return;
        } finally {
            reconnectedNanos = System.nanoTime();
        }
        boolean changed = master != null && hostAndPort != null && !master.equals(hostAndPort); // not a fallback to the URL
        connection = fresh;
        master = hostAndPort;
        CompletableFuture<Void> unused = old.closeAsync();
        LOG.info("connected to the Redis master {}", hostAndPort == null ? "the URL names" : hostAndPort);
        if (changed) {
            masterChanges.forEach(Runnable::run);
        }
    }

    void onMasterChange(Runnable listener) {
        masterChanges.add(listener);
    }

    /** The URI of one data node named by the Sentinels, with the URL's credentials, database, TLS and timeout. */
    RedisURI node(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        RedisURI target = RedisURI.builder().withHost(hostAndPort.substring(0, colon)).withPort(Integer.parseInt(hostAndPort.substring(colon + 1)))
                .withDatabase(uri.getDatabase()).withSsl(uri.isSsl()).withTimeout(uri.getTimeout()).build();
        target.setCredentialsProvider(uri.getCredentialsProvider());
        return target;
    }

    /** host:port of the master the Sentinels named at the last (re)connect; null when connected as the URL says. */
    @Nullable String master() {
        return master;
    }

    /**
     * Whether saves may use the master now: not while a quorum of Sentinels consider it down. In Jepsen's case (the
     * master cut off from its replicas and the Sentinels, not from the instances) a partition that heals as the
     * Sentinels promote a replica gives the old master its replicas back for the moment before the instances hear
     * of the promotion: saves acknowledged then are thrown away when the Sentinels reconfigure those replicas (the
     * fault campaign's seed 23). {@code +odown} comes before the promotion, so saves stop first.
     */
    public boolean writable() {
        return !fence.holds(master);
    }

    private void fence(String down) {
        if (fence.odown(down, master)) {
            LOG.warn("a quorum of Sentinels consider the master {} down: saves are refused until they fail over or clear it", down);
        }
    }

    /**
     * Reconnects when the Sentinels name another master than the one connected to, and lifts the fence on the
     * master once every Sentinel that answers (most of them at least) neither considers it down nor fails it over;
     * never throws.
     */
    private void followSentinels() {
        try {
            follow(sentinelMaster(), "the Sentinels name");
            String down = fence.fenced();
            long epoch = fence.epoch();
            if (down != null && (!down.equals(master) || sentinels.masterCleared()) && fence.clear(down, epoch)) {
                LOG.info("the Sentinels no longer consider {} down: saves go on", down);
            }
        } catch (RuntimeException e) {
            LOG.debug("Sentinel check failed: {}", e.toString());
        }
    }

    /**
     * Follows a master that one Sentinel announced ({@code +switch-master}) once most Sentinels name it: a Sentinel
     * tells the others of a failover it learns at once, so that takes milliseconds; one Sentinel alone may hold an
     * old configuration. Asks for at most {@link #SENTINEL_CHECK_INTERVAL}, after which the periodic check takes
     * over. On the failover thread only.
     */
    private void followAnnounced(String announced, String sentinel) {
        long deadline = System.nanoTime() + SENTINEL_CHECK_INTERVAL.toNanos();
        while (!announced.equals(master) && System.nanoTime() < deadline) {
            try {
                String agreed = sentinels.agreement().master();
                if (agreed.equals(announced)) {
                    follow(agreed, "Sentinel " + sentinel + " announced, and most Sentinels name,");
                    return;
                }
            } catch (SessionStoreUnavailableException notYet) {
                // the Sentinels disagree for now, or too few answer
            }
            LockSupport.parkNanos(ANNOUNCEMENT_RECHECK_NANOS);
        }
    }

    /** Connects to {@code named} unless already connected there; on the failover thread only. */
    private void follow(@Nullable String named, String source) {
        if (named != null && !named.equals(master)) {
            LOG.info("{} {} as master of {}, connected to {}: reconnecting", source, named, uri.getSentinelMasterId(), master);
            reconnectTo(named);
        }
    }

    /** Has the failover thread follow {@code named}, a master the Sentinels name, unless already connected there. */
    void followOnFailoverThread(String named) {
        failovers.execute(() -> follow(named, "the Sentinels name"));
    }

    /**
     * The master's {@code host:port} as most of the Sentinels listed in the URL name it now (all are asked at
     * once; one round trip), or {@code null} without Sentinels.
     *
     * @throws SessionStoreUnavailableException when fewer than most of them answer, or they disagree
     */
    public @Nullable String sentinelMaster() {
        return viaSentinels() ? sentinels.agreement().master() : null;
    }

    @Override
    public void close() {
        failovers.shutdownNow();
        replicaWatch.close();
        sentinels.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
