package io.reporadar.testing;

import io.reporadar.testing.internal.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Redis master, one replica and three Sentinels, all real processes on free ports, as the deployment's
 * high-availability mode runs them (quorum 2).
 *
 * <pre>{@code
 * try (RedisSentinelTopology ha = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1)).start()) {
 *     RedisClient client = RedisClient.create(ha.sentinelUri());
 *     ha.master().kill();
 *     RedisServer promoted = ha.awaitFailover(Duration.ofSeconds(15));
 * }
 * }</pre>
 *
 * <p>Every server is a {@link RedisServer} with its fault handles. Thread-safe.
 */
public final class RedisSentinelTopology implements AutoCloseable {

    /** The master name the deployment's Sentinels monitor. */
    public static final String DEFAULT_MASTER_NAME = "reporadar-master";
    public static final Duration DEFAULT_DOWN_AFTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_QUORUM = 2;
    private static final int SENTINELS = 3;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    private final String masterName;
    private final RedisServer master;
    private final RedisServer replica;
    private final List<RedisServer> sentinels;

    private RedisSentinelTopology(String masterName, RedisServer master, RedisServer replica, List<RedisServer> sentinels) {
        this.masterName = masterName;
        this.master = master;
        this.replica = replica;
        this.sentinels = List.copyOf(sentinels);
    }

    /** Starts the topology with the deployment guide's settings (down-after 5 s, failover timeout 10 s). */
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

    /** The server started as replica; after a failover it may be the master. */
    public RedisServer replica() {
        return replica;
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
        RuntimeException last = null;
        for (RedisServer sentinel : sentinels) {
            if (!sentinel.isRunning()) {
                continue;
            }
            try {
                Object reply = sentinel.call("SENTINEL", "get-master-addr-by-name", masterName);
                if (reply instanceof List<?> address) {
                    int port = Integer.parseInt(String.valueOf(address.get(1)));
                    return serverOnPort(port);
                }
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no Sentinel of " + masterName + " names a master", last);
    }

    /**
     * Waits until the Sentinels name a master other than the one they named when called, and that server
     * answers as master; returns it.
     */
    public RedisServer awaitFailover(Duration timeout) {
        RedisServer before = currentMaster();
        RedisServer[] promoted = new RedisServer[1];
        Ports.await("failover of " + masterName + " away from " + before, timeout, null, () -> {
            try {
                RedisServer now = currentMaster();
                if (now != before && isMaster(now)) {
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
     * Waits until {@code server} runs as a replica with its replication link up <em>and</em> the master the
     * Sentinels name lists it among its online replicas ({@code ROLE}): only then do {@code WAIT}s count it.
     */
    public void awaitReplica(RedisServer server, Duration timeout) {
        try {
            Ports.await(server + " as a replica with its link up, listed online by the master", timeout, null, () -> {
                try {
                    String info = String.valueOf(server.call("INFO", "replication"));
                    return info.contains("role:slave") && info.contains("master_link_status:up") && listsReplica(currentMaster(), server);
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": " + replication(server) + "; the Sentinels' master: "
                    + describe(this::currentMaster), e);
        }
    }

    /** Whether {@code master}'s {@code ROLE} reply lists {@code replica} (Redis lists only online replicas). */
    private static boolean listsReplica(RedisServer master, RedisServer replica) {
        Object role = master.call("ROLE");
        return role instanceof List<?> parts && parts.size() >= 3 && parts.get(2) instanceof List<?> replicas
                && replicas.stream().anyMatch(r -> r instanceof List<?> entry && entry.size() >= 2
                        && String.valueOf(entry.get(1)).equals(Integer.toString(replica.port())));
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

    private static String describe(java.util.function.Supplier<RedisServer> server) {
        try {
            return replication(server.get());
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Override
    public void close() {
        for (RedisServer sentinel : sentinels) {
            sentinel.close();
        }
        replica.close();
        master.close();
    }

    @Override
    public String toString() {
        return "Sentinel topology " + masterName + " (master " + master.port() + ", replica " + replica.port()
                + ", sentinels " + sentinels.stream().map(s -> Integer.toString(s.port())).collect(Collectors.joining(",")) + ")";
    }

    private RedisServer serverOnPort(int port) {
        if (master.port() == port) {
            return master;
        }
        if (replica.port() == port) {
            return replica;
        }
        throw new IllegalStateException("Sentinels name a master on port " + port + ", which is not part of " + this);
    }

    private static boolean isMaster(RedisServer server) {
        Object role = server.call("ROLE");
        return role instanceof List<?> parts && "master".equals(parts.get(0));
    }

    private void awaitSettled() {
        for (RedisServer sentinel : sentinels) {
            Ports.await(sentinel + " sees the replica and the other Sentinels", SETTLE_TIMEOUT, null, () -> {
                try {
                    Map<String, String> state = pairs(sentinel.call("SENTINEL", "MASTER", masterName));
                    return Objects.equals(state.get("num-slaves"), "1")
                            && Objects.equals(state.get("num-other-sentinels"), Integer.toString(SENTINELS - 1));
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        }
    }

    private static Map<String, String> pairs(Object reply) {
        List<?> flat = (List<?>) reply;
        Map<String, String> map = new java.util.HashMap<>();
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

        private Builder() {
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

        /** Starts master, replica and Sentinels, and returns once every Sentinel sees the others and the replica. */
        public RedisSentinelTopology start() {
            List<RedisServer> started = new ArrayList<>();
            try {
                RedisServer master = RedisServer.start();
                started.add(master);
                RedisServer replica = RedisServer.start("replicaof 127.0.0.1 " + master.port());
                started.add(replica);
                List<RedisServer> sentinels = new ArrayList<>();
                for (int i = 0; i < SENTINELS; i++) {
                    RedisServer sentinel = RedisServer.startSentinel(List.of(
                            "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " " + quorum,
                            "sentinel down-after-milliseconds " + masterName + " " + downAfter.toMillis(),
                            "sentinel failover-timeout " + masterName + " " + failoverTimeout.toMillis(),
                            "sentinel parallel-syncs " + masterName + " 1"), Ports.free());
                    started.add(sentinel);
                    sentinels.add(sentinel);
                }
                RedisSentinelTopology topology = new RedisSentinelTopology(masterName, master, replica, sentinels);
                topology.awaitReplica(replica, SETTLE_TIMEOUT);
                topology.awaitSettled();
                return topology;
            } catch (RuntimeException e) {
                started.forEach(RedisServer::close);
                throw e;
            }
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
