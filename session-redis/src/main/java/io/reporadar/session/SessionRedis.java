package io.reporadar.session;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
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
    /**
     * How often the Sentinels are asked who the master is, in case a {@code +switch-master} message was missed
     * or the reconnect it asked for failed.
     */
    static final Duration SENTINEL_CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Reconnects closer together than this are skipped: a burst of READONLY replies needs one. */
    private static final long MIN_RECONNECT_INTERVAL_NANOS = 250_000_000L;
    /** Between two askings of the Sentinels after one announced a failover that most do not name yet. */
    private static final long ANNOUNCEMENT_RECHECK_NANOS = 20_000_000L;

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
    /**
     * A master (host:port) that a quorum of Sentinels consider down ({@code +odown}): saves must not use it until
     * the store follows another master or the Sentinels clear it; null for none.
     */
    private volatile String fenced;
    private volatile long reconnectedNanos;
    /** The Sentinels of the URL, in its order, and a connection to each, (re)opened without blocking. */
    private final List<RedisURI> sentinelUris;
    private final AtomicReferenceArray<CompletableFuture<StatefulRedisSentinelConnection<String, String>>> sentinelLinks;
    /** host:port of each replica the Sentinels list as up, and its connection; changed on the replica-watch thread only. */
    private final Map<String, StatefulRedisConnection<byte[], byte[]>> replicas = new ConcurrentHashMap<>();
    /** The replicas of {@link #replicas} whose data can be read: streaming at the last check, or cut off since. */
    private volatile List<StatefulRedisConnection<byte[], byte[]>> readable = List.of();
    /**
     * Replica connections that dropped since their node last answered a check: Lettuce reconnects on its own, and
     * the node behind may have restarted with an old dataset. Cleared when the node proves to be the same process
     * ({@code run_id}) or answers the next check.
     */
    private final Set<Object> unverified = ConcurrentHashMap.newKeySet();
    /** Each replica connection's node's {@code run_id} at its last check; written on the replica-watch thread only. */
    private final Map<StatefulRedisConnection<byte[], byte[]>, String> runIds = new ConcurrentHashMap<>();
    /** The priority the promotion guard gives back to a replica that has caught up (Redis's default). */
    static final int PROMOTABLE_PRIORITY = 100;
    private volatile boolean guardPromotions;
    private long masterOffsetLastRound = -1; // replica-watch thread only
    private final Map<StatefulRedisConnection<byte[], byte[]>, Boolean> linkUpLastRound = new WeakHashMap<>();

    private SessionRedis(RedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
        this.sentinelUris = List.copyOf(uri.getSentinels());
        this.sentinelLinks = new AtomicReferenceArray<>(sentinelUris.size());
        try {
            this.master = viaSentinels() ? agreement().master() : null;
            this.connection = client.connect(ByteArrayCodec.INSTANCE, master == null ? uri : node(master));
        } catch (RuntimeException e) {
            closeSentinelLinks();
            throw e;
        }
        this.reconnectedNanos = System.nanoTime();
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
            redis.watchSentinels();
            redis.replicaWatch.scheduleWithFixedDelay(redis::followReplicas, 0, SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            redis.failovers.scheduleWithFixedDelay(redis::followSentinels, SENTINEL_CHECK_INTERVAL.toMillis(),
                    SENTINEL_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return redis;
    }

    /**
     * Which variable holds a password Redis or a Sentinel refused (NOAUTH, WRONGPASS) in {@code failure}'s causes or
     * suppressed exceptions, as a message naming it; null for any other failure. Never quotes a password.
     */
    static String refusedPassword(Throwable failure, boolean viaSentinels, boolean sentinelPasswordGiven) {
        return refusedPassword(failure, false, viaSentinels, sentinelPasswordGiven, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** Walks {@code failure}'s causes and suppressed exceptions; {@code sentinel} says whether one above mentioned the Sentinels. */
    private static String refusedPassword(Throwable failure, boolean sentinel, boolean viaSentinels, boolean sentinelPasswordGiven,
            Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return null;
        }
        String message = String.valueOf(failure.getMessage());
        sentinel |= message.contains("Sentinel");
        if (message.contains("NOAUTH") || message.contains("WRONGPASS") || message.contains("invalid password")) {
            if (viaSentinels && sentinel) {
                return "REDIS_SENTINEL_PASSWORD: the Sentinels refused " + (sentinelPasswordGiven ? "it" : "to answer without it")
                        + " (expected: their requirepass)";
            }
            return "REDIS_URL: Redis refused its password (expected: redis://:<requirepass>@host:port)";
        }
        String refused = refusedPassword(failure.getCause(), sentinel, viaSentinels, sentinelPasswordGiven, seen);
        for (Throwable suppressed : failure.getSuppressed()) {
            if (refused == null) {
                refused = refusedPassword(suppressed, sentinel, viaSentinels, sentinelPasswordGiven, seen);
            }
        }
        return refused;
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
     * Whether answers of {@link #replicas()} can be taken now: false while one of them has dropped and reconnected
     * (perhaps to a node restarted with an old dataset) and not been verified since, which takes a round trip. A
     * reader that asked the replicas takes their answers only if this holds and {@link #replicas()} is unchanged
     * once they answered (the campaign's seed 38: a replica restarted between two checks answered from the dataset
     * it had when it stopped).
     */
    public boolean replicasSettled() {
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
                    if (before.equals(infoField(info, "run_id"))) {
                        unverified.remove(replica);
                    } else {
                        LOG.info("replica {} restarted: not read until it streams from the master", node);
                    }
                });
            }
        });
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

    /**
     * Connects to {@code hostAndPort} (or as the URL says, when null) and swaps the connection in; a node the
     * Sentinels name that does not answer {@code ROLE} as master is not followed (their view may be a moment
     * behind the node's).
     */
    private synchronized void reconnectTo(String hostAndPort) {
        RedisURI target = hostAndPort == null ? uri : node(hostAndPort);
        StatefulRedisConnection<byte[], byte[]> old = connection;
        StatefulRedisConnection<byte[], byte[]> fresh;
        try {
            fresh = client.connect(ByteArrayCodec.INSTANCE, target);
            Object reply = hostAndPort == null ? null : fresh.sync().role().get(0);
            String role = reply == null ? "master"
                    : reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.US_ASCII) : String.valueOf(reply);
            if (!role.equals("master")) {
                fresh.closeAsync();
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
        connection = fresh;
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

    /**
     * Whether saves may use the master now: not while a quorum of Sentinels consider it down. In Jepsen's case (the
     * master cut off from its replicas and the Sentinels, not from the instances) a partition that heals as the
     * Sentinels promote a replica gives the old master its replicas back for the moment before the instances hear
     * of the promotion: saves acknowledged then are thrown away when the Sentinels reconfigure those replicas (the
     * fault campaign's seed 23). {@code +odown} comes before the promotion, so saves stop first.
     */
    public boolean writable() {
        String down = fenced;
        return down == null || !down.equals(master);
    }

    private void fence(String down) {
        if (down.equals(master) && !down.equals(fenced)) {
            fenced = down;
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
            String down = fenced;
            if (down != null && (!down.equals(master) || fenceCleared())) {
                fenced = null;
                LOG.info("the Sentinels no longer consider {} down: saves go on", down);
            }
        } catch (RuntimeException e) {
            LOG.debug("Sentinel check failed: {}", e.toString());
        }
    }

    /** Whether most Sentinels answer and none reports the master objectively down or a failover of it under way. */
    private boolean fenceCleared() {
        String masterId = uri.getSentinelMasterId();
        List<CompletableFuture<Map<String, String>>> asked = new ArrayList<>();
        for (int i = 0; i < sentinelUris.size(); i++) {
            asked.add(sentinelLink(i).thenCompose(link -> link.async().master(masterId)));
        }
        long deadline = System.nanoTime() + uri.getTimeout().toNanos();
        int clear = 0;
        for (CompletableFuture<Map<String, String>> answer : asked) {
            try {
                String flags = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).getOrDefault("flags", "");
                if (flags.contains("o_down") || flags.contains("failover_in_progress")) {
                    return false;
                }
                clear++;
            } catch (ExecutionException | TimeoutException noAnswer) {
                // counts as no answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return clear >= sentinelUris.size() / 2 + 1;
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
            Agreement agreement = agreement();
            named = agreement.master();
            for (Map<String, String> replica : agreement.sentinel().sync().replicas(uri.getSentinelMasterId())) {
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
        String masterInfo = masterInfo();
        long masterOffset = masterInfo == null ? -1 : field(masterInfo, "master_repl_offset");
        // The replication ID the master took over from when it was promoted: a node still answering as master with
        // it is the master it replaced (thawed, or back behind a partition), not yet demoted by the Sentinels.
        String predecessor = masterInfo == null || !String.valueOf(named).equals(master) ? null : infoField(masterInfo, "master_replid2");
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
            String runId = infoField(info, "run_id");
            was &= runId.equals(runIds.put(replica, runId));
            if (readable(info, was, named, masterOffset) || node.getKey().equals(named) && info.contains("role:master")) {
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
    private static boolean readable(String info, boolean was, String master, long masterOffset) {
        if (info.contains("role:master")) {
            return was; // promoted meanwhile (perhaps before the Sentinel asked knows it): it holds what it held
        }
        if (!info.contains("role:slave") || info.contains("master_sync_in_progress:1")) {
            return false;
        }
        String following = infoField(info, "master_host") + ":" + infoField(info, "master_port");
        if (master != null && !following.equals(master)) {
            return false;
        }
        if (was) {
            return info.contains("master_link_status:up") || !info.contains("master_link_down_since_seconds:-1");
        }
        return info.contains("master_link_status:up") && (masterOffset < 0 || field(info, "slave_repl_offset") >= masterOffset);
    }

    /** A field of an {@code INFO} reply as text, or "". */
    private static String infoField(String info, String name) {
        return info.lines().filter(line -> line.startsWith(name + ":")).map(line -> line.substring(name.length() + 1).strip())
                .findFirst().orElse("");
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
    private void guard(String node, StatefulRedisConnection<byte[], byte[]> replica, String info, long masterOffset, String predecessor) {
        if (info.contains("role:master")) {
            boolean replaced = predecessor != null && !predecessor.matches("0+") && predecessor.equals(infoField(info, "master_replid"));
            // No replication history: it started as a master (restarted while the Sentinels still named it, then failed
            // over from: campaign seed 9). A replica promoted by a failover always has one (its old master's ID).
            boolean restartedAsMaster = predecessor != null && infoField(info, "master_replid2").matches("0+");
            if (replaced || restartedAsMaster) {
                demote(node, replica);
            }
            return;
        }
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

    /** Makes {@code node}, a master the master replaced, the master's replica, unpromotable until it has caught up. */
    private void demote(String node, StatefulRedisConnection<byte[], byte[]> deposed) {
        String current = master;
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
        return info == null ? -1 : field(info, "master_repl_offset");
    }

    /** The master's {@code INFO replication}, or null when it does not answer. */
    private String masterInfo() {
        try {
            return connection.sync().info("replication");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A numeric field of an {@code INFO} reply, or -1. */
    private static long field(String info, String name) {
        try {
            return Long.parseLong(infoField(info, name));
        } catch (NumberFormatException e) {
            return -1;
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
                String agreed = agreement().master();
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
                        String[] parts = message.split(" ");
                        if (channel.equals("+odown")) {
                            // "master <name> <ip> <port> #quorum n/m"
                            if (parts.length >= 4 && parts[0].equals("master") && parts[1].equals(masterId)) {
                                fence(parts[2] + ":" + parts[3]);
                            }
                            return;
                        }
                        // +switch-master: "<master name> <old ip> <old port> <new ip> <new port>"
                        if (parts.length == 5 && parts[0].equals(masterId)) {
                            String announced = parts[3] + ":" + parts[4];
                            failovers.execute(() -> followAnnounced(announced, sentinelUri.getHost() + ":" + sentinelUri.getPort()));
                        }
                    }
                });
                watcher.sync().subscribe("+switch-master", "+odown");
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
     * The master's {@code host:port} as most of the Sentinels listed in the URL name it now (all are asked at
     * once; one round trip), or {@code null} without Sentinels.
     *
     * @throws SessionStoreUnavailableException when fewer than most of them answer, or they disagree
     */
    public String sentinelMaster() {
        return viaSentinels() ? agreement().master() : null;
    }

    /** The master that most Sentinels name, and one of the Sentinels that named it (to ask for its replicas). */
    private record Agreement(String master, StatefulRedisSentinelConnection<String, String> sentinel) {
    }

    /**
     * Asks every Sentinel of the URL who the master is and returns the answer of most of them (2 of 3), as soon as
     * they have given it; waits at most the command timeout. Sentinel authorizes a failover by the votes of most
     * Sentinels, so the configuration most of them hold is the one in force: a single Sentinel may name a master
     * of before (restarted with an old configuration, or cut off from the others).
     *
     * @throws SessionStoreUnavailableException naming what each said when no address has most of them
     */
    private Agreement agreement() {
        String masterId = uri.getSentinelMasterId();
        int needed = sentinelUris.size() / 2 + 1;
        CompletableFuture<Agreement> agreed = new CompletableFuture<>();
        Map<String, Integer> named = new LinkedHashMap<>(); // guarded by itself
        List<Throwable> failures = new ArrayList<>(); // guarded by named
        for (int i = 0; i < sentinelUris.size(); i++) {
            sentinelLink(i).thenCompose(link -> link.async().getMasterAddrByName(masterId).thenApply(address -> new Agreement(hostAndPort(address), link)))
                    .whenComplete((answer, failure) -> {
                        synchronized (named) {
                            if (failure != null) {
                                failures.add(failure);
                            } else if (named.merge(String.valueOf(answer.master()), 1, Integer::sum) >= needed && answer.master() != null) {
                                agreed.complete(answer);
                            }
                            if (failures.size() + named.values().stream().mapToInt(Integer::intValue).sum() == sentinelUris.size()) {
                                agreed.completeExceptionally(disagreement(masterId, named, failures));
                            }
                        }
                    });
        }
        try {
            return agreed.get(uri.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new SessionStoreUnavailableException("sentinel-master", e.getCause());
        } catch (TimeoutException e) {
            synchronized (named) {
                throw new SessionStoreUnavailableException("sentinel-master", disagreement(masterId, named, failures));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreUnavailableException("sentinel-master", new RedisException("interrupted while asking the Sentinels"));
        }
    }

    /**
     * Says what each Sentinel named (addresses only), with every failure attached: the first as the cause, the
     * others suppressed. A Sentinel that refused a password may be reported by Lettuce as a connection "closed
     * prematurely" (the handshake's close can overtake its error), so a refusal must be looked for in all of them.
     */
    private RedisException disagreement(String masterId, Map<String, Integer> named, List<Throwable> failures) {
        int unanswered = sentinelUris.size() - named.values().stream().mapToInt(Integer::intValue).sum();
        RedisException disagreement = new RedisException("the Sentinels do not agree on the master of " + masterId + " (most of the "
                + sentinelUris.size() + " must name it): named " + named + ", " + unanswered + " did not answer",
                failures.isEmpty() ? null : failures.get(0));
        failures.stream().skip(1).forEach(disagreement::addSuppressed);
        return disagreement;
    }

    private static String hostAndPort(SocketAddress address) {
        if (address == null) {
            return null;
        }
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(address);
    }

    /** The connection to the {@code i}th Sentinel of the URL, opened again without blocking after it failed or closed. */
    private CompletableFuture<StatefulRedisSentinelConnection<String, String>> sentinelLink(int i) {
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> link = sentinelLinks.get(i);
        boolean usable = link != null && (!link.isDone() || !link.isCompletedExceptionally() && link.join().isOpen());
        if (usable) {
            return link;
        }
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> fresh = client.connectSentinelAsync(StringCodec.UTF8, sentinelUris.get(i));
        if (sentinelLinks.compareAndSet(i, link, fresh)) {
            if (link != null && !link.isCompletedExceptionally()) {
                link.join().closeAsync();
            }
            return fresh;
        }
        fresh.thenAccept(StatefulRedisSentinelConnection::closeAsync); // another thread opened one meanwhile
        return sentinelLinks.get(i);
    }

    private void closeSentinelLinks() {
        for (int i = 0; i < sentinelLinks.length(); i++) {
            CompletableFuture<StatefulRedisSentinelConnection<String, String>> link = sentinelLinks.getAndSet(i, null);
            if (link != null) {
                link.thenAccept(StatefulRedisSentinelConnection::close);
            }
        }
    }

    @Override
    public void close() {
        failovers.shutdownNow();
        replicaWatch.shutdownNow();
        replicas.values().forEach(StatefulRedisConnection::close);
        watchers.forEach(StatefulRedisPubSubConnection::close);
        closeSentinelLinks();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
