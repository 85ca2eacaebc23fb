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
import org.jspecify.annotations.Nullable;

/**
 * Starts the processes of a {@link RedisSentinelTopology}: the master, the replicas and the Sentinels, on this
 * machine's loopback or each on a host of its own, and stops what it started when a start fails.
 *
 * <p>Thread-safe (stateless).
 */
final class SentinelLauncher {

    /**
     * What {@link RedisSentinelTopology.Builder} collected; {@code sentinelPassword} is null when the Sentinels
     * require none.
     */
    record Settings(String masterName, Duration downAfter, Duration failoverTimeout, int quorum, int replicas, boolean appendOnly,
            @Nullable String sentinelPassword, boolean unpromotableUntilGuarded, boolean hostsOfTheirOwn) {

        @Override
        public String toString() { // no password
            return "Settings[" + masterName + ", replicas " + replicas + ", quorum " + quorum + "]";
        }
    }

    private SentinelLauncher() {
    }

    /** Starts master, replicas and Sentinels, and returns once every Sentinel sees the others and every replica. */
    static RedisSentinelTopology start(Settings settings) {
        List<RedisServer> started = new ArrayList<>();
        NetworkHosts hosts = settings.hostsOfTheirOwn() ? NetworkHosts.create(1 + settings.replicas() + RedisSentinelTopology.SENTINELS) : null;
        Map<RedisServer, NetworkHosts.Host> hostOf = new HashMap<>();
        AtomicReference<@Nullable RedisSentinelTopology> self = new AtomicReference<>();
        try {
            List<String> persistence = settings.appendOnly() ? List.of("appendonly yes") : List.of();
            List<String> arguments = settings.unpromotableUntilGuarded() ? List.of("--replica-priority", "0") : List.of();
            RedisServer master = startDataNode(hosts, hostOf, persistence, arguments, self);
            started.add(master);
            List<RedisServer> replicas = new ArrayList<>();
            for (int i = 0; i < settings.replicas(); i++) {
                List<String> config = new ArrayList<>(persistence);
                config.add("replicaof " + master.host() + " " + master.port());
                RedisServer replica = startDataNode(hosts, hostOf, config, arguments, self);
                started.add(replica);
                replicas.add(replica);
            }
            List<RedisServer> sentinels = new ArrayList<>();
            for (int i = 0; i < RedisSentinelTopology.SENTINELS; i++) {
                RedisServer sentinel = hosts == null ? RedisServer.startSentinel(sentinelConfig(settings, master), Ports.free())
                        : start(hosts, hostOf, sentinelConfig(settings, master), List.of(), List::of, true);
                started.add(sentinel);
                sentinels.add(sentinel);
            }
            RedisSentinelTopology topology = new RedisSentinelTopology(settings.masterName(), master, replicas, sentinels,
                    settings.unpromotableUntilGuarded(), hosts, hostOf);
            self.set(topology);
            try {
                topology.awaitReplicas(() -> replicas, RedisSentinelTopology.SETTLE_TIMEOUT, false);
                awaitSettled(topology);
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

    /** Waits until every Sentinel sees the replicas and the other Sentinels. */
    private static void awaitSettled(RedisSentinelTopology topology) {
        for (RedisServer sentinel : topology.sentinels()) {
            Ports.await(sentinel + " sees the replicas and the other Sentinels", RedisSentinelTopology.SETTLE_TIMEOUT, null, () -> {
                try {
                    Map<String, String> state = Replication.pairs(sentinel.call("SENTINEL", "MASTER", topology.masterName()));
                    return Objects.equals(state.get("num-slaves"), Integer.toString(topology.replicas().size()))
                            && Objects.equals(state.get("num-other-sentinels"), Integer.toString(RedisSentinelTopology.SENTINELS - 1));
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
        }
    }

    private static List<String> sentinelConfig(Settings settings, RedisServer master) {
        String password = settings.sentinelPassword();
        List<String> config = new ArrayList<>(password == null ? List.of()
                : List.of("requirepass " + password, "sentinel sentinel-pass " + password));
        String name = settings.masterName();
        config.addAll(List.of(
                "loglevel verbose",
                "sentinel monitor " + name + " " + master.host() + " " + master.port() + " " + settings.quorum(),
                "sentinel down-after-milliseconds " + name + " " + settings.downAfter().toMillis(),
                "sentinel failover-timeout " + name + " " + settings.failoverTimeout().toMillis(),
                "sentinel parallel-syncs " + name + " 1"));
        return config;
    }

    /**
     * A data node that, when it starts again while most Sentinels name another node as master, starts as that
     * master's replica ({@code --replicaof}), as the compose file's start script does: a node that comes back
     * as a master (its old data, no replicas) is one Sentinel may promote, whatever its priority, since Sentinel
     * reads {@code slave_priority} and offsets only from nodes that report themselves replicas (Redis 7.0
     * {@code sentinelSelectSlave}); the campaign's seed 3 lost 1,209 acknowledged writes that way. {@code self}
     * holds the topology once it exists (null during the first start).
     */
    private static RedisServer startDataNode(@Nullable NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf,
            List<String> config, List<String> arguments, AtomicReference<@Nullable RedisSentinelTopology> self) {
        AtomicReference<@Nullable RedisServer> node = new AtomicReference<>();
        RedisServer server = start(hosts, hostOf, config, arguments, () -> {
            RedisSentinelTopology topology = self.get();
            RedisServer restarting = node.get();
            if (topology == null || restarting == null) {
                return List.of(); // the first start
            }
            RedisServer named = topology.agreedMaster();
            if (named == null || named == restarting) {
                return List.of();
            }
            topology.note(restarting.port() + " starts as the replica of " + named.port() + ", which most Sentinels name");
            return List.of("--replicaof", named.host(), Integer.toString(named.port()));
        }, false);
        node.set(server);
        return server;
    }

    /** A data node (or Sentinel) on the next free host, or on this machine's loopback when {@code hosts} is null. */
    private static RedisServer start(@Nullable NetworkHosts hosts, Map<RedisServer, NetworkHosts.Host> hostOf, List<String> config,
            List<String> arguments, Supplier<List<String>> atEachStart, boolean sentinel) {
        if (hosts == null) {
            return RedisServer.startWithArguments(config, arguments, atEachStart);
        }
        NetworkHosts.Host host = hosts.hosts().get(hostOf.size());
        RedisServer server = RedisServer.startOn(host, config, arguments, atEachStart, sentinel);
        hostOf.put(server, host);
        return server;
    }
}
