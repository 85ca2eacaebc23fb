package io.reporadar.testing;

import io.reporadar.testing.internal.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A Redis master, two replicas (as Redis recommends for Sentinel; {@link Builder#replicas} changes it) and
 * three Sentinels, all real processes on free ports, as the deployment's high-availability mode runs them
 * (quorum 2).
 *
 * <pre>{@code
 * try (RedisSentinelTopology ha = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1)).start()) {
 *     RedisClient client = RedisClient.create(ha.sentinelUri());
 *     ha.master().kill();
 *     RedisServer promoted = ha.awaitFailover(Duration.ofSeconds(15));
 *     ha.master().restart();
 *     ha.awaitReplication(Duration.ofSeconds(30));   // every other node streams from the promoted one
 * }
 * }</pre>
 *
 * <p>Every server is a {@link RedisServer} with its fault handles. While the topology runs, each data node's
 * replication state is sampled every 100 ms and every change is kept ({@link #history()}), and the Sentinels log
 * at {@code verbose} (their role-change events): what a failing drill needs to say what Redis saw. Started
 * {@link Builder#onHostsOfTheirOwn() on hosts of their own}, each node can be cut off from the others while
 * clients still reach it ({@link #isolate}). Thread-safe.
 */
public final class RedisSentinelTopology implements AutoCloseable {

    /** The master name the deployment's Sentinels monitor. */
    public static final String DEFAULT_MASTER_NAME = "reporadar-master";
    /** How long a master must be silent before a Sentinel considers it down, by default. */
    public static final Duration DEFAULT_DOWN_AFTER = Duration.ofSeconds(5);
    /** The Sentinels' failover timeout, by default. */
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(10);
    /** How many Sentinels must agree that the master is down, by default. */
    public static final int DEFAULT_QUORUM = 2;
    /** How many replicas start with the master, by default. */
    public static final int DEFAULT_REPLICAS = 2;
    static final int SENTINELS = 3;
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    private final String masterName;
    private final RedisServer master;
    private final List<RedisServer> replicas;
    private final List<RedisServer> sentinels;
    private final boolean guarded;
    private final @Nullable NetworkHosts hosts; // null unless on hosts of their own
    private final Map<RedisServer, NetworkHosts.Host> hostOf;
    private final ReplicationHistory history;

    /** {@code hosts} (with each server's host in {@code hostOf}) when on hosts of their own, else null. */
    RedisSentinelTopology(String masterName, RedisServer master, List<RedisServer> replicas, List<RedisServer> sentinels,
            boolean guarded, @Nullable NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf) {
        this.masterName = masterName;
        this.guarded = guarded;
        this.hosts = hosts;
        this.hostOf = Map.copyOf(hostOf);
        this.master = master;
        this.replicas = List.copyOf(replicas);
        this.sentinels = List.copyOf(sentinels);
        this.history = new ReplicationHistory(this::servers);
    }

    /** Starts the topology with the deployment guide's settings (two replicas, down-after 5 s, failover timeout 10 s). */
    public static RedisSentinelTopology start() {
        return builder().start();
    }

    /** Settings other than the deployment guide's. */
    public static Builder builder() {
        return new Builder();
    }

    /** The server started as master; after a failover it may be a replica or dead. */
    public RedisServer master() {
        return master;
    }

    /** The servers started as replicas; after a failover one of them may be the master. */
    public List<RedisServer> replicas() {
        return replicas;
    }

    /** Every data node (not the Sentinels): the first master, then the replicas. */
    public List<RedisServer> servers() {
        return Stream.concat(Stream.of(master), replicas.stream()).toList();
    }

    /** The three Sentinels. */
    public List<RedisServer> sentinels() {
        return sentinels;
    }

    /** The master name the Sentinels monitor. */
    public String masterName() {
        return masterName;
    }

    /** A Lettuce-style URI naming every Sentinel: {@code redis-sentinel://h:p1,h:p2,h:p3#name}. */
    public String sentinelUri() {
        return "redis-sentinel://" + sentinels.stream().map(s -> s.host() + ":" + s.port())
                .collect(Collectors.joining(",")) + "#" + masterName;
    }

    /** The server the Sentinels currently name as master (asking each until one answers). */
    public RedisServer currentMaster() {
        List<Integer> named = namedMasterPorts(1);
        if (named.isEmpty()) {
            throw new IllegalStateException("no Sentinel of " + masterName + " names a master");
        }
        return serverOnPort(named.get(0));
    }

    /** The server most Sentinels (2 of 3) name as master now, or null when they do not agree or too few answer. */
    @Nullable RedisServer agreedMaster() {
        Map<Integer, Integer> votes = new HashMap<>();
        namedMasterPorts(SENTINELS).forEach(port -> votes.merge(port, 1, Integer::sum));
        return votes.entrySet().stream().filter(vote -> vote.getValue() > SENTINELS / 2).map(vote -> serverOnPort(vote.getKey())).findFirst()
                .orElse(null);
    }

    /** The master's port as the running Sentinels name it, asked in order until {@code enough} have answered. */
    private List<Integer> namedMasterPorts(int enough) {
        List<Integer> ports = new ArrayList<>();
        for (RedisServer sentinel : sentinels) {
            try {
                if (sentinel.isRunning() && sentinel.call("SENTINEL", "get-master-addr-by-name", masterName) instanceof List<?> address) {
                    ports.add(Integer.parseInt(String.valueOf(address.get(1))));
                }
            } catch (RuntimeException noAnswer) {
                // down, frozen or cut off: no answer
            }
            if (ports.size() == enough) {
                break;
            }
        }
        return ports;
    }

    /**
     * Waits until the Sentinels name a master other than the one they named when called, and that server
     * answers as master; returns it.
     */
    public RedisServer awaitFailover(Duration timeout) {
        return awaitFailover(timeout, currentMaster());
    }

    /** Waits until most Sentinels name a master other than {@code before}, and that server answers as master; returns it. */
    public RedisServer awaitFailover(Duration timeout, RedisServer before) {
        AtomicReference<@Nullable RedisServer> promoted = new AtomicReference<>();
        Ports.await("failover of " + masterName + " away from " + before, timeout, null, () -> {
            try {
                RedisServer now = agreedMaster(); // most of them: the first asked may know before the others
                if (now != null && now != before && Replication.isMaster(now)) {
                    promoted.set(now);
                    return true;
                }
            } catch (RuntimeException notYet) {
                // Sentinels may be between epochs
            }
            return false;
        });
        return Objects.requireNonNull(promoted.get(), "the wait for a failover ended without one");
    }

    /**
     * Waits until {@code server} runs as a replica with its replication link up, the master the Sentinels name
     * lists it online ({@code ROLE}), <em>and</em> it has acknowledged a write made after that: only then does it
     * receive the stream. Redis 7 puts a replica that loaded a diskless snapshot online before it streams to it
     * (it starts at the replica's next {@code REPLCONF ACK}, up to a second later, when the first one came before
     * the master reaped the snapshot's child); in between, both of the other signs already show.
     */
    public void awaitReplica(RedisServer server, Duration timeout) {
        awaitReplicas(() -> List.of(server), timeout, guarded);
    }

    /**
     * {@link #awaitReplica} for every running data node but the current master; in a topology started
     * {@link Builder#unpromotableUntilGuarded}, also until a guard has made each one promotable again.
     */
    public void awaitReplication(Duration timeout) {
        awaitReplicas(() -> {
            RedisServer current = currentMaster(); // asked on every poll: the master may change meanwhile
            return servers().stream().filter(s -> s != current && s.isRunning()).toList();
        }, timeout, guarded);
    }

    /** {@link Replication#awaitStreaming} from the master the Sentinels name, failing with what the nodes say. */
    void awaitReplicas(Supplier<List<RedisServer>> servers, Duration timeout, boolean promotable) {
        try {
            Replication.awaitStreaming(servers, this::currentMaster, timeout, promotable);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": " + describe() + "\n" + history(), e);
        }
    }

    /** A server's {@code INFO replication} on one line, for failure messages. */
    public static String replication(RedisServer server) {
        return Replication.summary(server);
    }

    /** Every data node's {@code INFO replication} and key count, and the master the Sentinels name, one per line. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (RedisServer server : servers()) {
            text.append('\n').append(replication(server)).append(" DBSIZE ").append(Replication.callQuietly(server, "DBSIZE"));
        }
        try {
            text.append("\nthe Sentinels name ").append(currentMaster());
        } catch (RuntimeException e) {
            text.append("\n").append(e.getMessage());
        }
        return text.toString();
    }

    /**
     * The replication history: one line per change of a data node's state (role, link, sync in progress,
     * offsets rounded away, the replicas it lists with their state), sampled every 100 ms, with wall-clock
     * times to match the servers' logs; at most the last 4,000 changes. Followed by each Sentinel's last log lines.
     */
    public String history() {
        return history.render("replication history of " + this, sentinels);
    }

    /**
     * Cuts {@code server}'s host off from every other data node and Sentinel, both ways, until
     * {@link #healPartitions()}; clients (this JVM) still reach it. On the master, that is Jepsen's case: the
     * Sentinels promote a replica while clients may still write to the old master.
     *
     * @throws IllegalStateException when the topology was not started {@link Builder#onHostsOfTheirOwn() on hosts of their own}
     */
    public void isolate(RedisServer server) {
        NetworkHosts.Host host = hostOf.get(server);
        if (hosts == null || host == null) {
            throw new IllegalStateException(this + " was not started on hosts of their own (Builder.onHostsOfTheirOwn()): no partitions");
        }
        hosts.isolate(host, hostOf.values());
        note(server.port() + " cut off from the other nodes and Sentinels");
    }

    /** Restores every link {@link #isolate} cut; nothing when there are none. */
    public void healPartitions() {
        if (hosts != null) {
            hosts.healAll();
            note("partitions healed");
        }
    }

    /** Adds an event of the test's own (a fault, a restart) to {@link #history()}. */
    void note(String event) {
        history.note(event);
    }

    @Override
    public void close() {
        history.close();
        for (RedisServer sentinel : sentinels) {
            sentinel.close();
        }
        replicas.forEach(RedisServer::close);
        master.close();
        if (hosts != null) {
            hosts.close();
        }
    }

    @Override
    public String toString() {
        return "Sentinel topology " + masterName + " (master " + master.port() + ", replicas "
                + replicas.stream().map(s -> Integer.toString(s.port())).collect(Collectors.joining(",")) + ", sentinels "
                + sentinels.stream().map(s -> Integer.toString(s.port())).collect(Collectors.joining(",")) + ")";
    }

    private RedisServer serverOnPort(int port) {
        return servers().stream().filter(server -> server.port() == port).findFirst().orElseThrow(
                () -> new IllegalStateException("Sentinels name a master on port " + port + ", which is not part of " + this));
    }

    /**
     * Settings of a {@link RedisSentinelTopology}. Not thread-safe; {@link #start()} copies its state.
     */
    public static final class Builder {
        private String masterName = DEFAULT_MASTER_NAME;
        private Duration downAfter = DEFAULT_DOWN_AFTER;
        private Duration failoverTimeout = DEFAULT_FAILOVER_TIMEOUT;
        private int quorum = DEFAULT_QUORUM;
        private int replicas = DEFAULT_REPLICAS;
        private boolean appendOnly;
        private @Nullable String sentinelPassword; // null: the Sentinels require none
        private boolean unpromotableUntilGuarded;
        private boolean hostsOfTheirOwn;

        private Builder() {
        }

        /**
         * Each data node and each Sentinel runs on a host of its own ({@link NetworkHosts}: a network namespace
         * with its own address), so that {@link RedisSentinelTopology#isolate} can cut it off from the others.
         * Needs Linux and root, and a local or embedded redis-server; fails saying so otherwise.
         */
        public Builder onHostsOfTheirOwn() {
            this.hostsOfTheirOwn = true;
            return this;
        }

        /**
         * Every data node starts, and restarts, with {@code --replica-priority 0} on its command line: Sentinel
         * promotes none until a promotion guard (the session store's, {@code SessionRedis.guardPromotions()}) has
         * seen it stream from the master and raised its priority. The waits for replication then also wait for
         * that.
         */
        public Builder unpromotableUntilGuarded() {
            this.unpromotableUntilGuarded = true;
            return this;
        }

        /**
         * Every data node keeps an append-only file (fsynced every second; a graceful stop flushes it), so a node
         * restarted at once comes back with its data (default: no persistence, as fixtures are).
         */
        public Builder appendOnly() {
            this.appendOnly = true;
            return this;
        }

        public Builder masterName(String masterName) {
            if (masterName == null || !masterName.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("masterName: " + masterName + " (expected: letters, digits, '.', '_' or '-')");
            }
            this.masterName = masterName;
            return this;
        }

        /** How long a master must be silent before a Sentinel considers it down (down-after-milliseconds). */
        public Builder downAfter(Duration downAfter) {
            this.downAfter = positive("downAfter", downAfter);
            return this;
        }

        public Builder failoverTimeout(Duration failoverTimeout) {
            this.failoverTimeout = positive("failoverTimeout", failoverTimeout);
            return this;
        }

        public Builder quorum(int quorum) {
            if (quorum < 1 || quorum > SENTINELS) {
                throw new IllegalArgumentException("quorum: " + quorum + " (expected: 1.." + SENTINELS + ")");
            }
            this.quorum = quorum;
            return this;
        }

        /**
         * Sentinels that require {@code password} ({@code requirepass}, and {@code sentinel sentinel-pass} among
         * themselves); clients pass it apart from the URL (Lettuce's URL password is the data nodes').
         */
        public Builder sentinelPassword(String password) {
            if (password == null || password.isBlank() || password.contains(" ")) {
                throw new IllegalArgumentException("sentinel password: expected a word without spaces");
            }
            this.sentinelPassword = password;
            return this;
        }

        /** How many replicas start with the master (default 2). */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 4) {
                throw new IllegalArgumentException("replicas: " + replicas + " (expected: 1..4)");
            }
            this.replicas = replicas;
            return this;
        }

        /** Starts master, replicas and Sentinels, and returns once every Sentinel sees the others and every replica. */
        public RedisSentinelTopology start() {
            return SentinelLauncher.start(new SentinelLauncher.Settings(masterName, downAfter, failoverTimeout, quorum, replicas,
                    appendOnly, sentinelPassword, unpromotableUntilGuarded, hostsOfTheirOwn));
        }

        private static Duration positive(String name, @Nullable Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
