package io.reporadar.testing;

import io.reporadar.testing.internal.Ports;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
    public static final Duration DEFAULT_DOWN_AFTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_QUORUM = 2;
    public static final int DEFAULT_REPLICAS = 2;
    private static final int SENTINELS = 3;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final int HISTORY_LINES = 4000;

    private final String masterName;
    private final RedisServer master;
    private final List<RedisServer> replicas;
    private final List<RedisServer> sentinels;
    private final Deque<String> history = new ArrayDeque<>();
    private final boolean guarded;
    private final NetworkHosts hosts; // null unless on hosts of their own
    private final Map<RedisServer, NetworkHosts.Host> hostOf;
    private final Thread sampler;
    private volatile boolean open = true;

    private RedisSentinelTopology(String masterName, RedisServer master, List<RedisServer> replicas, List<RedisServer> sentinels,
            boolean guarded, NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf) {
        this.masterName = masterName;
        this.guarded = guarded;
        this.hosts = hosts;
        this.hostOf = Map.copyOf(hostOf);
        this.master = master;
        this.replicas = List.copyOf(replicas);
        this.sentinels = List.copyOf(sentinels);
        this.sampler = new Thread(this::sample, "redis-replication-history");
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    /** Starts the topology with the deployment guide's settings (two replicas, down-after 5 s, failover timeout 10 s). */
    public static RedisSentinelTopology start() {
        return builder().start();
    }

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

    public List<RedisServer> sentinels() {
        return sentinels;
    }

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
    private RedisServer agreedMaster() {
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
        RedisServer[] promoted = new RedisServer[1];
        Ports.await("failover of " + masterName + " away from " + before, timeout, null, () -> {
            try {
                RedisServer now = agreedMaster(); // most of them: the first asked may know before the others
                if (now != null && now != before && isMaster(now)) {
                    promoted[0] = now;
                    return true;
                }
            } catch (RuntimeException notYet) {
                // Sentinels may be between epochs
            }
            return false;
        });
        return promoted[0];
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

    private void awaitReplicas(Supplier<List<RedisServer>> servers, Duration timeout, boolean promotable) {
        RedisServer[] probed = {null};
        long[] probeOffset = {0};
        try {
            Ports.await("replicas streaming from the master" + (promotable ? " and promotable" : ""), timeout, null, () -> {
                try {
                    List<RedisServer> expected = servers.get();
                    RedisServer current = currentMaster();
                    Map<Integer, Long> acknowledged = onlineReplicas(current);
                    boolean online = expected.stream().allMatch(server -> acknowledged.containsKey(server.port()) && linkUp(server));
                    if (!online) {
                        probed[0] = null;
                        return false;
                    }
                    if (probed[0] != current) { // listed: now prove that the stream flows, with a write made after it
                        probed[0] = current;
                        probeOffset[0] = probe(current);
                        return false;
                    }
                    return expected.stream().allMatch(server -> acknowledged.get(server.port()) >= probeOffset[0]
                            && (!promotable || !String.valueOf(server.call("INFO", "replication")).contains("slave_priority:0")));
                } catch (RuntimeException notYet) {
                    probed[0] = null;
                    return false;
                }
            });
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": " + describe() + "\n" + history(), e);
        }
    }

    /**
     * Publishes on a channel nobody reads, which enters the replication stream without touching the data, and
     * returns the master's replication offset after it.
     */
    private static long probe(RedisServer master) {
        master.call("PUBLISH", "reporadar-test:replication-probe", "streaming?");
        String info = String.valueOf(master.call("INFO", "replication"));
        return info.lines().filter(line -> line.startsWith("master_repl_offset:")).map(line -> Long.parseLong(line.substring(19).strip()))
                .findFirst().orElseThrow(() -> new IllegalStateException(master + " reports no master_repl_offset"));
    }

    private static boolean linkUp(RedisServer server) {
        String info = String.valueOf(server.call("INFO", "replication"));
        return info.contains("role:slave") && info.contains("master_link_status:up");
    }

    /**
     * The replicas {@code master}'s {@code ROLE} lists (Redis lists only online replicas), by port, with the
     * replication offset each last acknowledged.
     */
    private static Map<Integer, Long> onlineReplicas(RedisServer master) {
        Object role = master.call("ROLE");
        Map<Integer, Long> replicas = new HashMap<>();
        if (role instanceof List<?> parts && parts.size() >= 3 && parts.get(2) instanceof List<?> entries) {
            for (Object entry : entries) {
                if (entry instanceof List<?> fields && fields.size() >= 3) {
                    replicas.put(Integer.parseInt(String.valueOf(fields.get(1))), Long.parseLong(String.valueOf(fields.get(2))));
                }
            }
        }
        return replicas;
    }

    /** A server's {@code INFO replication} on one line, for failure messages. */
    public static String replication(RedisServer server) {
        try {
            return server + " " + String.valueOf(server.call("INFO", "replication")).lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank() && !line.startsWith("second_repl") && !line.startsWith("repl_backlog"))
                    .toList();
        } catch (RuntimeException e) {
            return server + ": " + e.getMessage();
        }
    }

    /** Every data node's {@code INFO replication} and key count, and the master the Sentinels name, one per line. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (RedisServer server : servers()) {
            text.append('\n').append(replication(server)).append(" DBSIZE ").append(callQuietly(server, "DBSIZE"));
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
        StringBuilder text = new StringBuilder("replication history of ").append(this).append(":\n");
        synchronized (history) {
            history.forEach(line -> text.append(line).append('\n'));
        }
        for (RedisServer sentinel : sentinels) {
            // The events, without the connection chatter of verbose logging (a poll every 50 ms would push them out).
            List<String> events = sentinel.logTail(4000).lines()
                    .filter(line -> !line.contains(" - Accepted ") && !line.contains(" - Client closed connection")).toList();
            text.append("log of ").append(sentinel).append(":\n")
                    .append(String.join("\n", events.subList(Math.max(0, events.size() - 80), events.size()))).append('\n');
        }
        return text.toString();
    }

    private void sample() {
        Map<RedisServer, String> last = new HashMap<>();
        while (open) {
            for (RedisServer server : servers()) {
                String state = server.isRunning() ? state(server) : "not running";
                if (!state.equals(last.put(server, state))) {
                    synchronized (history) {
                        history.addLast(LocalTime.now() + " " + server.port() + " " + state);
                        if (history.size() > HISTORY_LINES) {
                            history.removeFirst();
                        }
                    }
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The parts of {@code INFO replication} that say who streams from whom and who may be promoted; offsets left
     * out (they always move).
     */
    private static String state(RedisServer server) {
        try {
            return String.valueOf(server.call("INFO", "replication")).lines()
                    .filter(line -> line.startsWith("role:") || line.startsWith("master_port:") || line.startsWith("master_link_status:")
                            || line.startsWith("master_sync_in_progress:1") || line.startsWith("connected_slaves:")
                            || line.startsWith("slave") && line.contains("state=") || line.startsWith("master_replid:")
                            || line.startsWith("slave_priority:"))
                    .map(line -> line.startsWith("slave") ? line.replaceAll(",offset=\\d+,lag=\\d+", "") : line)
                    .collect(Collectors.joining(" "));
        } catch (RuntimeException e) {
            return "no answer (" + e.getMessage().lines().findFirst().orElse("") + ")";
        }
    }

    private static Object callQuietly(RedisServer server, String command) {
        try {
            return server.call(command);
        } catch (RuntimeException e) {
            return "?";
        }
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
    private void note(String event) {
        synchronized (history) {
            history.addLast(LocalTime.now() + " " + event);
        }
    }

    @Override
    public void close() {
        open = false;
        sampler.interrupt();
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

    private static boolean isMaster(RedisServer server) {
        Object role = server.call("ROLE");
        return role instanceof List<?> parts && "master".equals(parts.get(0));
    }

    private void awaitSettled() {
        for (RedisServer sentinel : sentinels) {
            Ports.await(sentinel + " sees the replicas and the other Sentinels", SETTLE_TIMEOUT, null, () -> {
                try {
                    Map<String, String> state = pairs(sentinel.call("SENTINEL", "MASTER", masterName));
                    return Objects.equals(state.get("num-slaves"), Integer.toString(replicas.size()))
                            && Objects.equals(state.get("num-other-sentinels"), Integer.toString(SENTINELS - 1));
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        }
    }

    private static Map<String, String> pairs(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return map;
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
        private String sentinelPassword;
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
            List<RedisServer> started = new ArrayList<>();
            NetworkHosts hosts = hostsOfTheirOwn ? NetworkHosts.create(1 + replicas + SENTINELS) : null;
            Map<RedisServer, NetworkHosts.Host> hostOf = new HashMap<>();
            AtomicReference<RedisSentinelTopology> self = new AtomicReference<>();
            try {
                List<String> persistence = appendOnly ? List.of("appendonly yes") : List.of();
                List<String> arguments = unpromotableUntilGuarded ? List.of("--replica-priority", "0") : List.of();
                RedisServer master = startDataNode(hosts, hostOf, persistence, arguments, self);
                started.add(master);
                List<RedisServer> replicaServers = new ArrayList<>();
                for (int i = 0; i < replicas; i++) {
                    List<String> config = new ArrayList<>(persistence);
                    config.add("replicaof " + master.host() + " " + master.port());
                    RedisServer replica = startDataNode(hosts, hostOf, config, arguments, self);
                    started.add(replica);
                    replicaServers.add(replica);
                }
                List<RedisServer> sentinels = new ArrayList<>();
                for (int i = 0; i < SENTINELS; i++) {
                    List<String> auth = sentinelPassword == null ? List.of()
                            : List.of("requirepass " + sentinelPassword, "sentinel sentinel-pass " + sentinelPassword);
                    List<String> config = concat(auth, List.of(
                            "loglevel verbose",
                            "sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " " + quorum,
                            "sentinel down-after-milliseconds " + masterName + " " + downAfter.toMillis(),
                            "sentinel failover-timeout " + masterName + " " + failoverTimeout.toMillis(),
                            "sentinel parallel-syncs " + masterName + " 1"));
                    RedisServer sentinel = hosts == null ? RedisServer.startSentinel(config, Ports.free())
                            : start(hosts, hostOf, config, List.of(), List::of, true);
                    started.add(sentinel);
                    sentinels.add(sentinel);
                }
                RedisSentinelTopology topology = new RedisSentinelTopology(masterName, master, replicaServers, sentinels,
                        unpromotableUntilGuarded, hosts, hostOf);
                self.set(topology);
                try {
                    topology.awaitReplicas(() -> replicaServers, SETTLE_TIMEOUT, false);
                    topology.awaitSettled();
                } catch (RuntimeException e) {
                    topology.close();
                    throw e;
                }
                return topology;
            } catch (RuntimeException e) {
                started.forEach(RedisServer::close);
                if (hosts != null) {
                    hosts.close();
                }
                throw e;
            }
        }

        /**
         * A data node that, when it starts again while most Sentinels name another node as master, starts as that
         * master's replica ({@code --replicaof}), as the compose file's start script does: a node that comes back
         * as a master (its old data, no replicas) is one Sentinel may promote, whatever its priority, since Sentinel
         * reads {@code slave_priority} and offsets only from nodes that report themselves replicas (Redis 7.0
         * {@code sentinelSelectSlave}); the campaign's seed 3 lost 1,209 acknowledged writes that way.
         */
        private static RedisServer startDataNode(NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf, List<String> config,
                List<String> arguments, AtomicReference<RedisSentinelTopology> self) {
            AtomicReference<RedisServer> node = new AtomicReference<>();
            RedisServer server = start(hosts, hostOf, config, arguments, () -> {
                RedisSentinelTopology topology = self.get();
                RedisServer named = topology == null ? null : topology.agreedMaster();
                if (named == null || named == node.get()) {
                    return List.of();
                }
                topology.note(node.get().port() + " starts as the replica of " + named.port() + ", which most Sentinels name");
                return List.of("--replicaof", named.host(), Integer.toString(named.port()));
            }, false);
            node.set(server);
            return server;
        }

        /** A data node (or Sentinel) on the next free host, or on this machine's loopback without hosts. */
        private static RedisServer start(NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf, List<String> config,
                List<String> arguments, Supplier<List<String>> atEachStart, boolean sentinel) {
            if (hosts == null) {
                return RedisServer.startWithArguments(config, arguments, atEachStart);
            }
            NetworkHosts.Host host = hosts.hosts().get(hostOf.size());
            RedisServer server = RedisServer.startOn(host, config, arguments, atEachStart, sentinel);
            hostOf.put(server, host);
            return server;
        }

        private static List<String> concat(List<String> first, List<String> second) {
            List<String> all = new ArrayList<>(first);
            all.addAll(second);
            return all;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
